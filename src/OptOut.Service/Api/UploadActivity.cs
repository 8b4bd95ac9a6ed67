using MassTransit;
using Microsoft.Extensions.Caching.Memory;
using OptOut.Contracts;

namespace OptOut.Service.Api;

/// <summary>An upload accepted but not started yet, as its <see cref="BulkUploadSubmitted"/> describes it.</summary>
public sealed record QueuedUpload(Guid UploadId, AccountId AccountId, string? FileName, string? SubmittedBy, DateTimeOffset SubmittedAt, bool DryRun)
{
    public static QueuedUpload From(BulkUploadSubmitted message) =>
        new(message.UploadId, message.AccountId, message.FileName, message.SubmittedBy, message.SubmittedAt, message.DryRun);
}

/// <summary>
/// What the API shows of an upload that the store doesn't hold yet or holds only as of its last checkpoint. Its
/// latest progress comes to every instance through its temporary queue (<see cref="UploadActivityConsumer"/>). That
/// it is queued (the consumer stores its state when it starts, and uploads run two at a time per instance) only the
/// instance that took it knows: until the upload starts, another instance answers its status URL 404, as for an
/// unknown upload, because the store has no state for an upload that is waiting.
/// </summary>
public sealed class UploadActivity(IMemoryCache cache)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    public void Queued(QueuedUpload upload) => cache.Set(("queued", upload.UploadId), upload, Keep);

    public QueuedUpload? FindQueued(AccountId accountId, Guid uploadId) =>
        cache.Get<QueuedUpload>(("queued", uploadId)) is { } upload && upload.AccountId == accountId ? upload : null;

    public void Put(BulkUploadProgressed progress)
    {
        // Progress can arrive out of order across instances: keep the furthest.
        if (Progress(progress.UploadId) is { } known && known.RowsRead > progress.RowsRead)
            return;
        cache.Set(("progress", progress.UploadId), progress, Keep);
    }

    public BulkUploadProgressed? Progress(Guid uploadId) => cache.Get<BulkUploadProgressed>(("progress", uploadId));
}

/// <summary>Feeds <see cref="UploadActivity"/> the uploads' progress (registered on the per-instance temporary endpoint).</summary>
public sealed class UploadActivityConsumer(UploadActivity activity) : IConsumer<BulkUploadProgressed>
{
    public Task Consume(ConsumeContext<BulkUploadProgressed> context)
    {
        activity.Put(context.Message);
        return Task.CompletedTask;
    }
}
