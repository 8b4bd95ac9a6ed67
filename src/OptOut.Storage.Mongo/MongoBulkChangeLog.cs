using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The bulk change log (<see cref="IBulkChangeLog"/>) in collection <c>bulkChanges</c>: one document per part of
/// <see cref="ChangeLogPages"/> (<c>{ accountId, causationId, position, phones: [...] }</c>, at most 1,000 numbers, far
/// below the 16 MB document limit), unique on (accountId, causationId, position). Recording a stretch deletes the parts
/// from its position on and inserts its own; both steps are idempotent, so a retry or a resumed upload that records the
/// stretch again leaves the same list.
/// </summary>
public sealed class MongoBulkChangeLog : IBulkChangeLog, IStoreInitializer
{
    public const string CollectionName = "bulkChanges";

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<BsonDocument> _collection;
    private readonly ResiliencePipeline _pipeline;

    public MongoBulkChangeLog(IMongoDatabase database, ILogger<MongoBulkChangeLog>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        MongoMappings.Register();
        _database = database;
        _collection = database.GetCollection<BsonDocument>(CollectionName);
        _pipeline = StoreResilience.Create("MongoDB", MongoErrors.IsTransient, logger, resilience);
    }

    /// <summary>
    /// Creates the unique index the parts are found and paged by, then converts the uploads of the earlier layout, which
    /// recorded nothing (<see cref="MongoChangeLogConversion"/>).
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var index = new CreateIndexModel<BsonDocument>(
            Builders<BsonDocument>.IndexKeys.Ascending("accountId").Ascending("causationId").Ascending("position"),
            new CreateIndexOptions { Name = "accountId_causationId_position_unique", Unique = true });
        await _pipeline.ExecuteAsync(
            static async (s, ct) => await s.Indexes.CreateOneAsync(s.index, cancellationToken: ct).ConfigureAwait(false),
            (_collection.Indexes, index),
            cancellationToken).ConfigureAwait(false);
        await _pipeline.ExecuteAsync(
            static async (s, ct) => await new MongoChangeLogConversion(s._database, s._collection).RunAsync(ct).ConfigureAwait(false),
            this,
            cancellationToken).ConfigureAwait(false);
    }

    public Task RecordChangesAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default)
    {
        ChangeLogPages.CheckRecord(causationId, position, phones);
        var parts = ChangeLogPages.Split(position, phones).Select(p => PartDocument(accountId, causationId, p)).ToList();
        var stale = Of(accountId, causationId) & Filter.Gte("position", position);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                await s.collection.DeleteManyAsync(s.stale, ct).ConfigureAwait(false);
                if (s.parts.Count > 0)
                    await s.collection.InsertManyAsync(s.parts, new InsertManyOptions { IsOrdered = true }, ct).ConfigureAwait(false);
            },
            (collection: _collection, stale, parts),
            cancellationToken).AsTask();
    }

    public Task<ChangedNumbers> ListChangesAsync(AccountId accountId, string causationId, string? after, int limit,
        CancellationToken cancellationToken = default)
    {
        var start = ChangeLogPages.StartOf(causationId, after, limit);
        var filter = Of(accountId, causationId) & Filter.Gte("position", start.From);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var documents = await s.collection.Find(s.filter).Sort(Builders<BsonDocument>.Sort.Ascending("position")).Limit(s.start.Parts)
                    .ToListAsync(ct).ConfigureAwait(false);
                return ChangeLogPages.Page(s.start, documents.Select(PartOf));
            },
            (collection: _collection, filter, start),
            cancellationToken).AsTask();
    }

    /// <summary>The parts of one upload's list.</summary>
    internal static FilterDefinition<BsonDocument> Of(AccountId accountId, string causationId) =>
        Filter.Eq("accountId", MongoAccountIds.ToBson(accountId)) & Filter.Eq("causationId", causationId);

    internal static BsonDocument PartDocument(AccountId accountId, string causationId, ChangeLogPart part) => new()
    {
        ["accountId"] = MongoAccountIds.ToBson(accountId),
        ["causationId"] = causationId,
        ["position"] = part.Position,
        ["phones"] = new BsonArray(part.Phones),
    };

    private static ChangeLogPart PartOf(BsonDocument document) =>
        new(document["position"].AsInt64, document["phones"].AsBsonArray.Select(p => p.AsString).ToArray());
}
