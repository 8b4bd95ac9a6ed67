using MassTransit;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Service.Messaging;

/// <summary>Publishes what the bulk processor reports, from the consuming message's context.</summary>
public sealed class BusBulkUploadEvents(ConsumeContext context, EventPublisher publisher, TimeProvider clock) : IBulkUploadEvents
{
    /// <summary>Creates the events of one consumed message (registered in DI, so consumers stay one-liners).</summary>
    public delegate BusBulkUploadEvents Factory(ConsumeContext context);

    public Task ProgressAsync(BulkUploadState state, long rowsRead, BulkUploadCounts counts, CancellationToken cancellationToken) =>
        context.Publish(new BulkUploadProgressed
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            RowsRead = rowsRead,
            Counts = counts,
            At = clock.GetUtcNow(),
        }, cancellationToken);

    public Task StateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken) =>
        publisher.PublishAsync(context, changes, cancellationToken);

    public Task CompletedAsync(BulkUploadState state, CancellationToken cancellationToken) =>
        context.Publish(new BulkUploadCompleted
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            DryRun = state.DryRun,
            TotalRows = state.TotalRows,
            OptedOut = state.Counts.OptedOut,
            AlreadyOptedOut = state.Counts.AlreadyOptedOut,
            DuplicateRows = state.Counts.DuplicateRows,
            InvalidRows = state.Counts.InvalidRows,
            FlaggedRows = state.Counts.FlaggedRows,
            SupersededRows = state.Counts.SupersededRows,
            RejectedRows = state.RejectedRows,
            Report = state.ReportAddress is null ? null : MessageDataBlobStore.Reference(state.ReportAddress),
            Duration = (state.IngestedAt ?? clock.GetUtcNow()) - state.StartedAt,
        }, p => p.MessageId = MessageIds.Derive($"bulk:{state.UploadId:N}", "", "completed"), cancellationToken);

    public Task FailedAsync(BulkUploadState state, CancellationToken cancellationToken) =>
        context.Publish(new BulkUploadFailed
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            Reason = state.FailureReason ?? "the upload failed",
        }, p => p.MessageId = MessageIds.Derive($"bulk:{state.UploadId:N}", "", "failed"), cancellationToken);

    public Task UndoneAsync(BulkUploadState state, long optedIn, long kept, CancellationToken cancellationToken) =>
        context.Publish(new BulkUploadUndone
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            OptedIn = optedIn,
            Kept = kept,
        }, cancellationToken);
}
