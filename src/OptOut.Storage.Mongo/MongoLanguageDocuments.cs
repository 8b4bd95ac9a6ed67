using MongoDB.Bson.Serialization;
using OptOut.Core;
using OptOut.Core.Compliance;
using OptOut.Core.Keywords;

namespace OptOut.Storage.Mongo;

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

    public int ReviewDeadlineBusinessDays { get; set; } = AccountSettings.DefaultReviewDeadlineBusinessDays;

    public string TimeZone { get; set; } = AccountTimeZone.DefaultId;

    public static LanguageSettingsDocument From(StoredLanguageSettings stored) => new()
    {
        InactiveLanguages = [.. stored.InactiveLanguages],
        Languages = [.. stored.Languages.Select(LanguageCustomizationDocument.From)],
        DetectionEnabled = stored.DetectionEnabled,
        PossibleRevocationThreshold = stored.PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = stored.ContactOptInOverridesAdmin,
        ReviewDeadlineBusinessDays = stored.ReviewDeadlineBusinessDays,
        TimeZone = stored.TimeZone,
    };

    public StoredLanguageSettings ToStored() => new()
    {
        InactiveLanguages = InactiveLanguages,
        Languages = Languages.ConvertAll(l => l.ToCustomization()),
        DetectionEnabled = DetectionEnabled,
        PossibleRevocationThreshold = PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = ContactOptInOverridesAdmin,
        ReviewDeadlineBusinessDays = ReviewDeadlineBusinessDays,
        TimeZone = TimeZone,
    };

    /// <summary>
    /// The element names (registered by <see cref="MongoMappings.Register"/>). A missing element takes the default
    /// the map names (the driver would otherwise set null or zero, not the property's initial value), so a document
    /// written before one of these fields existed still reads.
    /// </summary>
    public static void Map(BsonClassMap<LanguageSettingsDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.InactiveLanguages).SetElementName("inactiveLanguages").SetDefaultValue(() => new List<string>());
        cm.MapMember(x => x.Languages).SetElementName("languages").SetDefaultValue(() => new List<LanguageCustomizationDocument>());
        cm.MapMember(x => x.DetectionEnabled).SetElementName("detectionEnabled").SetDefaultValue(true);
        cm.MapMember(x => x.PossibleRevocationThreshold).SetElementName("possibleRevocationThreshold")
            .SetDefaultValue(AccountSettings.DefaultPossibleRevocationThreshold);
        cm.MapMember(x => x.ContactOptInOverridesAdmin).SetElementName("contactOptInOverridesAdmin").SetDefaultValue(false);
        cm.MapMember(x => x.ReviewDeadlineBusinessDays).SetElementName("reviewDeadlineBusinessDays")
            .SetDefaultValue(AccountSettings.DefaultReviewDeadlineBusinessDays);
        cm.MapMember(x => x.TimeZone).SetElementName("timeZone").SetDefaultValue(AccountTimeZone.DefaultId);
    }
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

    /// <summary>
    /// The element names (registered by <see cref="MongoMappings.Register"/>). A missing list reads as empty (the
    /// driver would otherwise set null), so a document written before one of them existed still reads.
    /// </summary>
    public static void Map(BsonClassMap<LanguageCustomizationDocument> cm)
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
    }
}
