using MongoDB.Bson;
using MongoDB.Driver;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The one-time conversion of account ids stored by an earlier version as UUIDs (binary) into strings: a GUID account
/// becomes its lowercase <c>D</c> string, the id it is known by from now on (<see cref="AccountIdSerializer"/>). Run at
/// start before anything else (<see cref="MongoStoreInitializer"/>). In <c>optOuts</c>, <c>bulkUploads</c> and
/// <c>bulkChanges</c> the field is rewritten in place, client-side in batches; a document keeps its other fields, so
/// every unique index (account and phone; account, causation and position) stays satisfied. In <c>optOutSettings</c>
/// the account is the <c>_id</c>, which can't change: the document is inserted again under the string and the binary one
/// deleted. A marker in collection <c>storeLayout</c> says it is done; until then every start runs it again, each step
/// idempotent, so a start cut short carries on.
/// </summary>
/// <remarks>
/// The documents are found by reading every account id once (only <c>_id</c> and <c>accountId</c>), not by a
/// <c>$type</c> query: a one-time read of the collections, after which a start reads one marker document. An instance of
/// the earlier version queries by UUID and would find none of the converted documents: every instance of it must be
/// stopped before one of this version starts.
/// </remarks>
internal sealed class MongoAccountIdConversion(IMongoDatabase database)
{
    public const string Marker = "accountIds";

    private const int BatchSize = 1_000;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var layout = database.GetCollection<BsonDocument>(MongoChangeLogConversion.LayoutCollection);
        if (await layout.Find(Filter.Eq("_id", Marker)).AnyAsync(cancellationToken).ConfigureAwait(false))
            return;

        foreach (var name in (string[])[MongoOptOutStore.CollectionName, MongoBulkUploadStore.CollectionName, MongoBulkChangeLog.CollectionName])
            await ConvertFieldAsync(database.GetCollection<BsonDocument>(name), cancellationToken).ConfigureAwait(false);
        await ConvertSettingsAsync(database.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName), cancellationToken).ConfigureAwait(false);

        await layout.ReplaceOneAsync(Filter.Eq("_id", Marker), new BsonDocument { ["_id"] = Marker, ["convertedAt"] = DateTime.UtcNow },
            new ReplaceOptions { IsUpsert = true }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ConvertFieldAsync(IMongoCollection<BsonDocument> collection, CancellationToken cancellationToken)
    {
        var options = new FindOptions<BsonDocument>
        {
            Projection = Builders<BsonDocument>.Projection.Include("_id").Include("accountId"),
            BatchSize = BatchSize,
        };
        using var cursor = await collection.FindAsync(FilterDefinition<BsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<WriteModel<BsonDocument>>(BatchSize);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var document in cursor.Current)
            {
                if (document.GetValue("accountId", BsonNull.Value) is not BsonBinaryData uuid)
                    continue;
                // Filtered on the binary value too: a document converted meanwhile (a start running alongside) stays as it is.
                updates.Add(new UpdateOneModel<BsonDocument>(
                    Filter.Eq("_id", document["_id"]) & Filter.Eq("accountId", uuid),
                    Builders<BsonDocument>.Update.Set("accountId", MongoAccountIds.ToBson(MongoAccountIds.FromBson(uuid)))));
            }

            if (updates.Count >= BatchSize)
            {
                await collection.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, cancellationToken).ConfigureAwait(false);
                updates.Clear();
            }
        }

        if (updates.Count > 0)
            await collection.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ConvertSettingsAsync(IMongoCollection<BsonDocument> settings, CancellationToken cancellationToken)
    {
        // One document per account: few enough to read whole.
        var all = await settings.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var document in all)
        {
            if (document["_id"] is not BsonBinaryData oldId)
                continue;
            var converted = document.DeepClone().AsBsonDocument;
            converted["_id"] = MongoAccountIds.ToBson(MongoAccountIds.FromBson(oldId));
            try
            {
                await settings.InsertOneAsync(converted, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
            {
                // A document under the string id is there when a start was cut short after this insert (the same
                // settings) or when the account's settings were saved since (newer): either way it stays.
            }

            await settings.DeleteOneAsync(Filter.Eq("_id", oldId), cancellationToken).ConfigureAwait(false);
        }
    }
}
