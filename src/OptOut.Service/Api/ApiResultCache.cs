using MassTransit;
using Microsoft.Extensions.Caching.Memory;
using OptOut.Contracts;

namespace OptOut.Service.Api;

/// <summary>
/// What the API shows while work runs elsewhere: request results that came after the HTTP call gave up waiting
/// (202 + status URL) and the latest progress of each upload. Every instance keeps its own copy, fed by a
/// temporary queue of its own, so a status URL works whichever instance answers it.
/// </summary>
public sealed class ApiResultCache(IMemoryCache cache)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    public void Put(OptOutRequestCompleted completed) => cache.Set(("request", completed.RequestId), completed, Keep);

    public void Pending(Guid requestId) => cache.Set(("pending", requestId), true, Keep);

    public bool IsPending(Guid requestId) => cache.TryGetValue(("pending", requestId), out _);

    public OptOutRequestCompleted? Result(Guid requestId) => cache.Get<OptOutRequestCompleted>(("request", requestId));

    /// <summary>An upload this instance accepted: its status URL answers Queued until the consumer has created its state.</summary>
    public void UploadSubmitted(Guid accountId, Guid uploadId) => cache.Set(("upload", uploadId), accountId, Keep);

    public bool IsUploadSubmitted(Guid accountId, Guid uploadId) => cache.TryGetValue(("upload", uploadId), out Guid account) && account == accountId;

    public void Put(BulkUploadProgressed progress)
    {
        // Progress can arrive out of order across instances: keep the furthest.
        if (Progress(progress.UploadId) is { } known && known.RowsRead > progress.RowsRead)
            return;
        cache.Set(("progress", progress.UploadId), progress, Keep);
    }

    public BulkUploadProgressed? Progress(Guid uploadId) => cache.Get<BulkUploadProgressed>(("progress", uploadId));
}

/// <summary>Feeds <see cref="ApiResultCache"/> (registered on the per-instance temporary endpoint).</summary>
public sealed class ApiResultCacheConsumer(ApiResultCache cache) : IConsumer<OptOutRequestCompleted>, IConsumer<BulkUploadProgressed>
{
    public Task Consume(ConsumeContext<OptOutRequestCompleted> context)
    {
        cache.Put(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<BulkUploadProgressed> context)
    {
        cache.Put(context.Message);
        return Task.CompletedTask;
    }
}
