using MongoDB.Driver;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The numbers one message (a bulk upload) changed, for <see cref="MongoOptOutStore.RecordChangesAsync"/> and
/// <see cref="MongoOptOutStore.ListByCausationAsync"/>: found through the causation ids of the records' embedded history,
/// by a multikey index (<see cref="MongoOptOutIndexes"/>) that the record's own write keeps up, so nothing is recorded
/// apart.
/// </summary>
internal sealed class MongoChangeLog(IMongoCollection<OptOutDocument> collection, ResiliencePipeline pipeline)
{
    /// <summary>A dotted path into the embedded history array: MongoDB matches a document when any entry matches.</summary>
    public static readonly StringFieldDefinition<OptOutDocument, string> HistoryCausationId = new("history.causationId");

    private static FilterDefinitionBuilder<OptOutDocument> Filter => MongoCompareAndSwap.Filter;

    /// <summary>
    /// Nothing to record: MongoDB finds the numbers by the multikey index of their history's causation ids
    /// (<see cref="ListByCausationAsync"/>), which a document store keeps up cheaply within the record's own write.
    /// </summary>
    public Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentNullException.ThrowIfNull(phones);
        return Task.CompletedTask;
    }

    /// <summary>Every record whose history holds an entry of the causation, in phone order; the cursor is the last phone of a full page.</summary>
    public Task<CausationPage> ListByCausationAsync(
        Guid accountId, string causationId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        var filter = Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(HistoryCausationId, causationId);
        if (after is not null)
            filter &= Filter.Gt(x => x.Phone, after);

        return pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var page = await s.collection
                    .Find(s.filter)
                    .Sort(Builders<OptOutDocument>.Sort.Ascending(x => x.Phone))
                    .Limit(s.limit)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return new CausationPage(page.ConvertAll(d => d.ToRecord()), page.Count < s.limit ? null : page[^1].Phone);
            },
            (collection, filter, limit),
            cancellationToken).AsTask();
    }
}
