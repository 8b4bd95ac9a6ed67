using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Storage.Mongo;

/// <summary>One transition of a record, in its embedded <c>history</c> array (the evidence of every change).</summary>
internal sealed class HistoryDocument
{
    public OptState State { get; set; }

    public OptOutSource Source { get; set; }

    public DateTimeOffset At { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public string? Actor { get; set; }

    public string? Note { get; set; }

    public string CausationId { get; set; } = "";

    public string? ConversationId { get; set; }

    public string? CampaignId { get; set; }

    public DetectionDocument? Detection { get; set; }

    public static HistoryDocument From(OptOutHistoryEntry entry) => new()
    {
        State = entry.State,
        Source = entry.Source,
        At = entry.At.ToUniversalTime(),
        RecordedAt = entry.RecordedAt.ToUniversalTime(),
        Actor = entry.Actor,
        Note = entry.Note,
        CausationId = entry.CausationId,
        ConversationId = entry.ConversationId,
        CampaignId = entry.CampaignId,
        Detection = DetectionDocument.From(entry.Detection),
    };

    public OptOutHistoryEntry ToEntry() => new()
    {
        State = State,
        Source = Source,
        At = At,
        RecordedAt = RecordedAt,
        Actor = Actor,
        Note = Note,
        CausationId = CausationId,
        ConversationId = ConversationId,
        CampaignId = CampaignId,
        Detection = Detection?.ToDetection(),
    };

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<HistoryDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.State).SetElementName("state").SetSerializer(new EnumSerializer<OptState>(BsonType.String));
        cm.MapMember(x => x.Source).SetElementName("source").SetSerializer(new EnumSerializer<OptOutSource>(BsonType.String));
        cm.MapMember(x => x.At).SetElementName("at").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.RecordedAt).SetElementName("recordedAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.Actor).SetElementName("actor");
        cm.MapMember(x => x.Note).SetElementName("note");
        cm.MapMember(x => x.CausationId).SetElementName("causationId");
        cm.MapMember(x => x.ConversationId).SetElementName("conversationId");
        cm.MapMember(x => x.CampaignId).SetElementName("campaignId");
        // Only entries a contact's text caused have one: the others (an upload's million) carry no field.
        cm.MapMember(x => x.Detection).SetElementName("detection").SetIgnoreIfNull(true).SetDefaultValue((DetectionDocument?)null);
    }
}

/// <summary>How a contact's text was read, in a history entry (<c>history.detection</c>); absent from entries no text caused.</summary>
internal sealed class DetectionDocument
{
    public DetectionMethod Method { get; set; }

    public string? Language { get; set; }

    public string? Matched { get; set; }

    public double Score { get; set; }

    public string? Reason { get; set; }

    public static DetectionDocument? From(OptOutDetection? detection) => detection is null
        ? null
        : new DetectionDocument
        {
            Method = detection.Method,
            Language = detection.Language,
            Matched = detection.Matched,
            Score = detection.Score,
            Reason = detection.Reason,
        };

    public OptOutDetection ToDetection() => new()
    {
        Method = Method,
        Language = Language,
        Matched = Matched,
        Score = Score,
        Reason = Reason,
    };

    /// <summary>The element names, the method as a string (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<DetectionDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.Method).SetElementName("method").SetSerializer(new EnumSerializer<DetectionMethod>(BsonType.String));
        cm.MapMember(x => x.Language).SetElementName("language");
        cm.MapMember(x => x.Matched).SetElementName("matched");
        cm.MapMember(x => x.Score).SetElementName("score");
        cm.MapMember(x => x.Reason).SetElementName("reason");
    }
}
