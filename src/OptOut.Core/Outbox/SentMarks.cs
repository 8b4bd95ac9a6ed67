using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OptOut.Core.Outbox;

/// <summary>
/// Records that the broker confirmed a change's events (<see cref="IOutbox.MarkSentAsync"/>) in the background, group
/// committed: one loop writes every key queued during its previous write and the <see cref="Linger"/> after it (up to
/// <see cref="MaxBatch"/>) in one transaction or bulk operation, so a burst of STOPs costs a few store writes, not one
/// each, and no consume waits for its mark (waiting would not narrow the window in which a crash re-sends, only hold a
/// consumer slot). Until its mark is written a key is kept here, so a retry or duplicate in this instance still sees the events as sent
/// (<see cref="Contains"/>). A failed write is retried with backoff, keeping its keys; it never fails a consume.
/// </summary>
public sealed class SentMarks : IAsyncDisposable
{
    /// <summary>Keys written at most per store write.</summary>
    public const int MaxBatch = 512;

    /// <summary>
    /// How long the writer lets marks gather after the first one arrives: a burst of STOPs then costs one mark write
    /// per few milliseconds instead of one per STOP, each of which the next STOP's own write would wait behind (on
    /// SQLite, the one write lock). Only a crash inside it re-sends more (same ids).
    /// </summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Channel<PendingKey> _queue = Channel.CreateUnbounded<PendingKey>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<PendingKey, byte> _unwritten = new();
    private readonly ILogger _logger;
    private readonly Task _writer;
    private volatile bool _stopping;

    public SentMarks(IOutbox outbox, ILogger<SentMarks>? logger = null)
    {
        Outbox = outbox;
        _logger = logger ?? NullLogger<SentMarks>.Instance;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>The store the marks are written to (and claims taken in).</summary>
    public IOutbox Outbox { get; }

    /// <summary>The events of <paramref name="key"/> were confirmed by the broker: delete its entry soon.</summary>
    public void Add(PendingKey key)
    {
        if (_unwritten.TryAdd(key, 0) && !_queue.Writer.TryWrite(key))
            _unwritten.TryRemove(key, out _); // stopping: the entry stays, and a redelivery or the sweeper re-sends (same ids)
    }

    /// <summary>True while the confirmed events of <paramref name="key"/> wait for their mark to be written.</summary>
    public bool Contains(PendingKey key) => !_unwritten.IsEmpty && _unwritten.ContainsKey(key);

    /// <summary>Keys added and not written yet.</summary>
    public int Unwritten => _unwritten.Count;

    /// <summary>Writes what is queued and stops: called when the service stops, after its consumers.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingKey>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!_stopping)
                await Task.Delay(Linger).ConfigureAwait(false);
            while (batch.Count < MaxBatch && reader.TryRead(out var key))
                batch.Add(key);

            for (var failures = 0; ; failures++)
            {
                try
                {
                    await Outbox.MarkSentAsync(batch).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!_stopping || failures < 3)
                {
                    var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
                    _logger.LogWarning("Recording {Count} confirmed changes as sent failed ({Reason}); trying again in {Delay} ms", batch.Count,
                        ex.GetType().Name, (long)delay.TotalMilliseconds);
                    await Task.Delay(delay).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Stopping and the store still fails: the entries stay, so their events are re-sent with the same ids.
                    _logger.LogError("Recording {Count} confirmed changes as sent failed on stopping ({Reason}); their events will be sent again with the same message ids",
                        batch.Count, ex.GetType().Name);
                    break;
                }
            }

            foreach (var key in batch)
                _unwritten.TryRemove(key, out _);
            batch.Clear();
        }
    }
}
