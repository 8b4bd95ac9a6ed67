using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Compliance;
using OptOut.Core.Outbox;
using OptOut.Storage.Mongo;

namespace OptOut.Storage.Tests;

/// <summary>
/// The store contract against MongoDB (see <see cref="MongoTestServer"/> for where the server comes from), in a
/// database of its own per run.
/// </summary>
[TestFixture]
public sealed class When_using_the_mongo_store : OptOutStoreContract
{
    private const string NoPush =
        "jongodb 0.1.6 rejects the $push update operator (\"unsupported update operator: $push\"), which every transition "
        + "of an existing record uses to append its history entry; real MongoDB runs this test";

    /// <summary>What the jongodb emulator can't do, by test name, and why.</summary>
    private static readonly Dictionary<string, string> EmulatorGaps = new(StringComparer.Ordinal)
    {
        [nameof(Should_refuse_a_stale_version_and_write_nothing)] = NoPush,
        [nameof(Should_refuse_an_update_of_a_number_that_does_not_exist)] = NoPush,
        [nameof(Should_append_every_transition_to_the_history_in_order)] = NoPush,
        [nameof(Should_let_an_opt_out_win_a_tie)] = NoPush,
        [nameof(Should_end_in_the_newest_state_when_20_writers_race_on_one_number)] = NoPush,
        [nameof(Should_keep_the_same_number_independent_in_two_accounts)] = NoPush,
        [nameof(Should_not_load_history_into_pages)] =
            "jongodb 0.1.6 ignores find projections and returns the excluded history; real MongoDB runs this test",
        [nameof(Should_find_a_batch_with_every_history_entry_in_order)] = NoPush,
        [nameof(Should_refuse_only_the_stale_update_in_a_batch)] = NoPush,
        [nameof(Should_store_each_update_of_a_batch_with_its_own_values_when_neighbours_differ_in_one)] = NoPush,
        [nameof(Should_refuse_only_the_update_of_a_missing_number_in_a_batch)] = NoPush,
        [nameof(Should_apply_two_writes_of_one_number_in_order_within_a_batch)] = NoPush,
        [nameof(Should_let_exactly_one_win_when_a_batch_of_updates_races_a_single_update)] = NoPush,
        [nameof(Should_keep_the_detection_of_every_later_history_entry)] = NoPush,
        [nameof(Should_store_no_pending_events_when_the_compare_and_swap_loses)] = NoPush,
        [nameof(Should_leave_the_entry_when_a_bulk_upload_changes_the_number)] = NoPush,
        [nameof(Should_replace_the_entry_when_a_newer_transition_is_written)] = NoPush,
        [nameof(Should_order_uploads_submitted_at_the_same_instant_by_upload_id)] =
            "jongodb 0.1.6 sorts binary values (the UUID _id) in reverse byte order, so the tie-break comes out reversed; "
            + "real MongoDB compares binary data byte by byte, and runs this test",
        [nameof(Should_page_through_items_of_one_deadline_and_one_received_time_by_id)] =
            "jongodb 0.1.6 sorts and compares binary values (the UUID _id, the tie-break of equal times) in another byte order than "
            + "MongoDB, so the order comes out reversed and the $gt/$lt keyset on _id skips items; real MongoDB compares binary data "
            + "by length, subtype, then byte by byte (the UUID's standard bytes, its N string's order), and runs this test",
    };

    private MongoTestServer? _server;
    private IMongoDatabase? _database;

    protected override async Task<(IOptOutStore Store, IBulkChangeLog ChangeLog, ISettingsStore Settings, IBulkUploadStore Uploads)> StartStoresAsync(
        CancellationToken cancellationToken)
    {
        _server = await MongoTestServer.StartAsync(cancellationToken);
        _database = _server.Client.GetDatabase("optout_store_tests_" + Guid.NewGuid().ToString("N")[..12]);
        var store = new MongoOptOutStore(_database);
        var uploads = new MongoBulkUploadStore(_database);
        var changeLog = new MongoBulkChangeLog(_database);
        await new MongoStoreInitializer(store, uploads, changeLog).InitializeAsync(cancellationToken);
        return (store, changeLog, new MongoSettingsStore(_database), uploads);
    }

    protected override async Task StopStoresAsync()
    {
        if (_server is null)
            return;
        // The emulator can't drop a database; it is in memory and vanishes when stopped anyway.
        if (_database is not null && !_server.IsEmulator)
            await _server.Client.DropDatabaseAsync(_database.DatabaseNamespace.DatabaseName);
        await _server.DisposeAsync();
    }

    protected override string? WhyUnsupported(string testName) =>
        _server is { IsEmulator: true } && EmulatorGaps.TryGetValue(testName, out var reason) ? reason : null;

    protected override Task SaveSettingsAsBeforeLanguagesAsync(AccountId accountId, int defaultCountryCode, bool autoOptOutEnabled,
        string optOutMessage, IReadOnlyList<string> keywords, DateTimeOffset updatedAt, string updatedBy, CancellationToken cancellationToken)
    {
        // The document as the builds before languages wrote it: no languages field.
        var at = updatedAt.ToUniversalTime();
        var document = new BsonDocument
        {
            { "_id", accountId.Value },
            { "defaultCountryCode", defaultCountryCode },
            { "autoOptOutEnabled", autoOptOutEnabled },
            { "optOutMessage", optOutMessage },
            { "keywords", new BsonArray(keywords) },
            { "updatedAt", new BsonDocument { { "DateTime", new BsonDateTime(at.UtcDateTime) }, { "Ticks", at.Ticks }, { "Offset", 0 } } },
            { "updatedBy", updatedBy },
        };
        return _database!.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName).InsertOneAsync(document, cancellationToken: cancellationToken);
    }

    protected override async Task SaveSettingsAsBeforeReviewDeadlinesAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await Settings.SaveAsync(settings, cancellationToken);
        var result = await _database!.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName).UpdateOneAsync(
            new BsonDocument("_id", settings.AccountId.Value),
            new BsonDocument("$unset", new BsonDocument { { "languages.reviewDeadlineBusinessDays", "" }, { "languages.timeZone", "" } }),
            cancellationToken: cancellationToken);
        Assert.That(result.ModifiedCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Should_store_enums_and_account_ids_as_strings_and_exact_times(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(40);
        var at = Now.AddMinutes(-1).AddTicks(4_321);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, at, "inbound:40"), cancellationToken);

        var raw = await _database!.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName)
            .Find(new BsonDocument("phone", phone.E164))
            .SingleAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw["state"].AsString, Is.EqualTo("OptedOut"));
            Assert.That(raw["source"].AsString, Is.EqualTo("Keyword"));
            Assert.That(raw["accountId"], Is.EqualTo(new BsonString(Account.Value)), "the account id as the platform knows it");
            Assert.That(raw["stateAt"]["Ticks"].AsInt64, Is.EqualTo(at.UtcTicks));
            Assert.That(raw["stateAt"]["DateTime"].ToUniversalTime(), Is.EqualTo(at.UtcDateTime).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(raw["history"].AsBsonArray, Has.Count.EqualTo(1));
            Assert.That(raw["history"][0]["causationId"].AsString, Is.EqualTo("inbound:40"));
        }
    }

    [Test]
    public async Task Should_store_a_detection_as_a_subdocument_and_no_field_without_one(CancellationToken cancellationToken)
    {
        var detection = new OptOutDetection { Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.95, Reason = "asked to stop" };
        await Service.ApplyAsync(Change(TestPhones.Us(41), OptState.OptedOut, Now.AddMinutes(-1), "inbound:41") with { Detection = detection }, cancellationToken);
        await Service.ApplyAsync(Change(TestPhones.Us(42), OptState.OptedOut, Now.AddMinutes(-1), "request:42", OptOutSource.Manual), cancellationToken);

        var detected = await RawRecordAsync(TestPhones.Us(41).E164, cancellationToken);
        var manual = await RawRecordAsync(TestPhones.Us(42).E164, cancellationToken);

        Assert.That(detected["history"][0]["detection"], Is.EqualTo(new BsonDocument
        {
            { "method", "Phrase" }, { "language", "en" }, { "matched", "STOP TEXTING" }, { "score", 0.95 }, { "reason", "asked to stop" },
        }));
        Assert.That(manual["history"][0].AsBsonDocument.Names, Has.No.Member("detection"));
    }

    [Test]
    public async Task Should_store_pending_events_as_a_subdocument_and_no_field_without_them(CancellationToken cancellationToken)
    {
        var (claimed, bulk) = (TestPhones.Us(43), TestPhones.Us(44));
        var claim = new PublishClaim("bus:43", Guid.NewGuid(), false, TimeSpan.FromSeconds(60));
        var reply = new ConfirmationTarget("+15550001111", "Bye", ConfirmationKind.OptOut, "en");
        await Service.ApplyAsync(Change(claimed, OptState.OptedOut, Now.AddMinutes(-1), "inbound:43") with { Claim = claim, Reply = reply }, cancellationToken);
        await Service.ApplyAsync(Change(bulk, OptState.OptedOut, Now.AddMinutes(-1), "bulk:44"), cancellationToken);

        var pending = (await RawRecordAsync(claimed.E164, cancellationToken))["pending"].AsBsonDocument;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pending["causationId"].AsString, Is.EqualTo("inbound:43"));
            Assert.That(pending["reply"], Is.EqualTo(new BsonDocument { { "from", "+15550001111" }, { "body", "Bye" }, { "kind", "OptOut" }, { "language", "en" } }));
            Assert.That(pending["claimMessage"].AsString, Is.EqualTo("bus:43"));
            Assert.That(pending["claimDelivery"], Is.EqualTo(new BsonBinaryData(claim.Delivery, GuidRepresentation.Standard)));
            Assert.That(pending["claimedUntil"]["Ticks"].AsInt64, Is.EqualTo((Now + claim.Lease).UtcTicks));
            Assert.That((await RawRecordAsync(bulk.E164, cancellationToken)).Names, Has.No.Member("pending"));
        }

        await ((IOutbox)Store).MarkSentAsync([new PendingKey(Account, claimed.E164, "inbound:43")], cancellationToken);
        var sent = await RawRecordAsync(claimed.E164, cancellationToken);
        Assert.That(sent.Names, Has.No.Member("pending"), "unset, not null: the sparse index drops it");
        Assert.That(sent["version"].ToInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Should_index_pending_claims_sparsely_by_their_exact_expiry(CancellationToken cancellationToken)
    {
        var indexes = await IndexesOf(MongoOptOutStore.CollectionName, cancellationToken);

        var due = indexes.SingleOrDefault(i => i["name"] == "pending_claimedUntil_sparse");
        Assert.That(due, Is.Not.Null, indexes.ToJson());
        Assert.That(due!["key"], Is.EqualTo(new BsonDocument("pending.claimedUntil.Ticks", 1)));
        Assert.That(due.GetValue("sparse", false).ToBoolean(), Is.True);
    }

    [Test]
    public async Task Should_store_languages_as_a_subdocument_beside_the_english_fields(CancellationToken cancellationToken)
    {
        var (settings, errors) = AccountSettings.Validate(new UpdateOptOutSettings
        {
            AccountId = Account,
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = "Bye",
            Keywords = ["STOP", "ENOUGH"],
            ActiveLanguages = ["en", "es"],
            PossibleRevocationThreshold = 0.3,
        }, AccountSettings.Defaults(Account), Now);
        Assert.That(errors, Is.Empty);
        await Settings.SaveAsync(settings!, cancellationToken);

        var raw = await _database!.GetCollection<BsonDocument>(MongoSettingsStore.CollectionName)
            .Find(new BsonDocument("_id", Account.Value))
            .SingleAsync(cancellationToken);

        var languages = raw["languages"].AsBsonDocument;
        var english = languages["languages"][0].AsBsonDocument;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((raw["keywords"], raw["optOutMessage"].AsString), Is.EqualTo((new BsonArray { "STOP", "ENOUGH" }, "Bye")), "the original fields stay English's");
            Assert.That(languages["inactiveLanguages"], Is.EqualTo(new BsonArray { "fr", "pt", "de", "zh", "vi", "ko", "tl" }));
            Assert.That((languages["detectionEnabled"].AsBoolean, languages["possibleRevocationThreshold"].AsDouble, languages["contactOptInOverridesAdmin"].AsBoolean),
                Is.EqualTo((true, 0.3, false)));
            Assert.That((languages["reviewDeadlineBusinessDays"].AsInt32, languages["timeZone"].AsString), Is.EqualTo((1, "America/New_York")));
            Assert.That((english["code"].AsString, english["addedOptOut"], english["optOutMessage"].AsString),
                Is.EqualTo(("en", new BsonArray { "ENOUGH" }, "Bye")));
            Assert.That(english.Names, Has.No.Member("isEmpty"));
        }
    }

    [Test]
    public async Task Should_create_a_unique_index_on_account_and_phone(CancellationToken cancellationToken)
    {
        var collection = _database!.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName);
        var indexes = await (await collection.Indexes.ListAsync(cancellationToken)).ToListAsync(cancellationToken);

        var unique = indexes.SingleOrDefault(i => i["name"] == "accountId_phone_unique");
        Assert.That(unique, Is.Not.Null, indexes.ToJson());
        Assert.That(unique!["key"], Is.EqualTo(new BsonDocument { { "accountId", 1 }, { "phone", 1 } }));
        Assert.That(unique.GetValue("unique", false).ToBoolean(), Is.True);
        Assert.That(indexes.Select(i => i["name"].AsString), Does.Contain("accountId_state_phone"));
    }

    [Test]
    public async Task Should_create_the_indexes_idempotently(CancellationToken cancellationToken)
    {
        var initializer = new MongoStoreInitializer(new MongoOptOutStore(_database!), new MongoBulkUploadStore(_database!), new MongoBulkChangeLog(_database!));

        await initializer.InitializeAsync(cancellationToken);

        Assert.DoesNotThrowAsync(() => initializer.InitializeAsync(cancellationToken));
    }

    [Test]
    public async Task Should_index_change_log_parts_uniquely_by_account_upload_and_position(CancellationToken cancellationToken)
    {
        var indexes = await IndexesOf(MongoBulkChangeLog.CollectionName, cancellationToken);

        var parts = indexes.SingleOrDefault(i => i["name"] == "accountId_causationId_position_unique");
        Assert.That(parts, Is.Not.Null, indexes.ToJson());
        Assert.That(parts!["key"], Is.EqualTo(new BsonDocument { { "accountId", 1 }, { "causationId", 1 }, { "position", 1 } }));
        Assert.That(parts.GetValue("unique", false).ToBoolean(), Is.True);
        Assert.That((await IndexesOf(MongoOptOutStore.CollectionName, cancellationToken)).Select(i => i["name"].AsString),
            Does.Not.Contain("accountId_historyCausationId_phone"), "no index on the history's causation ids: every write would keep it up");
    }

    [Test]
    public async Task Should_store_a_review_item_under_its_id_with_readable_fields_and_exact_times(CancellationToken cancellationToken)
    {
        var received = Now.AddMinutes(-1).AddTicks(1_234);
        var item = new ReviewItem(Account, Guid.NewGuid(), TestPhones.Us(41).E164, "no more texts pls", "a phrase", 0.6, null, received, Now.AddDays(1));
        await ((IReviewStore)Store).TryAddAsync(item, cancellationToken);

        var raw = await _database!.GetCollection<BsonDocument>("reviewItems").Find(new BsonDocument("phone", item.Phone)).SingleAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw["_id"], Is.EqualTo(new BsonBinaryData(item.Id, GuidRepresentation.Standard)));
            Assert.That(raw["accountId"], Is.EqualTo(new BsonString(Account.Value)));
            Assert.That(raw["state"].AsString, Is.EqualTo("Open"));
            Assert.That(raw["receivedAt"]["Ticks"].AsInt64, Is.EqualTo(received.UtcTicks));
            Assert.That(raw["claimedUntil"]["Ticks"].AsInt64, Is.Zero, "never claimed");
        }
    }

    [Test]
    public async Task Should_index_review_items_for_the_due_list_and_the_account_list(CancellationToken cancellationToken)
    {
        var keys = (await IndexesOf("reviewItems", cancellationToken)).ToDictionary(i => i["name"].AsString, i => i["key"].AsBsonDocument);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.GetValueOrDefault("state_deadline"), Is.EqualTo(new BsonDocument { { "state", 1 }, { "deadline.Ticks", 1 } }));
            Assert.That(keys.GetValueOrDefault("accountId_state_deadline_id"),
                Is.EqualTo(new BsonDocument { { "accountId", 1 }, { "state", 1 }, { "deadline.Ticks", 1 }, { "_id", 1 } }));
            Assert.That(keys.GetValueOrDefault("accountId_receivedAt_id_desc"),
                Is.EqualTo(new BsonDocument { { "accountId", 1 }, { "receivedAt.Ticks", -1 }, { "_id", -1 } }));
        }
    }

    [Test]
    public async Task Should_index_uploads_by_account_newest_first(CancellationToken cancellationToken)
    {
        var indexes = await IndexesOf(MongoBulkUploadStore.CollectionName, cancellationToken);

        var newest = indexes.SingleOrDefault(i => i["name"] == "accountId_submittedAt_desc");
        Assert.That(newest, Is.Not.Null, indexes.ToJson());
        Assert.That(newest!["key"], Is.EqualTo(new BsonDocument { { "accountId", 1 }, { "submittedAt.Ticks", -1 }, { "_id", -1 } }));
    }

    [Test]
    public async Task Should_store_an_upload_under_its_id_with_readable_fields(CancellationToken cancellationToken)
    {
        var upload = NewUpload(Now.AddMinutes(-1)) with
        {
            Counts = new BulkUploadCounts { OptedOut = 3, InvalidRows = 1, SupersededRows = 2 },
            RejectedRows = [new BulkUploadRejectedRow { Row = 2, Value = "abc", Reason = "not a number" }],
        };
        Assert.That(await Uploads.TrySaveAsync(upload, 0, cancellationToken), Is.True);

        var raw = await _database!.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName)
            .Find(new BsonDocument("_id", new BsonBinaryData(upload.UploadId, GuidRepresentation.Standard)))
            .SingleAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw["_id"].AsBsonBinaryData.SubType, Is.EqualTo(BsonBinarySubType.UuidStandard), "the upload id a UUID");
            Assert.That(raw["accountId"], Is.EqualTo(new BsonString(Account.Value)));
            Assert.That(raw["status"].AsString, Is.EqualTo("Running"));
            Assert.That(raw["submittedAt"]["Ticks"].AsInt64, Is.EqualTo(upload.SubmittedAt.UtcTicks));
            Assert.That(raw["counts"]["optedOut"].ToInt64(), Is.EqualTo(3));
            Assert.That(raw["counts"]["supersededRows"].ToInt64(), Is.EqualTo(2));
            Assert.That(raw["rejectedRows"][0]["reason"].AsString, Is.EqualTo("not a number"));
            Assert.That(raw["version"].ToInt64(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Should_read_an_upload_saved_without_superseded_rows_as_none_superseded(CancellationToken cancellationToken)
    {
        var saved = NewUpload(Now.AddMinutes(-1)) with { Counts = new BulkUploadCounts { OptedOut = 3, AlreadyOptedOut = 1, FlaggedRows = 1, SupersededRows = 5 } };
        Assert.That(await Uploads.TrySaveAsync(saved, 0, cancellationToken), Is.True);
        var collection = _database!.GetCollection<BsonDocument>(MongoBulkUploadStore.CollectionName);
        var raw = await collection.Find(new BsonDocument("_id", new BsonBinaryData(saved.UploadId, GuidRepresentation.Standard))).SingleAsync(cancellationToken);

        // The same upload as a build without the field stored it: under an id of its own, its counts lack supersededRows.
        var older = saved with { UploadId = Guid.NewGuid() };
        raw["_id"] = new BsonBinaryData(older.UploadId, GuidRepresentation.Standard);
        raw["counts"].AsBsonDocument.Remove("supersededRows");
        await collection.InsertOneAsync(raw, cancellationToken: cancellationToken);

        var read = await Uploads.GetAsync(Account, older.UploadId, cancellationToken);
        Assert.That(read!.Counts, Is.EqualTo(saved.Counts with { SupersededRows = 0 }));
    }

    private Task<BsonDocument> RawRecordAsync(string phone, CancellationToken cancellationToken) =>
        _database!.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName)
            .Find(new BsonDocument { { "accountId", Account.Value }, { "phone", phone } })
            .SingleAsync(cancellationToken);

    private async Task<List<BsonDocument>> IndexesOf(string collectionName, CancellationToken cancellationToken)
    {
        var collection = _database!.GetCollection<BsonDocument>(collectionName);
        return await (await collection.Indexes.ListAsync(cancellationToken)).ToListAsync(cancellationToken);
    }
}
