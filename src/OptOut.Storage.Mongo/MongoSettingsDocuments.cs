using MongoDB.Bson.Serialization;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>
/// An account's settings (collection <c>optOutSettings</c>); <c>_id</c> is the account id, so there is one document per
/// account. Its languages are a subdocument (<see cref="LanguageSettingsDocument"/>).
/// </summary>
internal sealed class SettingsDocument
{
    public AccountId AccountId { get; set; }

    public int DefaultCountryCode { get; set; }

    public bool AutoOptOutEnabled { get; set; }

    public string OptOutMessage { get; set; } = "";

    public List<string> Keywords { get; set; } = [];

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>Null in a document saved before languages existed; <see cref="OptOutMessage"/> and <see cref="Keywords"/> are English's in every document.</summary>
    public LanguageSettingsDocument? Languages { get; set; }

    public static SettingsDocument From(AccountSettings settings) => new()
    {
        AccountId = settings.AccountId,
        DefaultCountryCode = settings.DefaultCountryCode,
        AutoOptOutEnabled = settings.AutoOptOutEnabled,
        OptOutMessage = settings.OptOutMessage,
        Keywords = [.. settings.Keywords],
        UpdatedAt = settings.UpdatedAt?.ToUniversalTime(),
        UpdatedBy = settings.UpdatedBy,
        Languages = LanguageSettingsDocument.From(settings.ToStored()),
    };

    public AccountSettings ToSettings() => AccountSettings.Restore(
        AccountId, DefaultCountryCode, AutoOptOutEnabled, OptOutMessage, Keywords, UpdatedAt, UpdatedBy, Languages?.ToStored());

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<SettingsDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapIdMember(x => x.AccountId).SetSerializer(AccountIdSerializer.Instance);
        cm.MapMember(x => x.DefaultCountryCode).SetElementName("defaultCountryCode");
        cm.MapMember(x => x.AutoOptOutEnabled).SetElementName("autoOptOutEnabled");
        cm.MapMember(x => x.OptOutMessage).SetElementName("optOutMessage");
        cm.MapMember(x => x.Keywords).SetElementName("keywords");
        cm.MapMember(x => x.UpdatedAt).SetElementName("updatedAt").SetSerializer(MongoMappings.NullableTime);
        cm.MapMember(x => x.UpdatedBy).SetElementName("updatedBy");
        cm.MapMember(x => x.Languages).SetElementName("languages").SetIgnoreIfNull(true).SetDefaultValue((LanguageSettingsDocument?)null);
    }
}
