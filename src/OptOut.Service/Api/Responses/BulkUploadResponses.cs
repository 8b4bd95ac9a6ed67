using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Service.Api.Responses;

/// <summary><c>202</c> to an upload or an undo: where to follow it.</summary>
public sealed record BulkUploadAcceptedResponse(Guid UploadId, string StatusUrl)
{
    public static BulkUploadAcceptedResponse For(AccountId accountId, Guid uploadId) => new(uploadId, BulkUploadResponse.StatusUrl(accountId, uploadId));
}

/// <summary>An upload as <c>GET bulk-uploads</c> and <c>GET bulk-uploads/{uploadId}</c> show it.</summary>
public sealed record BulkUploadResponse
{
    public required Guid UploadId { get; init; }

    public string? FileName { get; init; }

    public string? SubmittedBy { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    public bool DryRun { get; init; }

    /// <summary><c>Queued</c> (accepted, not started yet), <c>Running</c>, <c>Ingested</c>, <c>Completed</c>, <c>Failed</c> or <c>Undone</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Rows read so far: live while the upload runs, between its checkpoints too.</summary>
    public long RowsRead { get; init; }

    /// <summary>Data rows in the file, once the file has been checked.</summary>
    public long TotalRows { get; init; }

    public required BulkUploadCounts Counts { get; init; }

    /// <summary>The first rejected rows (the report has them all).</summary>
    public IReadOnlyList<BulkUploadRejectedRow> RejectedRows { get; init; } = [];

    /// <summary>Why the file could not be used, for a failed upload.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The per-row CSV report, once the upload has been read.</summary>
    public string? ReportUrl { get; init; }

    /// <summary>State-change events published so far (they go out after the upload has been read).</summary>
    public long EventsDispatched { get; init; }

    /// <summary>What undoing the upload did, once it is undone.</summary>
    public BulkUploadUndoResponse? Undo { get; init; }

    public static string StatusUrl(AccountId accountId, Guid uploadId) => $"/api/accounts/{accountId}/bulk-uploads/{uploadId}";

    /// <summary>The stored state, with the live progress between checkpoints when the upload is running.</summary>
    public static BulkUploadResponse From(BulkUploadState u, BulkUploadProgressed? progress)
    {
        var live = u.Status == BulkUploadStatus.Running && progress is not null && progress.RowsRead > u.NumbersApplied;
        return new()
        {
            UploadId = u.UploadId,
            FileName = u.FileName,
            SubmittedBy = u.SubmittedBy,
            SubmittedAt = u.SubmittedAt,
            DryRun = u.DryRun,
            Status = u.Status.ToString(),
            RowsRead = Math.Max(u.NumbersApplied, progress?.RowsRead ?? 0),
            TotalRows = u.TotalRows,
            Counts = live ? progress!.Counts : u.Counts,
            RejectedRows = u.RejectedRows,
            FailureReason = u.FailureReason,
            ReportUrl = u.ReportAddress is null ? null : StatusUrl(u.AccountId, u.UploadId) + "/report.csv",
            EventsDispatched = u.EventsDispatched,
            Undo = u.Status == BulkUploadStatus.Undone ? new(u.UndoOptedIn, u.UndoKept, u.UndoneBy, u.UndoneAt) : null,
        };
    }
}

/// <summary>What undoing an upload did: numbers opted back in, numbers kept opted out (opted out again since), by whom and when.</summary>
public sealed record BulkUploadUndoResponse(long OptedIn, long Kept, string? By, DateTimeOffset? At);
