namespace OptOut.Core.Bulk;

/// <summary>
/// The state of an upload the admin API accepts, from before its <see cref="OptOut.Contracts.BulkUploadSubmitted"/> is
/// published until its consumer starts it: stored, so whichever instance a status poll reaches answers it, however long
/// the upload waits for its turn.
/// </summary>
public sealed class UploadQueue(IBulkUploadStore uploads, TimeProvider clock)
{
    /// <summary>Stores the job as <see cref="BulkUploadStatus.Queued"/> (version 1), with the address its file was stored at.</summary>
    /// <exception cref="InvalidOperationException">The upload id is taken.</exception>
    public async Task<BulkUploadState> QueueAsync(BulkUploadJob job, string? fileAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var queued = new BulkUploadState
        {
            UploadId = job.UploadId,
            AccountId = job.AccountId,
            FileName = job.FileName,
            SubmittedBy = job.SubmittedBy,
            SubmittedAt = job.SubmittedAt,
            DryRun = job.DryRun,
            FileAddress = fileAddress,
            Status = BulkUploadStatus.Queued,
            StartedAt = clock.GetUtcNow(),
            Version = 1,
        };
        return await uploads.TrySaveAsync(queued, 0, cancellationToken).ConfigureAwait(false)
            ? queued
            : throw new InvalidOperationException($"Upload {job.UploadId} exists already.");
    }

    /// <summary>
    /// Fails a queued upload whose job could not be published, so it doesn't show as waiting for a consumer that never
    /// gets it. Returns the stored state: Failed with <paramref name="reason"/>, or, when the job reached the broker after
    /// all and its consumer started it first, the state the consumer stored (the upload goes on).
    /// </summary>
    public async Task<BulkUploadState> FailUnpublishedAsync(BulkUploadState queued, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queued);
        var failed = queued with
        {
            Status = BulkUploadStatus.Failed, FailureReason = reason, CompletedAt = clock.GetUtcNow(), Version = queued.Version + 1,
        };
        if (await uploads.TrySaveAsync(failed, queued.Version, cancellationToken).ConfigureAwait(false))
            return failed;
        return await uploads.GetAsync(queued.AccountId, queued.UploadId, cancellationToken).ConfigureAwait(false)
               ?? throw new InvalidOperationException($"Upload {queued.UploadId} vanished while being failed.");
    }
}
