using System.Diagnostics;

namespace OptOut.Service.Tests.Integration;

/// <summary>Waiting on results over a real broker: poll with a deadline, never a bare sleep.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds; fails the test with <paramref name="describe"/> at the deadline.
    /// <paramref name="interval"/> (default 50 ms) spaces the checks out when one is expensive.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken = default,
        TimeSpan? interval = null)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.Elapsed > timeout)
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(interval ?? Interval, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="describe"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until nothing new has arrived for <paramref name="quietFor"/> (for asserting that something did NOT happen:
    /// only meaningful after waiting for what did).
    /// </summary>
    public static async Task QuietAsync(Func<int> count, TimeSpan quietFor, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        var last = count();
        var stableSince = elapsed.Elapsed;
        while (elapsed.Elapsed - stableSince < quietFor)
        {
            if (elapsed.Elapsed > timeout)
                Assert.Fail($"Events kept arriving for {timeout.TotalSeconds:0.#} s");
            await Task.Delay(Interval, cancellationToken);
            var now = count();
            if (now != last)
            {
                last = now;
                stableSince = elapsed.Elapsed;
            }
        }
    }
}
