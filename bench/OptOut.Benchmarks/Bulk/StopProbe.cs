using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using OptOut.Benchmarks.Inbound;
using OptOut.Contracts;

namespace OptOut.Benchmarks.Bulk;

/// <summary>
/// Keyword opt-outs while an upload runs (a running upload must never delay keyword opt-outs): a STOP from a
/// new number of another account every <see cref="Interval"/>, timed from handing it to the bus to seeing its
/// ConfirmationMessageRequested on the observer bus. Each latency is filed under the stage of the upload it was
/// published in (ingest until BulkUploadCompleted, dispatch after).
/// </summary>
internal sealed class StopProbe(IBus publisher, Func<bool> ingesting)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private const string OurNumber = "+12125550100";

    private readonly AccountId _account = Guid.NewGuid();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<string, (long PublishedAt, bool Ingesting)> _awaiting = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _publishes = [];
    private readonly Lock _lock = new();
    private readonly List<double> _ingestMs = [];
    private readonly List<double> _dispatchMs = [];
    private int _sent;
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public int Sent => Volatile.Read(ref _sent);

    public int Missing => _awaiting.Count;

    public Task OnConfirmation(ConsumeContext<ConfirmationMessageRequested> context)
    {
        var now = Stopwatch.GetTimestamp();
        if (context.Message.AccountId != _account || context.Message.To is not { } to || !_awaiting.TryRemove(to, out var sent))
            return Task.CompletedTask;

        var ms = Stopwatch.GetElapsedTime(sent.PublishedAt, now).TotalMilliseconds;
        lock (_lock)
            (sent.Ingesting ? _ingestMs : _dispatchMs).Add(ms);
        return Task.CompletedTask;
    }

    /// <summary>A few keyword opt-outs before the clock starts, so the keyword path is compiled and its settings cached.</summary>
    public async Task WarmUpAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
            await PublishOneAsync(cancellationToken);
        var deadline = Stopwatch.StartNew();
        while (!_awaiting.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50, cancellationToken);
        if (!_awaiting.IsEmpty)
            throw new BenchmarkFailedException($"the keyword path did not confirm {_awaiting.Count} of {count} warm-up STOPs within 30 s");
        ClearLatencies();
    }

    /// <summary>Stops a run of STOPs that only warmed the keyword path up (during the warm-up upload): every one must have been confirmed, and none is counted.</summary>
    public async Task StopWarmUpAsync(TimeSpan grace)
    {
        await StopAsync(grace);
        if (!_awaiting.IsEmpty)
            throw new BenchmarkFailedException($"the keyword path did not confirm {_awaiting.Count} STOPs sent during the warm-up upload within {grace.TotalSeconds:F0} s");
        ClearLatencies();
    }

    private void ClearLatencies()
    {
        lock (_lock)
        {
            _ingestMs.Clear();
            _dispatchMs.Clear();
        }
    }

    public void Start(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(token))
            {
                // Not awaited: a slow broker confirm must not stretch the interval.
                _publishes.Add(PublishOneAsync(CancellationToken.None));
            }
        }, CancellationToken.None);
    }

    /// <summary>Stops sending and waits (at most <paramref name="grace"/>) for the confirmations still due.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stop is null || _loop is null)
            return;
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // The way the loop ends.
        }

        _stop.Dispose();
        await Task.WhenAll(_publishes);
        var deadline = Stopwatch.StartNew();
        while (!_awaiting.IsEmpty && deadline.Elapsed < grace)
            await Task.Delay(50);
    }

    /// <summary>Latencies in milliseconds, sorted: during ingest, during dispatch, and all.</summary>
    public (double[] Ingest, double[] Dispatch, double[] All) Latencies()
    {
        lock (_lock)
        {
            double[] ingest = [.. _ingestMs.Order()];
            double[] dispatch = [.. _dispatchMs.Order()];
            double[] all = [.. _ingestMs.Concat(_dispatchMs).Order()];
            return (ingest, dispatch, all);
        }
    }

    private Task PublishOneAsync(CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _sent);
        var from = "+1917" + (2_000_000 + index).ToString(CultureInfo.InvariantCulture);
        _awaiting[from] = (Stopwatch.GetTimestamp(), ingesting());
        return publisher.Publish(new InboundMessage
        {
            AccountId = _account,
            From = from,
            To = OurNumber,
            Body = "STOP",
            ReceivedAt = DateTimeOffset.UtcNow,
            ProviderMessageId = $"bulkprobe-{_tag}-{index}",
            ConversationId = $"conv-{_tag}-{index}",
        }, cancellationToken);
    }
}
