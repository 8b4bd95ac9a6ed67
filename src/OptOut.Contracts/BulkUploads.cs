using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using MassTransit;

namespace OptOut.Contracts;

/// <summary>
/// An administrator uploaded a CSV of numbers to opt out.
/// <para>Sent by: the admin panel / admin API. Consumed by: the opt-out service on its own endpoint
/// (<c>bulk-upload-submitted</c>, bounded concurrency, so uploads never delay keyword opt-outs). The service answers with
/// <see cref="BulkUploadProgressed"/> (about once a second), then <see cref="BulkUploadCompleted"/> or
/// <see cref="BulkUploadFailed"/>.</para>
/// <para>The file travels as a claim check: MassTransit message data, stored in MongoDB GridFS in production and on
/// disk in the embedded setup; small files may travel inline.</para>
/// </summary>
public sealed record BulkUploadSubmitted
{
    /// <summary>The caller's id for this upload (idempotency key: a resubmission with the same id resumes/echoes it). Required.</summary>
    [Required]
    public Guid UploadId { get; init; }

    /// <summary>The account whose list is changed. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The file's name as uploaded (shown in notes and reports).</summary>
    public string? FileName { get; init; }

    /// <summary>The CSV: a header row with a <c>phone</c> column (any position, case-insensitive); other columns are ignored. Required.</summary>
    [Required]
    public MessageData<Stream>? File { get; init; }

    /// <summary>Who uploaded it. Required.</summary>
    [Required]
    public string? SubmittedBy { get; init; }

    /// <summary>When it was uploaded: the event time of every opt-out it makes. When absent, the bus send time is used.</summary>
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Validate only: the same report, nothing written, no state changes published.</summary>
    public bool DryRun { get; init; }
}

/// <summary>
/// Progress of a running upload, at most about once a second. Sent by: the opt-out service. Consumed by: the admin
/// panel (progress bar).
/// </summary>
public sealed record BulkUploadProgressed
{
    /// <summary>The upload.</summary>
    public Guid UploadId { get; init; }

    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Data rows read so far (the header and blank lines are not rows).</summary>
    public long RowsRead { get; init; }

    /// <summary>Counts so far, as in <see cref="BulkUploadCompleted"/>.</summary>
    public BulkUploadCounts Counts { get; init; } = new();

    /// <summary>When this progress was measured.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>What happened to an upload's rows. Every data row is counted exactly once.</summary>
public sealed record BulkUploadCounts
{
    /// <summary>Numbers this upload newly opted out.</summary>
    public long OptedOut { get; init; }

    /// <summary>Numbers that were already opted out (or a newer opt-in supersedes the upload); nothing changed.</summary>
    public long AlreadyOptedOut { get; init; }

    /// <summary>Rows whose number appeared earlier in the file.</summary>
    public long DuplicateRows { get; init; }

    /// <summary>Rows rejected with a reason (not a usable number).</summary>
    public long InvalidRows { get; init; }

    /// <summary>Rows whose number is possible but not valid: opted out anyway (compliance first), flagged. Also counted in OptedOut or AlreadyOptedOut.</summary>
    public long FlaggedRows { get; init; }

    /// <summary>Numbers a newer opt-in (by event time) keeps opted in: the upload is older and changes nothing.</summary>
    public long SupersededRows { get; init; }
}

/// <summary>One rejected row.</summary>
public sealed record BulkUploadRejectedRow
{
    /// <summary>1-based data row number (the header is row 0; blank lines are not counted).</summary>
    public long Row { get; init; }

    /// <summary>The <c>phone</c> cell as it was in the file (truncated to 100 characters).</summary>
    public string Value { get; init; } = "";

    /// <summary>Why it was rejected.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>
/// An upload finished. Sent by: the opt-out service. Consumed by: the admin panel.
/// </summary>
public sealed record BulkUploadCompleted
{
    /// <summary>The upload.</summary>
    public Guid UploadId { get; init; }

    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>True when nothing was written (validation only).</summary>
    public bool DryRun { get; init; }

    /// <summary>Data rows in the file.</summary>
    public long TotalRows { get; init; }

    /// <summary>Numbers newly opted out.</summary>
    public long OptedOut { get; init; }

    /// <summary>Numbers already opted out.</summary>
    public long AlreadyOptedOut { get; init; }

    /// <summary>Repeats of a number seen earlier in the file.</summary>
    public long DuplicateRows { get; init; }

    /// <summary>Rows rejected.</summary>
    public long InvalidRows { get; init; }

    /// <summary>Possible-but-not-valid numbers, opted out anyway (also counted in OptedOut or AlreadyOptedOut).</summary>
    public long FlaggedRows { get; init; }

    /// <summary>Numbers a newer opt-in keeps opted in (the upload is older). Every data row is counted once in OptedOut, AlreadyOptedOut, DuplicateRows, InvalidRows or SupersededRows.</summary>
    public long SupersededRows { get; init; }

    /// <summary>The first 1,000 rejected rows; the full list is in <see cref="Report"/>.</summary>
    public IReadOnlyList<BulkUploadRejectedRow> RejectedRows { get; init; } = [];

    /// <summary>The full per-row report as CSV: <c>row,value,phone,outcome,reason</c>.</summary>
    public MessageData<Stream>? Report { get; init; }

    /// <summary>Processing time (for a resumed upload, from the first start).</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>
/// The file as a whole is unusable (no <c>phone</c> column, empty, not text, a row over 64 KB, too many rows):
/// nothing was written. Sent by: the opt-out service. Consumed by: the admin panel.
/// </summary>
public sealed record BulkUploadFailed
{
    /// <summary>The upload.</summary>
    public Guid UploadId { get; init; }

    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Why, in words a person understands.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>
/// Undo an upload: opt back in exactly the numbers it newly opted out that nothing has opted out again since.
/// Sent by: the admin panel. Consumed by: the opt-out service, which answers with <see cref="BulkUploadUndone"/>.
/// Undoing twice changes nothing the second time.
/// </summary>
public sealed record BulkUploadUndoRequested
{
    /// <summary>The upload to undo. Required.</summary>
    [Required]
    public Guid UploadId { get; init; }

    /// <summary>The account. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Who asked. Required.</summary>
    [Required]
    public string? RequestedBy { get; init; }

    /// <summary>When they asked (event time of the opt-ins). When absent, the bus send time is used.</summary>
    public DateTimeOffset RequestedAt { get; init; }
}

/// <summary>The result of an undo. Sent by: the opt-out service. Consumed by: the admin panel.</summary>
public sealed record BulkUploadUndone
{
    /// <summary>The upload.</summary>
    public Guid UploadId { get; init; }

    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Numbers opted back in by this undo.</summary>
    public long OptedIn { get; init; }

    /// <summary>Numbers the upload opted out that were left opted out because another source opted them out since (or they were already opted in).</summary>
    public long Kept { get; init; }
}
