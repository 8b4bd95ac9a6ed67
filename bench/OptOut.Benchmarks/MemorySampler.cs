using System.Diagnostics;

namespace OptOut.Benchmarks;

/// <summary>
/// Samples the process working set every 100 ms, so each phase reports its own peak (the OS high-water mark,
/// <see cref="Process.PeakWorkingSet64"/>, only ever covers the whole process).
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public MemorySampler() => _loop = Task.Run(SampleAsync);

    /// <summary>The highest working set seen since the last <see cref="Reset"/>, in bytes.</summary>
    public long Peak
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak);
        }
    }

    /// <summary>The OS's high-water mark of the whole process, in bytes.</summary>
    public long ProcessPeak
    {
        get
        {
            lock (_process)
            {
                _process.Refresh();
                return _process.PeakWorkingSet64;
            }
        }
    }

    public void Reset() => Interlocked.Exchange(ref _peak, 0);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is the only way out of the loop.
        }

        _stop.Dispose();
        _process.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(_stop.Token))
            Sample();
    }

    private void Sample()
    {
        long current;
        lock (_process)
        {
            _process.Refresh();
            current = _process.WorkingSet64;
        }

        var seen = Interlocked.Read(ref _peak);
        while (current > seen)
        {
            var previous = Interlocked.CompareExchange(ref _peak, current, seen);
            if (previous == seen)
                break;
            seen = previous;
        }
    }
}
