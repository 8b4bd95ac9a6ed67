using System.Collections;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using OptOut.Benchmarks.Inbound;
using OptOut.Contracts;

namespace OptOut.Benchmarks.Bulk;

/// <summary>
/// What the campaign service and the admin panel would see of one upload: its progress and result (on the observer
/// bus), and every ConversationOptStateChanged it causes (from a <see cref="StateChangeListener"/>), each number
/// counted once (a bit per distinct number of the workload) however often it is delivered. Done when BulkUploadCompleted arrived and as many distinct numbers
/// were announced as it says were newly opted out.
/// </summary>
internal sealed class UploadTracker(BulkUploadSubmitted upload, BulkWorkload workload, long distinctNumbers)
{
    private readonly Lock _lock = new();
    private readonly BitArray _announced = new(checked((int)distinctNumbers));
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _startedAt;
    private long _completedAt;
    private long _lastEventAt;
    private long _doneAt;
    private long _distinct;
    private long _events;
    private long _unexpected;
    private int _progressMessages;
    private long _lastProgressAt;
    private long _longestProgressGap;
    private long _rowsRead;
    private BulkUploadCompleted? _completed;
    private string? _failure;

    public Task Done => _done.Task;

    public BulkUploadCompleted? Completed
    {
        get
        {
            lock (_lock)
                return _completed;
        }
    }

    public TimeSpan? TimeToCompleted => At(Interlocked.Read(ref _completedAt));

    /// <summary>This process's CPU time when the upload was published.</summary>
    public TimeSpan CpuBefore { get; private set; }

    /// <summary>The JIT's compilation time when the upload was published, and when BulkUploadCompleted arrived.</summary>
    public TimeSpan JitBefore { get; private set; }

    public TimeSpan JitAtCompleted { get; private set; }

    /// <summary>This process's CPU time when BulkUploadCompleted arrived.</summary>
    public TimeSpan? CpuAtCompleted { get; private set; }

    /// <summary>Until the last expected ConversationOptStateChanged (or BulkUploadCompleted, if that came later).</summary>
    public TimeSpan? TimeToDone => At(Interlocked.Read(ref _doneAt));

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>The tracked upload's id.</summary>
    public Guid UploadId => upload.UploadId;

    /// <summary>When the upload was published (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long StartedAtTimestamp => _startedAt;

    public long DistinctEvents => Interlocked.Read(ref _distinct);

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Events for numbers that must not get one: not in the file, or opted out before the upload.</summary>
    public long Unexpected => Interlocked.Read(ref _unexpected);

    public int ProgressMessages => Volatile.Read(ref _progressMessages);

    public TimeSpan LongestProgressGap => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestProgressGap));

    /// <summary>Rows read, events seen: moves while the upload makes progress.</summary>
    public long Progress => Interlocked.Read(ref _rowsRead) + Events;

    public void Start()
    {
        CpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        JitBefore = System.Runtime.JitInfo.GetCompilationTime();
        _startedAt = Stopwatch.GetTimestamp();
        _lastProgressAt = _startedAt;
    }

    public Task OnProgressed(ConsumeContext<BulkUploadProgressed> context)
    {
        if (context.Message.UploadId != upload.UploadId)
            return Task.CompletedTask;
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _progressMessages++;
            _longestProgressGap = Math.Max(_longestProgressGap, now - _lastProgressAt);
            _lastProgressAt = now;
            _rowsRead = Math.Max(_rowsRead, context.Message.RowsRead);
        }

        return Task.CompletedTask;
    }

    public Task OnCompleted(ConsumeContext<BulkUploadCompleted> context)
    {
        if (context.Message.UploadId != upload.UploadId)
            return Task.CompletedTask;
        lock (_lock)
        {
            if (_completed is not null)
                return Task.CompletedTask;
            _completed = context.Message;
            Interlocked.Exchange(ref _completedAt, Stopwatch.GetTimestamp());
            CpuAtCompleted = Process.GetCurrentProcess().TotalProcessorTime;
            JitAtCompleted = System.Runtime.JitInfo.GetCompilationTime();
            _rowsRead = Math.Max(_rowsRead, context.Message.TotalRows);
            CheckDone();
        }

        return Task.CompletedTask;
    }

    public Task OnFailed(ConsumeContext<BulkUploadFailed> context)
    {
        if (context.Message.UploadId == upload.UploadId)
            Fail("the service published BulkUploadFailed: " + context.Message.Reason);
        return Task.CompletedTask;
    }

    public Task OnFault(ConsumeContext<Fault<BulkUploadSubmitted>> context)
    {
        if (context.Message.Message.UploadId == upload.UploadId)
        {
            var exception = context.Message.Exceptions.FirstOrDefault();
            Fail($"the upload's consumer faulted: {exception?.ExceptionType} {exception?.Message}");
        }

        return Task.CompletedTask;
    }

    public void OnStateChanged(StateChangeSeen message)
    {
        if (message.AccountId != upload.AccountId || message.Source != nameof(OptOutSource.BulkUpload))
            return;

        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _events);
        var unique = workload.UniqueOf(message.PhoneNumber);
        if (message.State != nameof(OptState.OptedOut) || unique < 0 || unique >= distinctNumbers || BulkWorkload.IsPreOptedOut(unique))
        {
            Interlocked.Increment(ref _unexpected);
            return;
        }

        lock (_lock)
        {
            if (_announced[(int)unique])
                return;
            _announced[(int)unique] = true;
            _distinct++;
            _lastEventAt = now;
            CheckDone();
        }
    }

    public string Describe()
    {
        lock (_lock)
        {
            var completed = _completed is null
                ? $"BulkUploadCompleted not yet (rows read {_rowsRead:N0}/{workload.Rows:N0})"
                : $"BulkUploadCompleted after {TimeToCompleted!.Value.TotalSeconds:F1} s";
            var expected = _completed is null ? "?" : _completed.OptedOut.ToString("N0", CultureInfo.InvariantCulture);
            return $"{completed}; ConversationOptStateChanged {_distinct:N0}/{expected}" + (_unexpected > 0 ? $", unexpected {_unexpected:N0}" : "");
        }
    }

    private void Fail(string reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        _done.TrySetException(new BenchmarkFailedException(reason));
    }

    // Under _lock.
    private void CheckDone()
    {
        if (_completed is null || _distinct < _completed.OptedOut)
            return;
        Interlocked.CompareExchange(ref _doneAt, Math.Max(_lastEventAt, _completedAt), 0);
        _done.TrySetResult();
    }

    private TimeSpan? At(long timestamp) => timestamp == 0 ? null : Stopwatch.GetElapsedTime(_startedAt, timestamp);
}
