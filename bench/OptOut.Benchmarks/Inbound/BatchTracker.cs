using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MassTransit;
using OptOut.Contracts;

namespace OptOut.Benchmarks.Inbound;

/// <summary>
/// Counts one batch exactly: each message once however often it is delivered (a bit per index), each event once
/// per number, and the time from a keyword text's publish to its confirmation. Done when every message was
/// consumed and every expected event was seen; the moment that happens is the end of the measurement.
/// </summary>
internal sealed class BatchTracker
{
    private readonly InboundWorkload _workload;
    private readonly HashSet<AccountId> _accounts;
    private readonly bool _expectEvents;
    private readonly int[] _consumedFlags;
    private readonly ConcurrentDictionary<string, long> _awaitingConfirmation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _stateChanged = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _confirmed = new(StringComparer.Ordinal);
    private readonly long[] _latencyTicks;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _consumed;
    private int _redelivered;
    private int _faults;
    private int _stateChanges;
    private int _confirmations;
    private int _duplicateEvents;
    private int _latencyCount;
    private long _startedAt;
    private long _finishedAt;

    public BatchTracker(InboundWorkload workload, bool expectEvents)
    {
        _workload = workload;
        _accounts = [.. workload.Accounts];
        _expectEvents = expectEvents && workload.StopCount > 0;
        _consumedFlags = new int[workload.Count];
        _latencyTicks = new long[workload.StopCount];
        if (workload.Count == 0)
            _done.TrySetResult();
    }

    public InboundWorkload Workload => _workload;

    public int ExpectedEvents => _expectEvents ? _workload.StopCount : 0;

    public int Consumed => Volatile.Read(ref _consumed);

    public int Faults => Volatile.Read(ref _faults);

    public int Progress => Consumed + Volatile.Read(ref _stateChanges) + Volatile.Read(ref _confirmations);

    public Task Done => _done.Task;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt, Volatile.Read(ref _finishedAt) is var end and not 0 ? end : Stopwatch.GetTimestamp());

    public void Start() => _startedAt = Stopwatch.GetTimestamp();

    /// <summary>Called just before the message is handed to the bus: the start of its confirmation latency.</summary>
    public void Publishing(int index)
    {
        if (_expectEvents && _workload.IsStop(index))
            _awaitingConfirmation[InboundWorkload.StopSender(index)] = Stopwatch.GetTimestamp();
    }

    public bool Owns(AccountId accountId) => _accounts.Contains(accountId);

    public void OnConsumed(int index)
    {
        if (Interlocked.Exchange(ref _consumedFlags[index], 1) != 0)
        {
            Interlocked.Increment(ref _redelivered);
            return;
        }

        Interlocked.Increment(ref _consumed);
        CheckDone();
    }

    public void OnFault() => Interlocked.Increment(ref _faults);

    public void OnStateChanged(EventSeen message)
    {
        if (message.State != nameof(OptState.OptedOut) || !_stateChanged.TryAdd(message.Phone, 0))
        {
            Interlocked.Increment(ref _duplicateEvents);
            return;
        }

        Interlocked.Increment(ref _stateChanges);
        CheckDone();
    }

    public void OnConfirmation(EventSeen message)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_confirmed.TryAdd(message.Phone, 0))
        {
            Interlocked.Increment(ref _duplicateEvents);
            return;
        }

        if (_awaitingConfirmation.TryRemove(message.Phone, out var publishedAt))
            _latencyTicks[Interlocked.Increment(ref _latencyCount) - 1] = now - publishedAt;
        Interlocked.Increment(ref _confirmations);
        CheckDone();
    }

    /// <summary>Publish-to-confirmation latencies, sorted, in milliseconds.</summary>
    public double[] LatenciesMs()
    {
        var count = Volatile.Read(ref _latencyCount);
        var ms = new double[count];
        for (var i = 0; i < count; i++)
            ms[i] = _latencyTicks[i] * 1000.0 / Stopwatch.Frequency;
        Array.Sort(ms);
        return ms;
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"consumed {Consumed:N0}/{_workload.Count:N0}");
        if (_expectEvents)
        {
            text.Append(CultureInfo.InvariantCulture, $", ConversationOptStateChanged {Volatile.Read(ref _stateChanges):N0}/{ExpectedEvents:N0}");
            text.Append(CultureInfo.InvariantCulture, $", ConfirmationMessageRequested {Volatile.Read(ref _confirmations):N0}/{ExpectedEvents:N0}");
        }

        text.Append(CultureInfo.InvariantCulture, $", faults {Faults:N0}, redeliveries {Volatile.Read(ref _redelivered):N0}");
        if (Volatile.Read(ref _duplicateEvents) is > 0 and var duplicates)
            text.Append(CultureInfo.InvariantCulture, $", duplicate events {duplicates:N0}");
        return text.ToString();
    }

    /// <summary>What is still missing: counts, and the first few message indexes and numbers (last 4 digits only).</summary>
    public string DescribeMissing()
    {
        var text = new StringBuilder(Describe());
        var missing = Enumerable.Range(0, _workload.Count).Where(i => Volatile.Read(ref _consumedFlags[i]) == 0).Take(10).ToList();
        if (missing.Count > 0)
            text.Append(CultureInfo.InvariantCulture, $"\n  not consumed (first {missing.Count}): {string.Join(", ", missing.Select(i => _workload.Tag + "-" + i))}");
        if (_expectEvents)
        {
            var stops = Enumerable.Range(0, _workload.StopCount).Select(k => InboundWorkload.StopSender(k * InboundWorkload.StopEvery)).ToList();
            var noState = stops.Where(p => !_stateChanged.ContainsKey(p)).Take(10).Select(Mask).ToList();
            var noConfirmation = stops.Where(p => !_confirmed.ContainsKey(p)).Take(10).Select(Mask).ToList();
            if (noState.Count > 0)
                text.Append(CultureInfo.InvariantCulture, $"\n  no ConversationOptStateChanged for (first {noState.Count}): {string.Join(", ", noState)}");
            if (noConfirmation.Count > 0)
                text.Append(CultureInfo.InvariantCulture, $"\n  no ConfirmationMessageRequested for (first {noConfirmation.Count}): {string.Join(", ", noConfirmation)}");
        }

        return text.ToString();
    }

    private static string Mask(string phone) => "***" + phone[^4..];

    private void CheckDone()
    {
        if (Volatile.Read(ref _consumed) < _workload.Count)
            return;
        if (_expectEvents && (Volatile.Read(ref _stateChanges) < ExpectedEvents || Volatile.Read(ref _confirmations) < ExpectedEvents))
            return;
        if (Interlocked.CompareExchange(ref _finishedAt, Stopwatch.GetTimestamp(), 0) == 0)
            _done.TrySetResult();
    }
}

/// <summary>
/// Routes what the consuming bus and the event listener see to the batch it belongs to (warm-up or measured), by
/// provider message id for consumed texts and by account for events. Anything else on the broker is ignored.
/// </summary>
internal sealed class BatchRouter : IConsumeMessageObserver<InboundMessage>
{
    private volatile BatchTracker[] _batches = [];

    public void Add(BatchTracker batch) => _batches = [.. _batches, batch];

    public void Remove(BatchTracker batch) => _batches = [.. _batches.Where(b => b != batch)];

    public Task PreConsume(ConsumeContext<InboundMessage> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<InboundMessage> context)
    {
        foreach (var batch in _batches)
        {
            var index = batch.Workload.IndexOf(context.Message.ProviderMessageId);
            if (index >= 0)
            {
                batch.OnConsumed(index);
                break;
            }
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<InboundMessage> context, Exception exception)
    {
        foreach (var batch in _batches)
        {
            if (batch.Workload.IndexOf(context.Message.ProviderMessageId) >= 0)
                batch.OnFault();
        }

        return Task.CompletedTask;
    }

    public void OnStateChanged(EventSeen message)
    {
        foreach (var batch in _batches)
        {
            if (batch.Owns(message.AccountId))
                batch.OnStateChanged(message);
        }
    }

    public void OnConfirmation(EventSeen message)
    {
        foreach (var batch in _batches)
        {
            if (batch.Owns(message.AccountId))
                batch.OnConfirmation(message);
        }
    }
}
