using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The one-time conversion to the bulk change log. Before it, a MongoDB store recorded nothing: an upload's numbers were
/// found by the causation ids of the records' embedded history (a multikey index, kept up in every write) and paged in
/// phone order, with the last phone of a page as the cursor. For each stored upload without a list, this lists those
/// numbers in phone order at <see cref="ChangeLogPages.ConvertedPosition"/> (as the SQLite store converts its layout
/// 2), turns a dispatch cursor that is a phone into the list's cursor for the same place, and then drops the history
/// index, which nothing reads any more. A marker in collection <c>storeLayout</c> says it is done; until then every
/// start runs it again, each upload's step being idempotent. Every instance must run this version before any
/// instance runs it: an instance of the earlier version records no lists.
/// </summary>
internal sealed class MongoChangeLogConversion(IMongoDatabase database, IMongoCollection<BsonDocument> changes)
{
    public const string LayoutCollection = "storeLayout";
    public const string Marker = "bulkChanges";
    public const string HistoryIndexName = "accountId_historyCausationId_phone";

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var layout = database.GetCollection<BsonDocument>(LayoutCollection);
        if (await layout.Find(Filter.Eq("_id", Marker)).AnyAsync(cancellationToken).ConfigureAwait(false))
            return;

        var uploads = database.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName);
        var projection = Builders<BsonDocument>.Projection.Include("accountId").Include("eventsDispatchedAfter");
        var stored = await uploads.Find(FilterDefinition<BsonDocument>.Empty).Project(projection).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var upload in stored)
            await ConvertAsync(uploads, upload, cancellationToken).ConfigureAwait(false);

        await DropHistoryIndexAsync(cancellationToken).ConfigureAwait(false);
        await layout.ReplaceOneAsync(Filter.Eq("_id", Marker), new BsonDocument { ["_id"] = Marker, ["convertedAt"] = DateTime.UtcNow },
            new ReplaceOptions { IsUpsert = true }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ConvertAsync(IMongoCollection<BsonDocument> uploads, BsonDocument upload, CancellationToken cancellationToken)
    {
        var uploadId = upload["_id"].AsGuid;
        var accountId = MongoAccountIds.FromBson(upload["accountId"]);
        var causationId = BulkUploadJob.CausationFor(uploadId);
        if (await changes.Find(MongoBulkChangeLog.Of(accountId, causationId)).AnyAsync(cancellationToken).ConfigureAwait(false))
            return;

        var phones = await ChangedNumbersAsync(accountId, causationId, cancellationToken).ConfigureAwait(false);
        var parts = ChangeLogPages.Split(ChangeLogPages.ConvertedPosition, phones)
            .Select(p => MongoBulkChangeLog.PartDocument(accountId, causationId, p)).ToList();
        if (parts.Count > 0)
            await changes.InsertManyAsync(parts, cancellationToken: cancellationToken).ConfigureAwait(false);

        // A dispatch stopped mid-way: its cursor was the last phone of the page dispatched, so it goes on after it.
        if (upload.GetValue("eventsDispatchedAfter", BsonNull.Value) is BsonString { Value: var phone } && !phone.Contains(':', StringComparison.Ordinal))
        {
            var next = phones.Count(p => string.CompareOrdinal(p, phone) <= 0);
            var position = ChangeLogPages.ConvertedPosition + (next / ChangeLogPages.PhonesPerPart * ChangeLogPages.PhonesPerPart);
            var cursor = FormattableString.Invariant($"{position}:{next % ChangeLogPages.PhonesPerPart}");
            await uploads.UpdateOneAsync(Filter.Eq("_id", upload["_id"]) & Filter.Eq("eventsDispatchedAfter", phone),
                Builders<BsonDocument>.Update.Set("eventsDispatchedAfter", cursor), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The numbers whose history holds an entry of the upload, in phone order, as the earlier layout listed them.</summary>
    private async Task<List<string>> ChangedNumbersAsync(AccountId accountId, string causationId, CancellationToken cancellationToken)
    {
        var records = database.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        var filter = Filter.Eq("accountId", MongoAccountIds.ToBson(accountId)) & Filter.Eq("history.causationId", causationId);
        var found = await records.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("phone"))
            .Project(Builders<BsonDocument>.Projection.Include("phone").Exclude("_id")).ToListAsync(cancellationToken).ConfigureAwait(false);
        var phones = found.ConvertAll(d => d["phone"].AsString);
        // The server's order for strings is by byte (UTF-8 of '+' and digits), the same as ordinal.
        phones.Sort(StringComparer.Ordinal);
        return phones;
    }

    private async Task DropHistoryIndexAsync(CancellationToken cancellationToken)
    {
        var records = database.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        using var cursor = await records.Indexes.ListAsync(cancellationToken).ConfigureAwait(false);
        var indexes = await cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
        if (indexes.Any(i => i.GetValue("name", BsonNull.Value) == HistoryIndexName))
            await records.Indexes.DropOneAsync(HistoryIndexName, cancellationToken).ConfigureAwait(false);
    }
}
