using System.Diagnostics;
using System.Globalization;

namespace OptOut.Benchmarks;

/// <summary>
/// What the machine's cores are worth together: the same register-only loop on one thread, then on every core at once.
/// On a shared virtual machine two "cores" may deliver far less than twice one (the 2-core CI machine gave anything
/// from 1.2x to 2.1x within one day), which bounds any speed-up from running work in parallel, and what a ratio to a
/// one-thread baseline can reach.
/// </summary>
internal static class MachineProbe
{
    private const long Iterations = 150_000_000;

    /// <summary>Runs for about a second; returns e.g. "2 cores give 1.38x one core's throughput (a CPU loop, no memory)".</summary>
    public static string DescribeParallelism()
    {
        var cores = Environment.ProcessorCount;
        _ = Spin(Iterations / 10);
        var one = Time(1);
        var all = Time(cores);
        // `all` did `cores` times the work of `one`.
        var speedUp = cores * one.TotalSeconds / all.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{cores} cores give {speedUp:F2}x one core's throughput (the same CPU loop on 1 and on {cores} threads)");
    }

    private static TimeSpan Time(int threads)
    {
        var started = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => Spin(Iterations)) { IsBackground = true }).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return started.Elapsed;
    }

    // A linear congruential step: registers only, so neither memory nor the GC is in the figure.
    private static long Spin(long iterations)
    {
        long x = 1;
        for (long i = 0; i < iterations; i++)
            x = (x * 6364136223846793005L) + 1442695040888963407L;
        return x;
    }
}
