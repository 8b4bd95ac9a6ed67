using MassTransit;
using Microsoft.Extensions.Caching.Memory;
using OptOut.Contracts;

namespace OptOut.Service.Api;

/// <summary>
/// The progress of a running upload between its checkpoints (the store holds it only as of the last one): it comes
/// to every instance through its temporary queue (<see cref="UploadActivityConsumer"/>), so whichever instance a
/// status poll reaches shows the rows read so far. Everything else about an upload, queued ones included, is in the store.
/// </summary>
public sealed class UploadActivity(IMemoryCache cache)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

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
