using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>An upload to process, mapped from <see cref="BulkUploadSubmitted"/> at the boundary.</summary>
public sealed record BulkUploadJob
{
    public required Guid UploadId { get; init; }

    public required AccountId AccountId { get; init; }

    public string? FileName { get; init; }

    public required string SubmittedBy { get; init; }

    /// <summary>Event time of every opt-out the upload makes.</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    public bool DryRun { get; init; }

    /// <summary>The causation id of every transition the upload makes: what dispatch and undo look for.</summary>
    public string CausationId => CausationFor(UploadId);

    public static string CausationFor(Guid uploadId) => $"bulk:{uploadId:N}";

    public static string UndoCausationFor(Guid uploadId) => $"bulk-undo:{uploadId:N}";
}

/// <summary>A state change to announce (ConversationOptStateChanged), with the causation its message id derives from.</summary>
public sealed record StateChange(AccountId AccountId, string Phone, OptState State, OptOutSource Source, string? Note, DateTimeOffset At,
    string CausationId, string? ConversationId = null, string? CampaignId = null, OptOutDetection? Detection = null)
{
    public static StateChange From(OptChange change) => new(change.AccountId, change.Phone.E164, change.State, change.Source, change.Note,
        change.At, change.CausationId, change.ConversationId, change.CampaignId, change.Detection);

    /// <summary>The change a stored transition (<paramref name="entry"/> of <paramref name="record"/>'s history) announced: the same as <see cref="From(OptChange)"/> made.</summary>
    public static StateChange From(OptOutRecord record, OptOutHistoryEntry entry) => new(record.AccountId, record.Phone, entry.State, entry.Source,
        entry.Note, entry.At, entry.CausationId, entry.ConversationId, entry.CampaignId, entry.Detection);
}

/// <summary>What the processor tells the platform; the host publishes these on the bus.</summary>
public interface IBulkUploadEvents
{
    Task ProgressAsync(BulkUploadState state, long rowsRead, BulkUploadCounts counts, CancellationToken cancellationToken);

    /// <summary>Publishes the changes and returns once the broker has them (a checkpoint follows).</summary>
    Task StateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken);

    Task CompletedAsync(BulkUploadState state, CancellationToken cancellationToken);

    Task FailedAsync(BulkUploadState state, CancellationToken cancellationToken);

    Task UndoneAsync(BulkUploadState state, long optedIn, long kept, CancellationToken cancellationToken);
}

/// <summary>Tuning of bulk processing (configuration section <c>BulkUpload</c>).</summary>
public sealed record BulkUploadOptions
{
    public BulkFileLimits Limits { get; init; } = new();

    /// <summary>Numbers read and written per store round trip.</summary>
    public int BatchSize { get; init; } = 1_000;

    /// <summary>
    /// Threads that parse an upload's numbers (and format its report) while another reads the file: one per core, up
    /// to <see cref="DefaultMaxParseThreads"/>. In the service each thread parses with a libphonenumber of its own
    /// (<see cref="IParsingThreads"/>: sharing one, two threads are slower than one); measured on a 2-core machine,
    /// 1,000,000 cells took 1.9–2.0 s on one thread and 1.1–1.3 s on two. Lower it to leave cores to the rest of a
    /// busy host.
    /// </summary>
    public int ParseThreads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, DefaultMaxParseThreads);

    /// <summary>
    /// Past this many threads by default, the thread that reads the file and the one that takes the results in file
    /// order, not the parsing, limit the read.
    /// </summary>
    public const int DefaultMaxParseThreads = 4;

    /// <summary>
    /// An upload lists its account's numbers while it reads the file (8 bytes each), so that applying it reads only
    /// the records that exist. An account with more records than this is not listed: every batch's records are read
    /// instead (a lookup per number, about 1 µs with SQLite).
    /// </summary>
    public int MaxListedNumbers { get; init; } = 2_000_000;

    /// <summary>Rows between checkpoints: at most this many rows are processed again after a crash.</summary>
    public int CheckpointRows { get; init; } = 50_000;

    /// <summary>Progress is published at most this often.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long reports are kept in the message data store.</summary>
    public TimeSpan ReportTimeToLive { get; init; } = TimeSpan.FromDays(30);
}
