using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Mongo;

namespace OptOut.Storage.Tests;

/// <summary>
/// A MongoDB store whose account ids an earlier version wrote as UUIDs (binary subtype 4), opened by this version
/// (<c>MongoAccountIdConversion</c>): every account id in optOuts, bulkUploads, bulkChanges and optOutSettings becomes
/// the GUID's lowercase <c>D</c> string, every document keeps its other fields, the stores find everything under the
/// string, and a second start changes nothing. Each test uses a database of its own.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class When_converting_mongo_account_ids_to_strings : MongoDatabasePerSpec
{
    private static readonly Guid AccountGuid = Guid.Parse("C0FFEE00-1234-4abc-8def-0123456789AB");
    private static readonly AccountId Account = AccountId.Parse("c0ffee00-1234-4abc-8def-0123456789ab");
    private static readonly Guid UploadId = Guid.Parse("5e6f7a8b-0000-4000-8000-000000000041");
    private static readonly DateTimeOffset At = new(2027, 1, 5, 9, 0, 0, TimeSpan.Zero);

    protected override string DatabasePrefix => "optout_account_ids_";

    [Test]
    public async Task Should_turn_every_uuid_account_into_its_lowercase_string_and_keep_everything_else(CancellationToken cancellationToken)
    {
        // More than one batch of the conversion (1,000).
        await StoreAsBeforeAsync(phones: 1_100, cancellationToken);

        var (store, settings, uploads, changes) = await OpenAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            foreach (var name in (string[])[MongoOptOutStore.CollectionName, MongoBulkUploadStore.CollectionName, MongoBulkChangeLog.CollectionName])
            {
                var collection = Database.GetCollection<BsonDocument>(name);
                Assert.That(await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken),
                    Is.EqualTo(await collection.CountDocumentsAsync(new BsonDocument("accountId", Account.Value), cancellationToken: cancellationToken)),
                    $"{name}: every account id the string");
            }

            var stored = await Database.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName)
                .Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(cancellationToken);
            Assert.That(stored.Select(d => d["_id"]), Is.EqualTo(new BsonValue[] { new BsonString(Account.Value) }), "the settings under the string, the UUID one gone");
        }

        var first = await store.FindAsync(Account, "+15552400000", cancellationToken);
        var all = await store.ListPhonesAsync(Account, null, 10_000, cancellationToken);
        var read = await settings.GetAsync(Account, cancellationToken);
        var upload = await uploads.GetAsync(Account, UploadId, cancellationToken);
        var listed = await changes.ListChangesAsync(Account, BulkUploadJob.CausationFor(UploadId), null, 1_000, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((first?.AccountId, first?.State, first?.Note, first?.Version), Is.EqualTo(((AccountId?)Account, (OptState?)OptState.OptedOut, "Bulk upload \"d.csv\"", (long?)1)));
            Assert.That(first?.History.Single().CausationId, Is.EqualTo(BulkUploadJob.CausationFor(UploadId)));
            Assert.That(all, Has.Count.EqualTo(1_100));
            Assert.That((read?.AccountId, read?.DefaultCountryCode, read?.OptOutMessage), Is.EqualTo(((AccountId?)Account, (int?)44, "Bye")));
            Assert.That((upload?.AccountId, upload?.Status, upload?.FileName), Is.EqualTo(((AccountId?)Account, (BulkUploadStatus?)BulkUploadStatus.Completed, "d.csv")));
            Assert.That(listed.Phones, Is.EqualTo(new[] { "+15552400000", "+15552400001" }));
        }
    }

    [Test]
    public async Task Should_change_nothing_on_a_second_start_and_keep_the_unique_key(CancellationToken cancellationToken)
    {
        await StoreAsBeforeAsync(phones: 3, cancellationToken);
        var (store, _, _, _) = await OpenAsync(cancellationToken);
        var before = await RawAsync(cancellationToken);

        await OpenAsync(cancellationToken);

        Assert.That((await RawAsync(cancellationToken)).Select(d => d.ToJson()), Is.EqualTo(before.Select(d => d.ToJson())));
        // The unique (accountId, phone) index holds for the converted documents: a second insert of a number is refused.
        var again = await store.TryWriteAsync(NewWrite("+15552400001", "request:r9"), cancellationToken);
        Assert.That(again, Is.False);
    }

    /// <summary>Documents as the version that stored accounts as UUIDs wrote them.</summary>
    private async Task StoreAsBeforeAsync(int phones, CancellationToken cancellationToken)
    {
        var uuid = new BsonBinaryData(AccountGuid, GuidRepresentation.Standard);
        var records = Database.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        await records.InsertManyAsync(Enumerable.Range(0, phones).Select(i => RecordDocument(uuid, $"+1555240{i:D4}")), cancellationToken: cancellationToken);
        await Database.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName).InsertOneAsync(new BsonDocument
        {
            ["_id"] = new BsonBinaryData(UploadId, GuidRepresentation.Standard),
            ["accountId"] = uuid,
            ["fileName"] = "d.csv",
            ["submittedBy"] = "admin@example.com",
            ["submittedAt"] = Time(At),
            ["dryRun"] = false,
            ["status"] = "Completed",
            ["startedAt"] = Time(At),
            ["totalRows"] = 2L,
            ["numbersApplied"] = 2L,
            ["counts"] = new BsonDocument { ["optedOut"] = 2L },
            ["rejectedRows"] = new BsonArray(),
            ["eventsDispatched"] = 2L,
            ["undoOptedIn"] = 0L,
            ["undoKept"] = 0L,
            ["version"] = 6L,
        }, cancellationToken: cancellationToken);
        await Database.GetCollection<BsonDocument>(MongoBulkChangeLog.CollectionName).InsertOneAsync(new BsonDocument
        {
            ["accountId"] = uuid,
            ["causationId"] = BulkUploadJob.CausationFor(UploadId),
            ["position"] = 0L,
            ["phones"] = new BsonArray { "+15552400000", "+15552400001" },
        }, cancellationToken: cancellationToken);
        // The change log's conversion is done (its marker is there): only the account ids are left to convert.
        await Database.GetCollection<BsonDocument>("storeLayout").InsertOneAsync(
            new BsonDocument { ["_id"] = "bulkChanges", ["convertedAt"] = At.UtcDateTime }, cancellationToken: cancellationToken);
        await Database.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName).InsertOneAsync(new BsonDocument
        {
            ["_id"] = uuid,
            ["defaultCountryCode"] = 44,
            ["autoOptOutEnabled"] = true,
            ["optOutMessage"] = "Bye",
            ["keywords"] = new BsonArray { "STOP" },
        }, cancellationToken: cancellationToken);
    }

    private static BsonDocument RecordDocument(BsonValue account, string phone)
    {
        var causation = BulkUploadJob.CausationFor(UploadId);
        return new BsonDocument
        {
            ["_id"] = ObjectId.GenerateNewId(),
            ["accountId"] = account,
            ["phone"] = phone,
            ["state"] = "OptedOut",
            ["source"] = "BulkUpload",
            ["note"] = "Bulk upload \"d.csv\"",
            ["actor"] = "admin@example.com",
            ["stateAt"] = Time(At),
            ["createdAt"] = Time(At),
            ["updatedAt"] = Time(At),
            ["flagged"] = false,
            ["version"] = 1L,
            ["history"] = new BsonArray
            {
                new BsonDocument
                {
                    ["state"] = "OptedOut", ["source"] = "BulkUpload", ["at"] = Time(At), ["recordedAt"] = Time(At),
                    ["actor"] = "admin@example.com", ["note"] = "Bulk upload \"d.csv\"", ["causationId"] = causation,
                },
            },
        };
    }

    private static BsonDocument Time(DateTimeOffset at) =>
        new() { ["DateTime"] = new BsonDateTime(at.UtcDateTime), ["Ticks"] = at.Ticks, ["Offset"] = 0 };

    private static OptOutWrite NewWrite(string phone, string causationId)
    {
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut, Source = OptOutSource.Manual, At = At, RecordedAt = At, CausationId = causationId,
        };
        var record = new OptOutRecord
        {
            AccountId = Account, Phone = phone, State = OptState.OptedOut, Source = OptOutSource.Manual, StateAt = At, CreatedAt = At,
            UpdatedAt = At, Version = 1, History = [entry],
        };
        return new OptOutWrite(record, 0, entry);
    }

    private async Task<(MongoOptOutStore, MongoSettingsStore, MongoBulkUploadStore, MongoBulkChangeLog)> OpenAsync(CancellationToken cancellationToken)
    {
        var store = new MongoOptOutStore(Database);
        var uploads = new MongoBulkUploadStore(Database);
        var changes = new MongoBulkChangeLog(Database);
        await new MongoStoreInitializer(store, uploads, changes).InitializeAsync(cancellationToken);
        return (store, new MongoSettingsStore(Database), uploads, changes);
    }

    private async Task<List<BsonDocument>> RawAsync(CancellationToken cancellationToken)
    {
        var all = new List<BsonDocument>();
        foreach (var name in (string[])[MongoOptOutStore.CollectionName, MongoBulkUploadStore.CollectionName, MongoBulkChangeLog.CollectionName,
                     MongoSettingsStore.CollectionName])
        {
            all.AddRange(await Database.GetCollection<BsonDocument>(name).Find(FilterDefinition<BsonDocument>.Empty)
                .Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync(cancellationToken));
        }

        return all;
    }
}
