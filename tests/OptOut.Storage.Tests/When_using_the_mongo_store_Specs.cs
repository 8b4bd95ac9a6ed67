using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
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
    };

    private MongoTestServer? _server;
    private IMongoDatabase? _database;

    protected override async Task<(IOptOutStore Store, ISettingsStore Settings)> StartStoresAsync(CancellationToken cancellationToken)
    {
        _server = await MongoTestServer.StartAsync(cancellationToken);
        _database = _server.Client.GetDatabase("optout_store_tests_" + Guid.NewGuid().ToString("N")[..12]);
        var store = new MongoOptOutStore(_database);
        await store.InitializeAsync(cancellationToken);
        return (store, new MongoSettingsStore(_database));
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

    [Test]
    public async Task Should_store_enums_as_strings_guids_as_uuids_and_exact_times(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(40);
        var at = Now.AddMinutes(-1).AddTicks(4_321);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, at, "inbound:40"), cancellationToken);

        var raw = await _database!.GetCollection<BsonDocument>(MongoOptOutStore.CollectionName)
            .Find(new BsonDocument("phone", phone.E164))
            .SingleAsync(cancellationToken);

        var accountId = raw["accountId"].AsBsonBinaryData;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw["state"].AsString, Is.EqualTo("OptedOut"));
            Assert.That(raw["source"].AsString, Is.EqualTo("Keyword"));
            Assert.That(accountId.SubType, Is.EqualTo(BsonBinarySubType.UuidStandard));
            Assert.That(accountId.ToGuid(GuidRepresentation.Standard), Is.EqualTo(Account));
            Assert.That(raw["stateAt"]["Ticks"].AsInt64, Is.EqualTo(at.UtcTicks));
            Assert.That(raw["stateAt"]["DateTime"].ToUniversalTime(), Is.EqualTo(at.UtcDateTime).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(raw["history"].AsBsonArray, Has.Count.EqualTo(1));
            Assert.That(raw["history"][0]["causationId"].AsString, Is.EqualTo("inbound:40"));
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
        var store = new MongoOptOutStore(_database!);

        await store.InitializeAsync(cancellationToken);

        Assert.DoesNotThrowAsync(() => store.InitializeAsync(cancellationToken));
    }
}
