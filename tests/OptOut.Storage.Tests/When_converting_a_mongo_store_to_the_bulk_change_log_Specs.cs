using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Mongo;

namespace OptOut.Storage.Tests;

/// <summary>
/// A MongoDB store of the earlier layout (uploads found by their records' history, no change lists) opened by this
/// version (<c>MongoChangeLogConversion</c>): every stored upload gets its list in phone order, a dispatch that stopped
/// mid-way goes on where it was, and the history index nothing reads any more is dropped. Each test uses a database of
/// its own.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class When_converting_a_mongo_store_to_the_bulk_change_log : MongoDatabasePerSpec
{
    private static readonly DateTimeOffset At = new(2025, 4, 11, 12, 0, 0, TimeSpan.Zero);
    // The earlier version stored the account as a UUID; the store converts it to its string first (MongoAccountIdConversion).
    private static readonly Guid AccountGuid = Guid.Parse("9b2e6c1a-0000-4000-8000-000000000031");
    private static readonly AccountId Account = AccountGuid;
    private static readonly Guid Dispatching = Guid.Parse("0f1e2d3c-0000-4000-8000-000000000001");
    private static readonly Guid Completed = Guid.Parse("0f1e2d3c-0000-4000-8000-000000000002");

    protected override string DatabasePrefix => "optout_conversion_tests_";

    [Test]
    public async Task Should_list_every_stored_upload_in_phone_order_and_go_on_with_a_dispatch_where_it_stopped(CancellationToken cancellationToken)
    {
        // 2,300 numbers of one upload (written in no order), 3 of another, and a keyword STOP that belongs to neither.
        var dispatching = Enumerable.Range(0, 2_300).Select(i => $"+1555230{i:D4}").ToList();
        var completed = Enumerable.Range(0, 3).Select(i => $"+1555231{i:D4}").ToList();
        await StoreAsEarlierLayoutAsync(dispatching, completed, dispatchedAfter: dispatching[1_499], cancellationToken);

        var changeLog = await OpenAsync(cancellationToken);

        var pages = new List<ChangedNumbers>();
        var after = await DispatchCursorAsync(Dispatching, cancellationToken);
        do
        {
            pages.Add(await changeLog.ListChangesAsync(Account, BulkUploadJob.CausationFor(Dispatching), after, 1_000, cancellationToken));
            after = pages[^1].Next;
        }
        while (after is not null && pages.Count < 5);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.SelectMany(p => p.Phones), Is.EqualTo(dispatching[1_500..]), "the dispatch goes on after the last phone it dispatched");
            Assert.That(await AllAsync(changeLog, Dispatching, cancellationToken), Is.EqualTo(dispatching), "from the start: every number, in phone order");
            Assert.That(await AllAsync(changeLog, Completed, cancellationToken), Is.EqualTo(completed));
            Assert.That(await IndexNamesAsync(cancellationToken), Does.Not.Contain("accountId_historyCausationId_phone"));
        }
    }

    [Test]
    public async Task Should_convert_once_and_leave_what_the_upload_records_after_it(CancellationToken cancellationToken)
    {
        var dispatching = Enumerable.Range(0, 20).Select(i => $"+1555232{i:D4}").ToList();
        await StoreAsEarlierLayoutAsync(dispatching, [], dispatchedAfter: null, cancellationToken);
        var changeLog = await OpenAsync(cancellationToken);
        // The upload resumes and records a stretch; then the service starts again.
        await changeLog.RecordChangesAsync(Account, BulkUploadJob.CausationFor(Dispatching), 0, ["+15552329999"], cancellationToken);

        var reopened = await OpenAsync(cancellationToken);

        Assert.That(await AllAsync(reopened, Dispatching, cancellationToken), Is.EqualTo(dispatching.Append("+15552329999")));
        Assert.That(await DispatchCursorAsync(Dispatching, cancellationToken), Is.Null);
    }

    [Test]
    public async Task Should_open_a_newDatabase_with_nothing_to_convert(CancellationToken cancellationToken)
    {
        var changeLog = await OpenAsync(cancellationToken);

        Assert.That((await changeLog.ListChangesAsync(Account, BulkUploadJob.CausationFor(Completed), null, 10, cancellationToken)).Phones, Is.Empty);
        Assert.That(await IndexNamesAsync(cancellationToken), Does.Not.Contain("accountId_historyCausationId_phone"));
    }

    /// <summary>What the earlier version stored: the records (history with the uploads' causation ids), its history index, and the uploads.</summary>
    private async Task StoreAsEarlierLayoutAsync(List<string> dispatching, List<string> completed, string? dispatchedAfter,
        CancellationToken cancellationToken)
    {
        var records = new MongoOptOutStore(Database);
        await records.InitializeAsync(cancellationToken);
        var optOuts = Database.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        if (Server.IsEmulator)
        {
            // The conversion drops this index, and jongodb 0.1.6 has no dropIndexes command; real MongoDB runs all of it.
            TestContext.Out.WriteLine("jongodb: the earlier layout's history index is not created (the emulator can't drop it)");
        }
        else
        {
            await optOuts.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
                new BsonDocument { { "accountId", 1 }, { "history.causationId", 1 }, { "phone", 1 } },
                new CreateIndexOptions { Name = "accountId_historyCausationId_phone" }), cancellationToken: cancellationToken);
        }

        var random = new Random(23);
        var writes = dispatching.Select(p => NewWrite(p, BulkUploadJob.CausationFor(Dispatching)))
            .Concat(completed.Select(p => NewWrite(p, BulkUploadJob.CausationFor(Completed))))
            .Append(NewWrite("+15552339999", "inbound:SM1"))
            .OrderBy(_ => random.Next())
            .ToList();
        Assert.That(await records.TryWriteManyAsync(writes, cancellationToken), Is.All.True);

        var uploads = Database.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName);
        await uploads.InsertManyAsync(
        [
            Upload(Dispatching, "Ingested", dispatchedAfter is null ? BsonNull.Value : dispatchedAfter),
            Upload(Completed, "Completed", BsonNull.Value),
        ], cancellationToken: cancellationToken);
    }

    private static BsonDocument Upload(Guid uploadId, string status, BsonValue dispatchedAfter) => new()
    {
        ["_id"] = new BsonBinaryData(uploadId, GuidRepresentation.Standard),
        ["accountId"] = new BsonBinaryData(AccountGuid, GuidRepresentation.Standard),
        ["status"] = status,
        ["eventsDispatchedAfter"] = dispatchedAfter,
        ["version"] = 3L,
    };

    private static OptOutWrite NewWrite(string phone, string causationId)
    {
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            At = At,
            RecordedAt = At,
            CausationId = causationId,
        };
        var record = new OptOutRecord
        {
            AccountId = Account,
            Phone = phone,
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            StateAt = At,
            CreatedAt = At,
            UpdatedAt = At,
            Version = 1,
            History = [entry],
        };
        return new OptOutWrite(record, 0, entry);
    }

    private async Task<MongoBulkChangeLog> OpenAsync(CancellationToken cancellationToken)
    {
        var changeLog = new MongoBulkChangeLog(Database);
        await new MongoStoreInitializer(new MongoOptOutStore(Database), new MongoBulkUploadStore(Database), changeLog).InitializeAsync(cancellationToken);
        return changeLog;
    }

    private async Task<string?> DispatchCursorAsync(Guid uploadId, CancellationToken cancellationToken)
    {
        var uploads = Database.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName);
        var upload = await uploads.Find(new BsonDocument("_id", new BsonBinaryData(uploadId, GuidRepresentation.Standard))).SingleAsync(cancellationToken);
        return upload["eventsDispatchedAfter"] is BsonString cursor ? cursor.Value : null;
    }

    private static async Task<List<string>> AllAsync(MongoBulkChangeLog changeLog, Guid uploadId, CancellationToken cancellationToken)
    {
        var phones = new List<string>();
        string? after = null;
        do
        {
            var page = await changeLog.ListChangesAsync(Account, BulkUploadJob.CausationFor(uploadId), after, 1_000, cancellationToken);
            phones.AddRange(page.Phones);
            after = page.Next;
        }
        while (after is not null && phones.Count < 10_000);

        return phones;
    }

    private async Task<List<string>> IndexNamesAsync(CancellationToken cancellationToken)
    {
        var optOuts = Database.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        var indexes = await (await optOuts.Indexes.ListAsync(cancellationToken)).ToListAsync(cancellationToken);
        return indexes.ConvertAll(i => i["name"].AsString);
    }
}
