using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace OptOut.Storage.Mongo;

/// <summary>
/// Registers the class map of every stored document once per process. Each map lives next to its document (the
/// <c>Map</c> method of each <c>*Document</c> class): camelCase element names, enums as strings (readable, and stable if
/// enum members are reordered), account ids as strings (<see cref="AccountIdSerializer"/>), other GUIDs as standard UUIDs,
/// times at full tick precision.
/// </summary>
internal static class MongoMappings
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>
    /// Every time is stored as <c>{ DateTime, Ticks, Offset }</c>, a queryable date plus the exact ticks: MongoDB dates
    /// hold milliseconds, and the event-time rules compare exact DateTimeOffsets (a tie goes to opt-out).
    /// </summary>
    public static readonly DateTimeOffsetSerializer Time = new(BsonType.Document);

    public static readonly NullableSerializer<DateTimeOffset> NullableTime = new(Time);

    public static readonly GuidSerializer StandardGuid = new(GuidRepresentation.Standard);

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;

            // GUIDs are standard UUIDs (binary subtype 4), which every driver reads alike. TryRegister because the host or
            // another library may have registered one first (registering twice throws); the members name their serializer anyway.
            BsonSerializer.TryRegisterSerializer(new GuidSerializer(GuidRepresentation.Standard));

            BsonClassMap.TryRegisterClassMap<LanguageCustomizationDocument>(LanguageCustomizationDocument.Map);
            BsonClassMap.TryRegisterClassMap<LanguageSettingsDocument>(LanguageSettingsDocument.Map);
            BsonClassMap.TryRegisterClassMap<DetectionDocument>(DetectionDocument.Map);
            BsonClassMap.TryRegisterClassMap<HistoryDocument>(HistoryDocument.Map);
            BsonClassMap.TryRegisterClassMap<PendingReplyDocument>(PendingReplyDocument.Map);
            BsonClassMap.TryRegisterClassMap<PendingDocument>(PendingDocument.Map);
            BsonClassMap.TryRegisterClassMap<OptOutDocument>(OptOutDocument.Map);
            BsonClassMap.TryRegisterClassMap<SettingsDocument>(SettingsDocument.Map);
            BsonClassMap.TryRegisterClassMap<CountsDocument>(CountsDocument.Map);
            BsonClassMap.TryRegisterClassMap<RejectedRowDocument>(RejectedRowDocument.Map);
            BsonClassMap.TryRegisterClassMap<BulkUploadDocument>(BulkUploadDocument.Map);
            BsonClassMap.TryRegisterClassMap<ReviewItemDocument>(ReviewItemDocument.Map);

            _registered = true;
        }
    }
}
