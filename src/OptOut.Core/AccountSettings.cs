using OptOut.Contracts;
using OptOut.Core.Compliance;
using OptOut.Core.Keywords;

namespace OptOut.Core;

/// <summary>
/// An account's opt-out settings. Only <see cref="Defaults"/>, <see cref="Validate"/> and <see cref="Restore"/> build
/// one, so stored and cached settings are always valid: a calling code libphonenumber knows, 1–320 character messages,
/// keyword lists that keep STOP, START and HELP and never give one text two meanings (<see cref="AccountSettingsValidator"/>).
/// </summary>
public sealed record AccountSettings
{
    /// <summary>Carriers require a confirmation; this one is used until the account writes its own (CTIA guidelines).</summary>
    public const string DefaultOptOutMessage =
        "You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.";

    public const int MaxOptOutMessageLength = 320;

    public const int MaxKeywordLength = 50;

    /// <summary>Per language and kind: every inbound text is looked up among them, so the lists stay short.</summary>
    public const int MaxKeywords = 100;

    /// <summary>Scores from this up are revocations (opted out); fixed, so "revocation" means the same in every account.</summary>
    public const double RevocationScore = 0.8;

    public const double DefaultPossibleRevocationThreshold = 0.5;

    public const double MinPossibleRevocationThreshold = 0.1;

    public const double MaxPossibleRevocationThreshold = 0.75;

    /// <summary>Possible revocations are reviewed by the end of the next business day unless the account allows more (at most 10).</summary>
    public const int DefaultReviewDeadlineBusinessDays = BusinessCalendar.MinDeadlineBusinessDays;

    /// <summary>English is always active: its STOP, START and HELP are the carriers' own keywords.</summary>
    public const string AlwaysActiveLanguage = "en";

    /// <summary>The English opt-out defaults.</summary>
    public static IReadOnlyList<string> DefaultKeywords => ShippedLanguages.All[0].OptOut;

    private AccountSettings()
    {
    }

    public AccountId AccountId { get; private init; }

    public int DefaultCountryCode { get; private init; }

    public bool AutoOptOutEnabled { get; private init; }

    /// <summary>Every shipped language's lists and messages in force, in shipped order (active or not).</summary>
    public IReadOnlyList<LanguageKeywords> Languages { get; private init; } = [];

    /// <summary>Codes of the languages whose keywords and phrases are recognised, in shipped order; always has English.</summary>
    public IReadOnlyList<string> ActiveLanguages { get; private init; } = [];

    /// <summary>Whether texts that are not keywords are read for natural-language revocations (on by default).</summary>
    public bool DetectionEnabled { get; private init; } = true;

    /// <summary>Detector scores from this up (and below <see cref="RevocationScore"/>) are published for review.</summary>
    public double PossibleRevocationThreshold { get; private init; } = DefaultPossibleRevocationThreshold;

    /// <summary>Whether a contact's START also resumes a number an administrator opted out (off by default).</summary>
    public bool ContactOptInOverridesAdmin { get; private init; }

    /// <summary>
    /// Business days (1–10, <see cref="BusinessCalendar"/>) an administrator has to review a possible revocation before
    /// it is opted out automatically.
    /// </summary>
    public int ReviewDeadlineBusinessDays { get; private init; } = DefaultReviewDeadlineBusinessDays;

    /// <summary>The IANA time zone the account's business days are counted in (<see cref="AccountTimeZone"/>).</summary>
    public string TimeZone { get; private init; } = AccountTimeZone.DefaultId;

    /// <summary>The English opt-out confirmation (the original setting; other languages' are in <see cref="Languages"/>).</summary>
    public string OptOutMessage => Language(AlwaysActiveLanguage).OptOutMessage;

    /// <summary>The English opt-out keywords as entered (the original setting).</summary>
    public IReadOnlyList<string> Keywords => Language(AlwaysActiveLanguage).OptOut;

    public DateTimeOffset? UpdatedAt { get; private init; }

    public string? UpdatedBy { get; private init; }

    /// <summary>The lists and messages of a shipped language.</summary>
    public LanguageKeywords Language(string code) =>
        Languages.FirstOrDefault(l => l.Code == code) ?? throw new ArgumentOutOfRangeException(nameof(code), code, "not a shipped language");

    public bool IsActive(string code) => ActiveLanguages.Contains(code, StringComparer.Ordinal);

    /// <summary>Settings of an account that never changed them: calling code 1, auto opt-out and detection on, every shipped language as shipped.</summary>
    public static AccountSettings Defaults(AccountId accountId) => new()
    {
        AccountId = accountId,
        DefaultCountryCode = 1,
        AutoOptOutEnabled = true,
        Languages = [.. ShippedLanguages.All.Select(LanguageKeywords.Shipped)],
        ActiveLanguages = [.. ShippedLanguages.All.Select(l => l.Code)],
    };

    /// <summary>
    /// Validates an update against the current settings. Returns the new settings, or every reason it is invalid (all
    /// of them at once, so an administrator fixes the form in one go), each with the field it is about.
    /// </summary>
    public static (AccountSettings? Settings, List<SettingsFieldError> Errors) Validate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now) =>
        AccountSettingsValidator.Validate(update, current, now);

    /// <summary>As <see cref="Validate"/>, with the reasons alone.</summary>
    public static (AccountSettings? Settings, IReadOnlyList<string> Errors) TryCreate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now)
    {
        var (settings, errors) = Validate(update, current, now);
        return (settings, errors.ConvertAll(e => e.Reason));
    }

    internal static AccountSettings Create(AccountId accountId, int defaultCountryCode, bool autoOptOutEnabled,
        IReadOnlyList<LanguageKeywords> languages, IReadOnlyList<string> activeLanguages, bool detectionEnabled,
        double possibleRevocationThreshold, bool contactOptInOverridesAdmin, int reviewDeadlineBusinessDays, string timeZone,
        DateTimeOffset? updatedAt, string? updatedBy) => new()
    {
        AccountId = accountId,
        DefaultCountryCode = defaultCountryCode,
        AutoOptOutEnabled = autoOptOutEnabled,
        Languages = languages,
        ActiveLanguages = activeLanguages,
        DetectionEnabled = detectionEnabled,
        PossibleRevocationThreshold = possibleRevocationThreshold,
        ContactOptInOverridesAdmin = contactOptInOverridesAdmin,
        ReviewDeadlineBusinessDays = reviewDeadlineBusinessDays,
        TimeZone = timeZone,
        UpdatedAt = updatedAt,
        UpdatedBy = updatedBy,
    };

    /// <summary>
    /// Rebuilds settings read back from a store (they were validated when written). <paramref name="languages"/> null is
    /// an account saved before languages existed: its English opt-out keywords and message are
    /// <paramref name="keywords"/> and <paramref name="optOutMessage"/>, and every shipped language is active.
    /// </summary>
    public static AccountSettings Restore(AccountId accountId, int defaultCountryCode, bool autoOptOutEnabled, string optOutMessage,
        IReadOnlyList<string> keywords, DateTimeOffset? updatedAt, string? updatedBy, StoredLanguageSettings? languages = null)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        var stored = languages ?? FromBeforeLanguages(keywords, optOutMessage);
        var customized = stored.Languages.ToDictionary(c => c.Code, StringComparer.Ordinal);
        return Create(
            accountId,
            defaultCountryCode,
            autoOptOutEnabled,
            [.. ShippedLanguages.All.Select(l => customized.TryGetValue(l.Code, out var c) ? c.Apply(l) : LanguageKeywords.Shipped(l))],
            [.. ShippedLanguages.All.Select(l => l.Code).Where(c => c == AlwaysActiveLanguage || !stored.InactiveLanguages.Contains(c))],
            stored.DetectionEnabled,
            stored.PossibleRevocationThreshold,
            stored.ContactOptInOverridesAdmin,
            stored.ReviewDeadlineBusinessDays,
            stored.TimeZone,
            updatedAt,
            updatedBy);
    }

    // An account saved before languages existed keeps every keyword it had, with its meaning, and gains the shipped
    // languages. A word it added that a language now ships as an opt-out keyword (ARRET) moves to that language (it
    // still opts out; the confirmation is that language's); one that a language ships with another meaning is removed
    // from that language for this account, so the account's opt-out keeps working as before (compliance first) and its
    // settings stay valid to save.
    private static StoredLanguageSettings FromBeforeLanguages(IReadOnlyList<string> keywords, string optOutMessage)
    {
        var english = ShippedLanguages.All[0];
        var kept = new List<string>();
        var removed = new Dictionary<string, (List<string> OptIn, List<string> Help)>(StringComparer.Ordinal);
        foreach (var keyword in keywords)
        {
            var normalized = KeywordMatcher.Normalize(keyword);
            var elsewhere = false;
            foreach (var language in ShippedLanguages.All.Skip(1))
            {
                if (language.OptOut.Any(k => KeywordMatcher.Normalize(k) == normalized))
                {
                    elsewhere = true;
                    continue;
                }

                var lists = removed.TryGetValue(language.Code, out var l) ? l : removed[language.Code] = ([], []);
                lists.OptIn.AddRange(language.OptIn.Where(k => KeywordMatcher.Normalize(k) == normalized));
                lists.Help.AddRange(language.Help.Where(k => KeywordMatcher.Normalize(k) == normalized));
            }

            if (!elsewhere || normalized == "STOP")
                kept.Add(keyword);
        }

        return new StoredLanguageSettings
        {
            Languages =
            [
                LanguageCustomization.Between(english, LanguageKeywords.Shipped(english) with { OptOut = kept, OptOutMessage = optOutMessage }),
                .. removed.Where(r => r.Value.OptIn.Count + r.Value.Help.Count > 0)
                    .Select(r => new LanguageCustomization { Code = r.Key, RemovedOptIn = r.Value.OptIn, RemovedHelp = r.Value.Help }),
            ],
        };
    }

    /// <summary>What a store keeps besides the original columns: the difference from the shipped languages.</summary>
    public StoredLanguageSettings ToStored() => new()
    {
        InactiveLanguages = [.. ShippedLanguages.All.Select(l => l.Code).Where(c => !IsActive(c))],
        Languages = [.. ShippedLanguages.All
            .Select(l => LanguageCustomization.Between(l, Language(l.Code)))
            .Where(c => !c.IsEmpty)],
        DetectionEnabled = DetectionEnabled,
        PossibleRevocationThreshold = PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = ContactOptInOverridesAdmin,
        ReviewDeadlineBusinessDays = ReviewDeadlineBusinessDays,
        TimeZone = TimeZone,
    };
}
