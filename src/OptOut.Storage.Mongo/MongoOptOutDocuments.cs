using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The stored shape of an opt-out record (collection <c>optOuts</c>): one document per (accountId, phone), history
/// embedded (<see cref="HistoryDocument"/>) so a transition and its evidence are written by one atomic single-document
/// update. Kept apart from Core's records so the database layout can evolve (and Core needs no MongoDB reference).
/// </summary>
internal sealed class OptOutDocument
{
    public ObjectId Id { get; set; }

    public AccountId AccountId { get; set; }

    public string Phone { get; set; } = "";

    public OptState State { get; set; }

    public OptOutSource Source { get; set; }

    public string? Note { get; set; }

    public string? Actor { get; set; }

    public DateTimeOffset StateAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public bool Flagged { get; set; }

    public long Version { get; set; }

    public List<HistoryDocument> History { get; set; } = [];

    /// <summary>The events of a transition the broker has not confirmed yet (null: none pending).</summary>
    public PendingDocument? Pending { get; set; }

    /// <summary>The document an insert (expected version 0) writes: the record, its first history entry, its pending events.</summary>
    public static OptOutDocument From(OptOutWrite write)
    {
        var record = write.Record;
        return new()
        {
            Id = ObjectId.GenerateNewId(),
            AccountId = record.AccountId,
            Phone = record.Phone,
            State = record.State,
            Source = record.Source,
            Note = record.Note,
            Actor = record.Actor,
            StateAt = record.StateAt.ToUniversalTime(),
            CreatedAt = record.CreatedAt.ToUniversalTime(),
            UpdatedAt = record.UpdatedAt.ToUniversalTime(),
            Flagged = record.Flagged,
            Version = record.Version,
            // The store appends only what the write names: the history is evidence, never rewritten from a caller's copy.
            History = write.Appended is { } appended ? [HistoryDocument.From(appended)] : [],
            Pending = write.Pending is { } pending ? PendingDocument.From(pending) : null,
        };
    }

    public OptOutRecord ToRecord() => new()
    {
        AccountId = AccountId,
        Phone = Phone,
        State = State,
        Source = Source,
        Note = Note,
        Actor = Actor,
        StateAt = StateAt,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        Flagged = Flagged,
        Version = Version,
        History = History.ConvertAll(h => h.ToEntry()),
    };

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<OptOutDocument> cm)
    {
        // Newer versions of the service may add fields; older instances must still read the document.
        cm.SetIgnoreExtraElements(true);
        cm.MapIdMember(x => x.Id);
        cm.MapMember(x => x.AccountId).SetElementName("accountId").SetSerializer(AccountIdSerializer.Instance);
        cm.MapMember(x => x.Phone).SetElementName("phone");
        cm.MapMember(x => x.State).SetElementName("state").SetSerializer(new EnumSerializer<OptState>(BsonType.String));
        cm.MapMember(x => x.Source).SetElementName("source").SetSerializer(new EnumSerializer<OptOutSource>(BsonType.String));
        cm.MapMember(x => x.Note).SetElementName("note");
        cm.MapMember(x => x.Actor).SetElementName("actor");
        cm.MapMember(x => x.StateAt).SetElementName("stateAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.CreatedAt).SetElementName("createdAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.UpdatedAt).SetElementName("updatedAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.Flagged).SetElementName("flagged");
        cm.MapMember(x => x.Version).SetElementName("version");
        // Pages are read without the history (a projection); missing must mean empty, not null.
        cm.MapMember(x => x.History).SetElementName("history").SetDefaultValue(() => new List<HistoryDocument>());
        // Only a record whose transition's events are unconfirmed has one (milliseconds, unless the service died).
        cm.MapMember(x => x.Pending).SetElementName("pending").SetIgnoreIfNull(true).SetDefaultValue((PendingDocument?)null);
    }
}
