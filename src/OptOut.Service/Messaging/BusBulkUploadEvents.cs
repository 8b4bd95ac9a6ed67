using MassTransit;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Service.Messaging;

/// <summary>Publishes what the bulk processor reports, from the consuming message's context.</summary>
public sealed class BusBulkUploadEvents(ConsumeContext context, EventPublisher publisher, TimeProvider clock, TimeSpan? publishDeadline = null)
    : IBulkUploadEvents
{
    /// <summary>
    /// How long one publish (an event, or a page of state changes awaiting their confirms) may take before the attempt
    /// gives up on it and fails, to be retried and resumed from the upload's checkpoint (<see cref="Deadline"/>). Far
    /// beyond a healthy page (well under a second) and long enough to ride out a short broker memory alarm.
    /// </summary>
    public static readonly TimeSpan DefaultPublishDeadline = TimeSpan.FromMinutes(2);

    private readonly TimeSpan _publishDeadline = publishDeadline ?? DefaultPublishDeadline;

    /// <summary>Creates the events of one consumed message (registered in DI, so consumers stay one-liners).</summary>
    public delegate BusBulkUploadEvents Factory(ConsumeContext context);

    public Task ProgressAsync(BulkUploadState state, long rowsRead, BulkUploadCounts counts, CancellationToken cancellationToken) =>
        Within(context.Publish(new BulkUploadProgressed
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            RowsRead = rowsRead,
            Counts = counts,
            At = clock.GetUtcNow(),
        }, cancellationToken), "Publishing BulkUploadProgressed", cancellationToken);

    public Task StateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken) =>
        Within(publisher.PublishAsync(context, changes, cancellationToken), $"Publishing {changes.Count} ConversationOptStateChanged", cancellationToken);

    public Task CompletedAsync(BulkUploadState state, CancellationToken cancellationToken) =>
        Within(context.Publish(new BulkUploadCompleted
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
        }, p => p.MessageId = MessageIds.Derive($"bulk:{state.UploadId:N}", "", "completed"), cancellationToken), "Publishing BulkUploadCompleted",
            cancellationToken);

    public Task FailedAsync(BulkUploadState state, CancellationToken cancellationToken) =>
        Within(context.Publish(new BulkUploadFailed
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            Reason = state.FailureReason ?? "the upload failed",
        }, p => p.MessageId = MessageIds.Derive($"bulk:{state.UploadId:N}", "", "failed"), cancellationToken), "Publishing BulkUploadFailed",
            cancellationToken);

    public Task UndoneAsync(BulkUploadState state, long optedIn, long kept, CancellationToken cancellationToken) =>
        Within(context.Publish(new BulkUploadUndone
        {
            UploadId = state.UploadId,
            AccountId = state.AccountId,
            OptedIn = optedIn,
            Kept = kept,
        }, cancellationToken), "Publishing BulkUploadUndone", cancellationToken);

    private Task Within(Task publish, string what, CancellationToken cancellationToken) =>
        Deadline.Within(publish, _publishDeadline, what, cancellationToken);
}
