using OptOut.Contracts;

namespace OptOut.Core.Bulk;

public enum BulkUploadStatus
{
    /// <summary>
    /// Accepted by the admin API and waiting for its consumer (an instance runs a few uploads at a time, so this can
    /// last). Stored before <see cref="BulkUploadSubmitted"/> is published, so every instance answers the upload's status;
    /// the consumer starts from it as from no state at all.
    /// </summary>
    Queued,

    /// <summary>Rows are being read and stored (or a crash interrupted it: the redelivery resumes from the checkpoint).</summary>
    Running,

    /// <summary>Every row is stored and BulkUploadCompleted was published; state-change events may still be dispatching.</summary>
    Ingested,

    /// <summary>Every event was dispatched: the upload is done.</summary>
    Completed,

    /// <summary>The file was unusable; nothing was written.</summary>
    Failed,

    /// <summary>Undone: the numbers it opted out (and nothing opted out since) were opted back in.</summary>
    Undone,
}

/// <summary>
/// The durable state of one upload: what the admin panel lists, and the checkpoint a redelivered
/// <see cref="BulkUploadSubmitted"/> resumes from after a crash.
/// </summary>
public sealed record BulkUploadState
{
    /// <summary>At most this many rejected rows are kept inline (the full list is in the report).</summary>
    public const int MaxRejectedRowsInline = 1_000;

    public required Guid UploadId { get; init; }

    public required AccountId AccountId { get; init; }

    public string? FileName { get; init; }

    public string? SubmittedBy { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    public bool DryRun { get; init; }

    public required BulkUploadStatus Status { get; init; }

    /// <summary>
    /// When processing first started (the duration of a resumed upload counts from here); while the upload is
    /// <see cref="BulkUploadStatus.Queued"/>, when it was accepted.
    /// </summary>
    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? IngestedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Data rows known to be in the file (set by the validation pass).</summary>
    public long TotalRows { get; init; }

    /// <summary>
    /// Distinct numbers of the file applied so far, in phone order (the ingest checkpoint): a resumed run re-reads
    /// the file and continues after this many.
    /// </summary>
    public long NumbersApplied { get; init; }

    /// <summary>Counts at the last checkpoint (the applied numbers' outcomes plus what reading the file found).</summary>
    public BulkUploadCounts Counts { get; init; } = new();

    /// <summary>The first <see cref="MaxRejectedRowsInline"/> rejected rows.</summary>
    public IReadOnlyList<BulkUploadRejectedRow> RejectedRows { get; init; } = [];

    /// <summary>
    /// Where the admin API stored the uploaded file (the message data address its <see cref="BulkUploadSubmitted"/>
    /// carries): the store alone says which file an accepted upload is, whatever became of its message. Null for an
    /// upload that came over the bus with no state stored first.
    /// </summary>
    public string? FileAddress { get; init; }

    /// <summary>Address of the whole per-row report, once ingested.</summary>
    public string? ReportAddress { get; init; }

    /// <summary>The change log's cursor after the last page of state-change events dispatched (<see cref="IBulkChangeLog.ListChangesAsync"/>).</summary>
    public string? EventsDispatchedAfter { get; init; }

    /// <summary>Events dispatched so far.</summary>
    public long EventsDispatched { get; init; }

    public string? FailureReason { get; init; }

    public DateTimeOffset? UndoneAt { get; init; }

    public string? UndoneBy { get; init; }

    public long UndoOptedIn { get; init; }

    public long UndoKept { get; init; }

    /// <summary>Why this upload can't be undone, or null when it can (an undone one can: again, changing nothing).</summary>
    public string? UndoRefusal => this switch
    {
        { DryRun: true } => "it was a dry run and changed nothing",
        { Status: BulkUploadStatus.Failed } => "it failed and changed nothing",
        { Status: BulkUploadStatus.Queued } => "it has not started yet: undo it once it has completed",
        { Status: BulkUploadStatus.Running } => "it is still running: undo it once it has completed",
        _ => null,
    };

    /// <summary>Optimistic-concurrency version, +1 per save.</summary>
    public long Version { get; init; }
}

/// <summary>Persistence of upload state (per account, like everything else).</summary>
public interface IBulkUploadStore
{
    Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts (Version 1, expected 0) or replaces the upload's state if the stored version is still
    /// <paramref name="expectedVersion"/>. False when another writer got there first.
    /// </summary>
    Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>An account's uploads, newest first (by SubmittedAt, then UploadId), before the given cursor.</summary>
    Task<IReadOnlyList<BulkUploadState>> ListAsync(AccountId accountId, DateTimeOffset? submittedBefore, int limit, CancellationToken cancellationToken = default);
}

/// <summary>
/// Durable blobs for reports (MassTransit message data in the host: GridFS in production, disk
/// when embedded). Core sees only this, so it stays free of the bus.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores the stream's content; returns its address.</summary>
    Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens a stored blob for reading.</summary>
    Task<Stream> OpenAsync(string address, CancellationToken cancellationToken = default);
}
