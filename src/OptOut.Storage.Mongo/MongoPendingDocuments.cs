using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;

namespace OptOut.Storage.Mongo;

/// <summary>
/// A record's pending events (<c>pending</c> of its document, <see cref="PendingEvents"/>): the outbox entry of a
/// transition, written by the transition's own single-document write, so it needs no transaction, and unset once the
/// broker confirmed the events (<see cref="MongoOutbox"/>). Absent from every other record: a bulk upload's carry none.
/// </summary>
internal sealed class PendingDocument
{
    public string CausationId { get; set; } = "";

    public PendingReplyDocument? Reply { get; set; }

    public string ClaimMessage { get; set; } = "";

    public Guid ClaimDelivery { get; set; }

    public DateTimeOffset ClaimedUntil { get; set; }

    public static PendingDocument From(PendingEvents pending) => new()
    {
        CausationId = pending.CausationId,
        Reply = PendingReplyDocument.Of(pending.Reply),
        ClaimMessage = pending.ClaimMessage,
        ClaimDelivery = pending.ClaimDelivery,
        ClaimedUntil = pending.ClaimedUntil.ToUniversalTime(),
    };

    public PendingEvents ToEvents() => new(CausationId, Reply?.ToTarget(), ClaimMessage, ClaimDelivery, ClaimedUntil);

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<PendingDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.CausationId).SetElementName("causationId");
        // A change that sends no confirmation (a manual opt-out) stores no reply field.
        cm.MapMember(x => x.Reply).SetElementName("reply").SetIgnoreIfNull(true).SetDefaultValue((PendingReplyDocument?)null);
        cm.MapMember(x => x.ClaimMessage).SetElementName("claimMessage");
        cm.MapMember(x => x.ClaimDelivery).SetElementName("claimDelivery").SetSerializer(MongoMappings.StandardGuid);
        cm.MapMember(x => x.ClaimedUntil).SetElementName("claimedUntil").SetSerializer(MongoMappings.Time);
    }
}

/// <summary>The confirmation a pending transition sends (<c>pending.reply</c>), kept so a re-send sends the same text.</summary>
internal sealed class PendingReplyDocument
{
    public string? From { get; set; }

    public string Body { get; set; } = "";

    public ConfirmationKind Kind { get; set; }

    public string Language { get; set; } = "";

    // Named Of, not From as elsewhere: From is the sender's number here.
    public static PendingReplyDocument? Of(ConfirmationTarget? reply) => reply is null
        ? null
        : new PendingReplyDocument { From = reply.From, Body = reply.Body, Kind = reply.Kind, Language = reply.Language };

    public ConfirmationTarget ToTarget() => new(From, Body, Kind, Language);

    /// <summary>The element names, the kind as a string (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<PendingReplyDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.From).SetElementName("from");
        cm.MapMember(x => x.Body).SetElementName("body");
        cm.MapMember(x => x.Kind).SetElementName("kind").SetSerializer(new EnumSerializer<ConfirmationKind>(BsonType.String));
        cm.MapMember(x => x.Language).SetElementName("language");
    }
}
