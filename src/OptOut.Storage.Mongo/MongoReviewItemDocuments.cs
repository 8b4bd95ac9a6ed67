using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core.Compliance;

namespace OptOut.Storage.Mongo;

/// <summary>
/// A review item (<see cref="ReviewItem"/>) in collection <c>reviewItems</c>: <c>_id</c> is the item's id (a standard
/// UUID), the account its id string, times <c>{ DateTime, Ticks, Offset }</c> in UTC as everywhere here, plus the
/// due-work claim (<c>claimedUntil</c>, the minimum time while never claimed), which the item itself does not carry.
/// </summary>
internal sealed class ReviewItemDocument
{
    public Guid Id { get; set; }

    public AccountId AccountId { get; set; }

    public string Phone { get; set; } = "";

    public string Text { get; set; } = "";

    public string? Reason { get; set; }

    public double Score { get; set; }

    public DetectionDocument? Detection { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public ReviewState State { get; set; }

    public string? ResolvedBy { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public string? Note { get; set; }

    public string? ConversationId { get; set; }

    public string? CampaignId { get; set; }

    public string? ProviderMessageId { get; set; }

    public string? To { get; set; }

    public DateTimeOffset ClaimedUntil { get; set; }

    public static ReviewItemDocument From(ReviewItem item) => new()
    {
        Id = item.Id,
        AccountId = item.AccountId,
        Phone = item.Phone,
        Text = item.Text,
        Reason = item.Reason,
        Score = item.Score,
        Detection = DetectionDocument.From(item.Detection),
        ReceivedAt = item.ReceivedAt.ToUniversalTime(),
        Deadline = item.Deadline.ToUniversalTime(),
        State = item.State,
        ResolvedBy = item.ResolvedBy,
        ResolvedAt = item.ResolvedAt?.ToUniversalTime(),
        Note = item.Note,
        ConversationId = item.ConversationId,
        CampaignId = item.CampaignId,
        ProviderMessageId = item.ProviderMessageId,
        To = item.To,
        ClaimedUntil = DateTimeOffset.MinValue,
    };

    public ReviewItem ToItem() => new(AccountId, Id, Phone, Text, Reason, Score, Detection?.ToDetection(), ReceivedAt, Deadline, State,
        ResolvedBy, ResolvedAt, Note, ConversationId, CampaignId, ProviderMessageId, To);

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<ReviewItemDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapIdMember(x => x.Id).SetSerializer(MongoMappings.StandardGuid);
        cm.MapMember(x => x.AccountId).SetElementName("accountId").SetSerializer(AccountIdSerializer.Instance);
        cm.MapMember(x => x.Phone).SetElementName("phone");
        cm.MapMember(x => x.Text).SetElementName("text");
        cm.MapMember(x => x.Reason).SetElementName("reason");
        cm.MapMember(x => x.Score).SetElementName("score");
        cm.MapMember(x => x.Detection).SetElementName("detection").SetIgnoreIfNull(true).SetDefaultValue((DetectionDocument?)null);
        cm.MapMember(x => x.ReceivedAt).SetElementName("receivedAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.Deadline).SetElementName("deadline").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.State).SetElementName("state").SetSerializer(new EnumSerializer<ReviewState>(BsonType.String));
        cm.MapMember(x => x.ResolvedBy).SetElementName("resolvedBy");
        cm.MapMember(x => x.ResolvedAt).SetElementName("resolvedAt").SetSerializer(MongoMappings.NullableTime);
        cm.MapMember(x => x.Note).SetElementName("note");
        cm.MapMember(x => x.ConversationId).SetElementName("conversationId");
        cm.MapMember(x => x.CampaignId).SetElementName("campaignId");
        cm.MapMember(x => x.ProviderMessageId).SetElementName("providerMessageId");
        cm.MapMember(x => x.To).SetElementName("to");
        cm.MapMember(x => x.ClaimedUntil).SetElementName("claimedUntil").SetSerializer(MongoMappings.Time);
    }
}
