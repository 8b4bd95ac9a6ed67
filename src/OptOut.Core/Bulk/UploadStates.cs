using OptOut.Contracts;
namespace OptOut.Core.Bulk;

/// <summary>
/// An upload's durable state, read and saved by every stage: each save is a compare-and-swap on the state's version,
/// so two deliveries of one upload running at once never both go on from the same state.
/// </summary>
internal sealed class UploadStates(IBulkUploadStore uploads, TimeProvider clock)
{
    public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken) =>
        uploads.GetAsync(accountId, uploadId, cancellationToken);

    /// <summary>
    /// The stored state of the job's upload, or a new one (Running) when it has none yet. A queued upload (stored by
    /// the admin API before it published the job) starts here as from no state: it is saved Running over the queued
    /// version, so of two deliveries of it only one starts it.
    /// </summary>
    public async Task<BulkUploadState> StartAsync(BulkUploadJob job, CancellationToken cancellationToken)
    {
        var existing = await uploads.GetAsync(job.AccountId, job.UploadId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Status != BulkUploadStatus.Queued)
            return existing;

        var state = existing is null
            ? new BulkUploadState
            {
                UploadId = job.UploadId,
                AccountId = job.AccountId,
                FileName = job.FileName,
                SubmittedBy = job.SubmittedBy,
                SubmittedAt = job.SubmittedAt,
                DryRun = job.DryRun,
                Status = BulkUploadStatus.Running,
                StartedAt = clock.GetUtcNow(),
                Version = 1,
            }
            : existing with { Status = BulkUploadStatus.Running, StartedAt = clock.GetUtcNow(), Version = existing.Version + 1 };
        if (await uploads.TrySaveAsync(state, existing?.Version ?? 0, cancellationToken).ConfigureAwait(false))
            return state;

        // A duplicate of the message got there first (or the admin API failed the upload it could not announce):
        // carry on from what it stored.
        var stored = await uploads.GetAsync(job.AccountId, job.UploadId, cancellationToken).ConfigureAwait(false)
                     ?? throw new InvalidOperationException($"Upload {job.UploadId} vanished while being created.");
        return stored.Status == BulkUploadStatus.Queued ? throw new UploadConflictException(job.UploadId) : stored;
    }

    /// <summary>Saves <paramref name="next"/> over the version it was made from and returns it with its new version.</summary>
    /// <exception cref="UploadConflictException">Another process saved the upload in between.</exception>
    public async Task<BulkUploadState> SaveAsync(BulkUploadState next, CancellationToken cancellationToken)
    {
        var saved = next with { Version = next.Version + 1 };
        if (!await uploads.TrySaveAsync(saved, next.Version, cancellationToken).ConfigureAwait(false))
            throw new UploadConflictException(next.UploadId);
        return saved;
    }
}

/// <summary>
/// Another process saved the upload's state in between (a duplicate delivery running in parallel). Transient: the
/// message is retried and then resumes from what that process stored.
/// </summary>
public sealed class UploadConflictException(Guid uploadId)
    : Exception($"Upload {uploadId} was updated by another process; retrying from its stored state.");
