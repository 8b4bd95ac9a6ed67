using System.Runtime.InteropServices;

namespace OptOut.Bulk.Parallelism;

/// <summary>
/// Lowers the scheduling priority of the calling thread (a bulk upload's parsing threads), so that on a busy machine the
/// keyword path goes first: a running upload must never delay keyword opt-outs. The parsing threads keep every
/// core nobody else wants; when a STOP arrives, its thread is scheduled ahead of them instead of sharing a core with them.
/// </summary>
/// <remarks>
/// Linux only: a thread has its own nice value there (<c>setpriority</c> on its thread id), and raising it needs no
/// privilege. .NET's <see cref="Thread.Priority"/> is not applied on Linux. Elsewhere, and if the call fails, the
/// thread runs at normal priority.
/// </remarks>
internal static class BackgroundPriority
{
    /// <summary>The nice value of an upload's parsing threads (0 is normal, 19 the lowest): a CPU share of about a tenth next to a normal thread.</summary>
    public const int Nice = 10;

    private const int PrioProcess = 0;

    /// <summary>Gives the calling thread the nice value <see cref="Nice"/>; false where that is not possible.</summary>
    public static bool Lower()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return setpriority(PrioProcess, gettid(), Nice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value on Linux (for specs); null elsewhere.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Marshal.SetLastPInvokeError(0);
        var nice = getpriority(PrioProcess, gettid());
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int gettid();

    [DllImport("libc", ExactSpelling = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", ExactSpelling = true, SetLastError = true)]
    private static extern int getpriority(int which, int who);
}
