using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;
using OptOut.Storage.Mongo;

namespace OptOut.Storage.Tests;

/// <summary>
/// The exact update the Mongo store sends for a transition, checked without a server: the jongodb emulator can't
/// run it ($push), so this pins its shape wherever only the emulator is available.
/// </summary>
[TestFixture]
public sealed class When_building_a_mongo_compare_and_swap
{
    private static readonly AccountId Account = Guid.Parse("6f1c2a4e-8d4b-4c1e-9a57-0b6f3f2d9e11");
    private static readonly DateTimeOffset At = new(2025, 4, 11, 9, 30, 0, TimeSpan.Zero);

    private static readonly OptOutDetection Detection = new()
    {
        Method = DetectionMethod.Phrase, Language = "es", Matched = "YA NO ME ESCRIBAN", Score = 0.9, Reason = "asked not to be written to again",
    };

    private BsonDocument _filter = null!;
    private BsonDocument _update = null!;
    private OptOutHistoryEntry _detected = null!;
    private BsonDocument _detectedUpdate = null!;
    private PendingEvents _pending = null!;
    private BsonDocument _pendingUpdate = null!;

    [OneTimeSetUp]
    public void Render()
    {
        MongoMappings.Register();
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedIn,
            Source = OptOutSource.Manual,
            At = At,
            RecordedAt = At.AddSeconds(1),
            Actor = "admin@example.com",
            Note = "Deleted from the list",
            CausationId = "request:42",
        };
        var record = new OptOutRecord
        {
            AccountId = Account,
            Phone = "+15552010001",
            State = OptState.OptedIn,
            Source = OptOutSource.Manual,
            Actor = entry.Actor,
            Note = entry.Note,
            StateAt = At,
            CreatedAt = At.AddDays(-1),
            UpdatedAt = At.AddSeconds(1),
            Version = 3,
        };

        var (filter, update) = MongoCompareAndSwap.For(new OptOutWrite(record, 2, entry));
        var args = new RenderArgs<OptOutDocument>(BsonSerializer.LookupSerializer<OptOutDocument>(), BsonSerializer.SerializerRegistry);
        _filter = filter.Render(args);
        _update = update.Render(args).AsBsonDocument;

        _detected = entry with { State = OptState.OptedOut, Source = OptOutSource.Keyword, CausationId = "inbound:SM43", Detection = Detection };
        var detected = record with { State = OptState.OptedOut, Source = OptOutSource.Keyword, Version = 4 };
        _detectedUpdate = MongoCompareAndSwap.For(new OptOutWrite(detected, 3, _detected)).Update.Render(args).AsBsonDocument;

        _pending = new PendingEvents("inbound:SM43", new ConfirmationTarget(null, "Ya no recibirá mensajes.", ConfirmationKind.OptOut, "es"),
            "bus:43", Guid.Parse("0d9f5a52-3c1b-4e8e-9f27-5a0c6b1d2e3f"), At.AddTicks(60 * TimeSpan.TicksPerSecond + 7));
        _pendingUpdate = MongoCompareAndSwap.For(new OptOutWrite(detected, 3, _detected) { Pending = _pending }).Update.Render(args).AsBsonDocument;
    }

    [Test]
    public void Should_match_the_account_number_and_expected_version()
    {
        Assert.That(_filter["accountId"], Is.EqualTo(new BsonString(Account.Value)));
        Assert.That(_filter["phone"].AsString, Is.EqualTo("+15552010001"));
        Assert.That(_filter["version"].ToInt64(), Is.EqualTo(2));
    }

    [Test]
    public void Should_set_the_next_version_of_the_record()
    {
        var set = _update["$set"].AsBsonDocument;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(set["state"].AsString, Is.EqualTo("OptedIn"));
            Assert.That(set["source"].AsString, Is.EqualTo("Manual"));
            Assert.That(set["version"].ToInt64(), Is.EqualTo(3));
            Assert.That(set["stateAt"]["Ticks"].AsInt64, Is.EqualTo(At.UtcTicks));
            Assert.That(set.Names, Does.Not.Contain("history"), "history is appended, never replaced");
            Assert.That(set.Names, Does.Not.Contain("accountId").And.Not.Contain("phone").And.Not.Contain("_id"));
        }
    }

    [Test]
    public void Should_push_exactly_the_appended_entry()
    {
        var pushed = _update["$push"]["history"].AsBsonDocument;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_update["$push"].AsBsonDocument.ElementCount, Is.EqualTo(1));
            Assert.That(pushed["causationId"].AsString, Is.EqualTo("request:42"));
            Assert.That(pushed["state"].AsString, Is.EqualTo("OptedIn"));
            Assert.That(pushed["source"].AsString, Is.EqualTo("Manual"));
            Assert.That(pushed["actor"].AsString, Is.EqualTo("admin@example.com"));
            Assert.That(pushed["at"]["Ticks"].AsInt64, Is.EqualTo(At.UtcTicks));
            Assert.That(pushed.Names, Does.Not.Contain("detection"), "an entry no text caused carries no detection field");
        }
    }

    [Test]
    public void Should_push_the_detection_of_an_entry_a_text_caused_as_a_subdocument()
    {
        var pushed = _detectedUpdate["$push"]["history"].AsBsonDocument;

        Assert.That(pushed["detection"], Is.EqualTo(new BsonDocument
        {
            { "method", "Phrase" }, { "language", "es" }, { "matched", "YA NO ME ESCRIBAN" }, { "score", 0.9 }, { "reason", "asked not to be written to again" },
        }));
        Assert.That(BsonSerializer.Deserialize<HistoryDocument>(pushed).ToEntry(), Is.EqualTo(_detected), "reads back as the entry written");
    }

    [Test]
    public void Should_set_the_pending_events_in_the_same_update_as_the_transition()
    {
        var pending = _pendingUpdate["$set"]["pending"].AsBsonDocument;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_pendingUpdate["$push"]["history"]["causationId"].AsString, Is.EqualTo("inbound:SM43"));
            Assert.That(pending.Names, Is.EqualTo(new[] { "causationId", "reply", "claimMessage", "claimDelivery", "claimedUntil" }));
            Assert.That(pending["reply"], Is.EqualTo(new BsonDocument
            {
                { "from", BsonNull.Value }, { "body", "Ya no recibirá mensajes." }, { "kind", "OptOut" }, { "language", "es" },
            }));
            Assert.That(pending["claimDelivery"].AsBsonBinaryData.SubType, Is.EqualTo(BsonBinarySubType.UuidStandard));
            Assert.That(pending["claimedUntil"]["Ticks"].AsInt64, Is.EqualTo(_pending.ClaimedUntil.UtcTicks));
            Assert.That(BsonSerializer.Deserialize<PendingDocument>(pending).ToEvents(), Is.EqualTo(_pending), "reads back as the events written");
        }
    }

    [Test]
    public void Should_leave_the_pending_events_of_a_write_without_them_alone()
    {
        Assert.That(_update["$set"].AsBsonDocument.Names, Does.Not.Contain("pending"));
        Assert.That(_update.Names, Is.EquivalentTo(new[] { "$set", "$push" }), "no $unset: a clock advance or a bulk change keeps the entry");
    }
}
