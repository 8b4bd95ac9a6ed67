using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using OptOut.Core.Bulk;

namespace OptOut.Bulk.Parallelism;

/// <summary>
/// The parsers of an upload's parsing threads (<see cref="BulkUploadOptions.ParseThreads"/>): each thread parses with a
/// copy of OptOut.Core's <see cref="CellKey.Parse"/> of its own, loaded in its own <see cref="AssemblyLoadContext"/> with
/// its own libphonenumber, and rented for the length of a pass: no two threads (of one upload or of two at once, nor the
/// keyword path, which keeps the service's own) ever parse with the same copy.
/// </summary>
/// <remarks>
/// libphonenumber keeps its compiled regular expressions in statics, and .NET's <c>Regex</c> caches one scratch runner
/// per instance: two threads parsing with one libphonenumber mostly build runners (measured on a 2-core machine:
/// 1,000,000 cells took 1.9–2.0 s on one thread and 3.3–3.5 s on two). Each copy has its own statics, so the threads
/// share nothing and two take 1.1–1.3 s. A copy is the same code from the same files (its results are the same values:
/// specs compare them), loaded the first time more threads parse at once than copies exist and kept for the life of
/// the process (about 5 MB each): there are never more than the most threads that parsed at once.
/// Where the assemblies have no file to load a copy from (a single-file publish), every thread uses the shared parser:
/// correct, only slower.
/// </remarks>
internal static class CellParser
{
    private static readonly ConcurrentBag<CellParse> Idle = [];
    private static int s_loaded;

    /// <summary>How many copies this process has loaded.</summary>
    public static int Loaded => Volatile.Read(ref s_loaded);

    /// <summary>Copies for <paramref name="threads"/> threads, one each, theirs until the lease is disposed.</summary>
    public static CellParserLease Rent(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var parsers = new CellParse[threads];
        for (var i = 0; i < threads; i++)
            parsers[i] = Idle.TryTake(out var idle) ? idle : LoadCopy(Interlocked.Increment(ref s_loaded));
        return new CellParserLease(parsers, Return);
    }

    private static void Return(CellParse[] parsers)
    {
        foreach (var parser in parsers)
        {
            if (IsCopy(parser))
                Idle.Add(parser);
        }
    }

    /// <summary>Whether <paramref name="parse"/> runs in a copy of its own (false: the shared parser).</summary>
    public static bool IsCopy(CellParse parse) => AssemblyLoadContext.GetLoadContext(parse.Method.Module.Assembly) is Copy;

    private static CellParse LoadCopy(int number)
    {
        var core = typeof(CellKey).Assembly;
        var libphonenumber = typeof(PhoneNumbers.PhoneNumberUtil).Assembly;
        if (string.IsNullOrEmpty(core.Location) || string.IsNullOrEmpty(libphonenumber.Location))
            return CellKey.Parse;

        try
        {
            var copy = new Copy($"libphonenumber {number}", [core, libphonenumber]).LoadFromAssemblyName(core.GetName());
            var method = copy.GetType(typeof(CellKey).FullName!, throwOnError: true)!.GetMethod(nameof(CellKey.Parse),
                BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(int), typeof(string).MakeByRefType()])!;
            return method.CreateDelegate<CellParse>();
        }
        catch (Exception e) when (e is IOException or BadImageFormatException)
        {
            // The files changed under the running service (an upgrade in place): parse with the shared one, as without files.
            return CellKey.Parse;
        }
    }

    /// <summary>A load context with its own copies of the given assemblies; everything else comes from the default context.</summary>
    private sealed class Copy(string name, Assembly[] own) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            foreach (var assembly in own)
            {
                if (AssemblyName.ReferenceMatchesDefinition(assemblyName, assembly.GetName()))
                    return LoadFromAssemblyPath(assembly.Location);
            }

            return null;
        }
    }
}
