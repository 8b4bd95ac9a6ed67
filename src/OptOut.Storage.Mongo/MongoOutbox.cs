using MongoDB.Driver;
using OptOut.Core;
using OptOut.Core.Outbox;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The outbox of <see cref="MongoOptOutStore"/> (<see cref="IOutbox"/>): the <c>pending</c> subdocument of each record
/// (<see cref="PendingDocument"/>), which the transition's own write sets. A claim is one conditional
/// <c>updateOne</c> on the record, so of concurrent claimers on any number of instances at most one matches; marks are
/// one unordered bulk write of conditional <c>$unset</c>s. None of these touch <c>version</c>, so a compare-and-swap
/// writer never loses its race because of them, and none needs a transaction (MongoDB 7, several instances).
/// </summary>
/// <remarks>
/// Each call is safe to retry after a lost reply: a claim that landed is this delivery's own (rule a), so the retry
/// matches again; an unset that landed leaves nothing to match.
/// </remarks>
internal sealed class MongoOutbox(IMongoCollection<OptOutDocument> collection, ResiliencePipeline pipeline)
{
    /// <summary>
    /// The claim's expiry as the exact instant: the Ticks of the stored time (<c>{ DateTime, Ticks, Offset }</c> in UTC,
    /// as every time here), a plain Int64 to compare, sort and index rather than the embedded document's comparison
    /// order (as <see cref="MongoBulkUploadStore"/> pages on <c>submittedAt.Ticks</c>).
    /// </summary>
    public static readonly StringFieldDefinition<OptOutDocument, long> ClaimedUntilTicks = new("pending.claimedUntil.Ticks");

    // The marks of a batch are independent (each names its number and causation), so the server may apply them in any order.
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private static readonly UpdateDefinition<OptOutDocument> Unset = Builders<OptOutDocument>.Update.Unset(x => x.Pending);

    private static readonly ProjectionDefinition<OptOutDocument> DueFields = Builders<OptOutDocument>.Projection
        .Include(x => x.AccountId).Include(x => x.Phone).Include(x => x.Pending).Exclude(x => x.Id);

    private static FilterDefinitionBuilder<OptOutDocument> Filter => MongoCompareAndSwap.Filter;

    public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        // (a) this delivery's own claim (an in-process retry), (b) a claim that ran out, (c) a broker redelivery of the
        // message holding it, whose consumer died: only a redelivery may take over a live claim of its own message id.
        var takeable = Filter.Eq(x => x.Pending!.ClaimDelivery, claim.Delivery) | Filter.Lte(ClaimedUntilTicks, now.UtcTicks);
        if (claim.Redelivered)
            takeable |= Filter.Eq(x => x.Pending!.ClaimMessage, claim.MessageId);
        var filter = Of(key) & takeable;
        var update = Builders<OptOutDocument>.Update
            .Set(x => x.Pending!.ClaimMessage, claim.MessageId)
            .Set(x => x.Pending!.ClaimDelivery, claim.Delivery)
            .Set(x => x.Pending!.ClaimedUntil, (now + claim.Lease).ToUniversalTime());
        return pipeline.ExecuteAsync(
            static async (s, ct) => (await s.collection.UpdateOneAsync(s.filter, s.update, cancellationToken: ct).ConfigureAwait(false)).MatchedCount == 1,
            (collection, filter, update),
            cancellationToken).AsTask();
    }

    public Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
            return Task.CompletedTask;

        var models = new WriteModel<OptOutDocument>[keys.Count];
        for (var i = 0; i < models.Length; i++)
            models[i] = new UpdateOneModel<OptOutDocument>(Of(keys[i]), Unset);
        return pipeline.ExecuteAsync(
            static async (s, ct) => await s.collection.BulkWriteAsync(s.models, Unordered, ct).ConfigureAwait(false),
            (collection, models),
            cancellationToken).AsTask();
    }

    /// <summary>On the sparse index of <see cref="ClaimedUntilTicks"/> (<see cref="MongoOptOutIndexes"/>): records without pending events cost it nothing.</summary>
    public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var filter = Filter.Lte(ClaimedUntilTicks, now.UtcTicks);
        return pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var documents = await s.collection.Find(s.filter)
                    .Sort(Builders<OptOutDocument>.Sort.Ascending(ClaimedUntilTicks))
                    .Limit(s.limit)
                    .Project<OptOutDocument>(DueFields)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return (IReadOnlyList<PendingEntry>)documents.ConvertAll(d => new PendingEntry(d.AccountId, d.Phone, d.Pending!.ToEvents()));
            },
            (collection, filter, limit),
            cancellationToken).AsTask();
    }

    /// <summary>The record of the key's number while its pending events are still those of the key's causation.</summary>
    private static FilterDefinition<OptOutDocument> Of(PendingKey key) =>
        MongoCompareAndSwap.KeyFilter(key.AccountId, key.Phone) & Filter.Eq(x => x.Pending!.CausationId, key.CausationId);
}
