using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Storage.Mongo;

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
}

/// <summary>
/// An account's language settings (<c>languages</c> of its settings document): what differs from the shipped languages
/// (<see cref="StoredLanguageSettings"/>). Absent from a document saved before languages existed, which then reads as
/// every shipped language with its English keywords and message (<see cref="AccountSettings.Restore"/>).
/// </summary>
internal sealed class LanguageSettingsDocument
{
    public List<string> InactiveLanguages { get; set; } = [];

    public List<LanguageCustomizationDocument> Languages { get; set; } = [];

    public bool DetectionEnabled { get; set; } = true;

    public double PossibleRevocationThreshold { get; set; } = AccountSettings.DefaultPossibleRevocationThreshold;

    public bool ContactOptInOverridesAdmin { get; set; }

    public static LanguageSettingsDocument From(StoredLanguageSettings stored) => new()
    {
        InactiveLanguages = [.. stored.InactiveLanguages],
        Languages = [.. stored.Languages.Select(LanguageCustomizationDocument.From)],
        DetectionEnabled = stored.DetectionEnabled,
        PossibleRevocationThreshold = stored.PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = stored.ContactOptInOverridesAdmin,
    };

    public StoredLanguageSettings ToStored() => new()
    {
        InactiveLanguages = InactiveLanguages,
        Languages = Languages.ConvertAll(l => l.ToCustomization()),
        DetectionEnabled = DetectionEnabled,
        PossibleRevocationThreshold = PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = ContactOptInOverridesAdmin,
    };
}

/// <summary>What an account changed in one shipped language (<see cref="LanguageCustomization"/>).</summary>
internal sealed class LanguageCustomizationDocument
{
    public string Code { get; set; } = "";

    public List<string> AddedOptOut { get; set; } = [];

    public List<string> RemovedOptOut { get; set; } = [];

    public List<string> AddedOptIn { get; set; } = [];

    public List<string> RemovedOptIn { get; set; } = [];

    public List<string> AddedHelp { get; set; } = [];

    public List<string> RemovedHelp { get; set; } = [];

    public string? OptOutMessage { get; set; }

    public string? OptInMessage { get; set; }

    public string? HelpMessage { get; set; }

    public static LanguageCustomizationDocument From(LanguageCustomization customization) => new()
    {
        Code = customization.Code,
        AddedOptOut = [.. customization.AddedOptOut],
        RemovedOptOut = [.. customization.RemovedOptOut],
        AddedOptIn = [.. customization.AddedOptIn],
        RemovedOptIn = [.. customization.RemovedOptIn],
        AddedHelp = [.. customization.AddedHelp],
        RemovedHelp = [.. customization.RemovedHelp],
        OptOutMessage = customization.OptOutMessage,
        OptInMessage = customization.OptInMessage,
        HelpMessage = customization.HelpMessage,
    };

    public LanguageCustomization ToCustomization() => new()
    {
        Code = Code,
        AddedOptOut = AddedOptOut,
        RemovedOptOut = RemovedOptOut,
        AddedOptIn = AddedOptIn,
        RemovedOptIn = RemovedOptIn,
        AddedHelp = AddedHelp,
        RemovedHelp = RemovedHelp,
        OptOutMessage = OptOutMessage,
        OptInMessage = OptInMessage,
        HelpMessage = HelpMessage,
    };
}

/// <summary>
/// The class maps of the documents above, registered by <see cref="MongoMappings.Register"/>: camelCase element names,
/// the method as a string. A missing element takes the default the map names (the driver would otherwise set null or
/// zero, not the property's initial value), so a document written before one of these fields existed still reads.
/// </summary>
internal static class MongoLanguageMappings
{
    public static void Register()
    {
        BsonClassMap.TryRegisterClassMap<DetectionDocument>(cm =>
        {
            cm.SetIgnoreExtraElements(true);
            cm.MapMember(x => x.Method).SetElementName("method").SetSerializer(new EnumSerializer<DetectionMethod>(BsonType.String));
            cm.MapMember(x => x.Language).SetElementName("language");
            cm.MapMember(x => x.Matched).SetElementName("matched");
            cm.MapMember(x => x.Score).SetElementName("score");
            cm.MapMember(x => x.Reason).SetElementName("reason");
        });

        BsonClassMap.TryRegisterClassMap<LanguageCustomizationDocument>(cm =>
        {
            cm.SetIgnoreExtraElements(true);
            cm.MapMember(x => x.Code).SetElementName("code");
            cm.MapMember(x => x.AddedOptOut).SetElementName("addedOptOut").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.RemovedOptOut).SetElementName("removedOptOut").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.AddedOptIn).SetElementName("addedOptIn").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.RemovedOptIn).SetElementName("removedOptIn").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.AddedHelp).SetElementName("addedHelp").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.RemovedHelp).SetElementName("removedHelp").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.OptOutMessage).SetElementName("optOutMessage");
            cm.MapMember(x => x.OptInMessage).SetElementName("optInMessage");
            cm.MapMember(x => x.HelpMessage).SetElementName("helpMessage");
        });

        BsonClassMap.TryRegisterClassMap<LanguageSettingsDocument>(cm =>
        {
            cm.SetIgnoreExtraElements(true);
            cm.MapMember(x => x.InactiveLanguages).SetElementName("inactiveLanguages").SetDefaultValue(() => new List<string>());
            cm.MapMember(x => x.Languages).SetElementName("languages").SetDefaultValue(() => new List<LanguageCustomizationDocument>());
            cm.MapMember(x => x.DetectionEnabled).SetElementName("detectionEnabled").SetDefaultValue(true);
            cm.MapMember(x => x.PossibleRevocationThreshold).SetElementName("possibleRevocationThreshold")
                .SetDefaultValue(AccountSettings.DefaultPossibleRevocationThreshold);
            cm.MapMember(x => x.ContactOptInOverridesAdmin).SetElementName("contactOptInOverridesAdmin").SetDefaultValue(false);
        });
    }
}
