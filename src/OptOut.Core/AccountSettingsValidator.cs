using System.Globalization;
using OptOut.Contracts;
using OptOut.Core.Compliance;
using OptOut.Core.Keywords;

namespace OptOut.Core;

/// <summary>
/// Checks an <see cref="UpdateOptOutSettings"/> against the current settings and builds the new ones, or says every
/// reason it can't, each with its field.
/// </summary>
/// <remarks>
/// Keywords are trimmed and upper-cased; blanks are dropped, and a keyword that matches the same texts as an earlier one
/// of its list (<see cref="KeywordMatcher.Normalize"/>: OPT-OUT and OPT OUT, ARRÊT and ARRET) is dropped as a
/// duplicate. A keyword with no letter or digit is an error rather than a silent no-op: it could never match a text.
/// Across the active languages a keyword may have one meaning only: one that is in two kinds, or in two languages, is
/// refused, since the service could not tell which reply (or which language's) the contact wants.
/// </remarks>
internal static class AccountSettingsValidator
{
    private static readonly KeywordKind[] Kinds = [KeywordKind.OptOut, KeywordKind.OptIn, KeywordKind.Help];

    // The keyword of each kind that can't be removed: the carriers' own (CTIA), in English.
    private static readonly string[] Required = ["STOP", "START", "HELP"];

    public static (AccountSettings? Settings, List<SettingsFieldError> Errors) Validate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(current);

        var errors = new List<SettingsFieldError>();
        if (update.AccountId.IsEmpty)
            errors.Add(Error("accountId", "the account id is missing"));

        var callingCode = ValidateCallingCode(update.DefaultCountryCode, errors);
        if (update.AutoOptOutEnabled is null)
            errors.Add(Error("autoOptOutEnabled", "autoOptOutEnabled is required (true or false); left out it is not taken as off"));
        var englishMessage = ValidateMessage(update.OptOutMessage, "optOutMessage", "the opt-out message", errors);
        var englishKeywords = update.Keywords is null ? null : ValidateKeywords(update.Keywords, "keywords", errors);

        var languages = ValidateLanguages(update, current, englishKeywords, englishMessage, errors);
        var active = ValidateActiveLanguages(update.ActiveLanguages, current, errors);
        var threshold = ValidateThreshold(update.PossibleRevocationThreshold, current, errors);
        var reviewDeadline = ValidateReviewDeadline(update.ReviewDeadlineBusinessDays, current, errors);
        var timeZone = ValidateTimeZone(update.TimeZone, current, errors);
        if (errors.Count == 0)
            CheckEachKeywordHasOneMeaning(languages, active, current, errors);

        if (errors.Count > 0)
            return (null, errors);

        return (AccountSettings.Create(
            update.AccountId,
            callingCode,
            update.AutoOptOutEnabled!.Value,
            languages,
            active,
            update.DetectionEnabled ?? current.DetectionEnabled,
            threshold,
            update.ContactOptInOverridesAdmin ?? current.ContactOptInOverridesAdmin,
            reviewDeadline,
            timeZone,
            now,
            update.RequestedBy), errors);
    }

    private static SettingsFieldError Error(string field, string reason) => new() { Field = field, Reason = reason };

    private static string FieldOf(string code, KeywordKind kind) => code == AccountSettings.AlwaysActiveLanguage && kind == KeywordKind.OptOut
        ? "keywords"
        : $"languages[{code}].{kind switch { KeywordKind.OptOut => "optOutKeywords", KeywordKind.OptIn => "optInKeywords", _ => "helpKeywords" }}";

    private static string KindName(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => "opt-out",
        KeywordKind.OptIn => "opt-in",
        _ => "help",
    };

    private static string Named(KeywordKind kind) => kind == KeywordKind.Help ? "a help" : "an " + KindName(kind);

    private static int ValidateCallingCode(string? value, List<SettingsFieldError> errors)
    {
        var text = value.AsSpan().Trim();
        if (text.IsEmpty)
        {
            errors.Add(Error("defaultCountryCode", "the default country code is required, such as 1 or 44"));
            return 0;
        }

        var digits = text[0] == '+' ? text[1..] : text;
        // Calling codes never start with 0; "01" would otherwise quietly become 1.
        if (digits.Length is < 1 or > 3 || digits.ContainsAnyExceptInRange('0', '9') || digits[0] == '0'
            || !PhoneNumberParser.IsKnownCallingCode(int.Parse(digits, CultureInfo.InvariantCulture)))
        {
            errors.Add(Error("defaultCountryCode", $"'{text}' is not a country calling code"));
            return 0;
        }

        return int.Parse(digits, CultureInfo.InvariantCulture);
    }

    private static string ValidateMessage(string? value, string field, string name, List<SettingsFieldError> errors)
    {
        var message = value?.Trim() ?? string.Empty;
        if (message.Length == 0)
            errors.Add(Error(field, $"{name} is empty"));
        else if (message.Length > AccountSettings.MaxOptOutMessageLength)
            errors.Add(Error(field, $"{name} is {message.Length} characters; the limit is {AccountSettings.MaxOptOutMessageLength}"));
        return message;
    }

    private static List<string> ValidateKeywords(IReadOnlyList<string> values, string field, List<SettingsFieldError> errors)
    {
        var keywords = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var keyword = value?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(keyword))
                continue;

            if (keyword.Length > AccountSettings.MaxKeywordLength)
            {
                errors.Add(Error(field, $"the keyword '{keyword[..20]}…' is {keyword.Length} characters; the limit is {AccountSettings.MaxKeywordLength}"));
                continue;
            }

            var normalized = KeywordMatcher.Normalize(keyword);
            if (normalized.Length == 0)
                errors.Add(Error(field, $"the keyword '{keyword}' has no letters or digits, so no message could ever match it"));
            else if (seen.Add(normalized))
                keywords.Add(keyword);
        }

        if (keywords.Count > AccountSettings.MaxKeywords)
            errors.Add(Error(field, $"there are {keywords.Count} keywords; the limit is {AccountSettings.MaxKeywords}"));
        return keywords;
    }

    private static List<LanguageKeywords> ValidateLanguages(UpdateOptOutSettings update, AccountSettings current,
        List<string>? englishKeywords, string englishMessage, List<SettingsFieldError> errors)
    {
        var changes = new Dictionary<string, LanguageSettings>(StringComparer.Ordinal);
        foreach (var change in update.Languages ?? [])
        {
            var shipped = ShippedLanguage.Find(change?.Language);
            if (change is null || shipped is null)
                errors.Add(Error("languages", $"'{change?.Language}' is not a language the service ships; they are {string.Join(", ", ShippedLanguages.All.Select(l => l.Code))}"));
            else if (!changes.TryAdd(shipped.Code, change))
                errors.Add(Error("languages", $"the language '{shipped.Code}' is listed twice"));
        }

        var result = new List<LanguageKeywords>(ShippedLanguages.All.Count);
        foreach (var shipped in ShippedLanguages.All)
        {
            var language = current.Language(shipped.Code);
            if (changes.TryGetValue(shipped.Code, out var change))
                language = Apply(language, change, errors);
            if (shipped.Code == AccountSettings.AlwaysActiveLanguage)
                language = ApplyEnglish(language, change, englishKeywords, englishMessage, errors);
            result.Add(language);
        }

        return result;
    }

    private static LanguageKeywords Apply(LanguageKeywords language, LanguageSettings change, List<SettingsFieldError> errors)
    {
        var code = language.Code;
        string? Message(string? value, string field, string name) =>
            value is null ? null : ValidateMessage(value, $"languages[{code}].{field}", name, errors);

        return language with
        {
            OptOut = change.OptOutKeywords is null ? language.OptOut : ValidateKeywords(change.OptOutKeywords, FieldOf(code, KeywordKind.OptOut), errors),
            OptIn = change.OptInKeywords is null ? language.OptIn : ValidateKeywords(change.OptInKeywords, FieldOf(code, KeywordKind.OptIn), errors),
            Help = change.HelpKeywords is null ? language.Help : ValidateKeywords(change.HelpKeywords, FieldOf(code, KeywordKind.Help), errors),
            OptOutMessage = Message(change.OptOutMessage, "optOutMessage", "the opt-out message") ?? language.OptOutMessage,
            OptInMessage = Message(change.OptInMessage, "optInMessage", "the opt-in message") ?? language.OptInMessage,
            HelpMessage = Message(change.HelpMessage, "helpMessage", "the help message") ?? language.HelpMessage,
        };
    }

    // The original fields (keywords, optOutMessage) are English's opt-out list and message; languages[en] may say the
    // same, but not something else.
    private static LanguageKeywords ApplyEnglish(LanguageKeywords english, LanguageSettings? change, List<string>? keywords,
        string message, List<SettingsFieldError> errors)
    {
        if (keywords is not null && change?.OptOutKeywords is not null
            && !keywords.Select(KeywordMatcher.Normalize).SequenceEqual(english.OptOut.Select(KeywordMatcher.Normalize)))
            errors.Add(Error("keywords", "keywords and languages[en].optOutKeywords are both English's opt-out keywords and they differ; send one of them"));
        if (change?.OptOutMessage is not null && change.OptOutMessage.Trim() != message)
            errors.Add(Error("optOutMessage", "optOutMessage and languages[en].optOutMessage are both the English opt-out message and they differ; send one of them"));

        english = english with { OptOut = keywords ?? english.OptOut, OptOutMessage = message };
        for (var i = 0; i < Kinds.Length; i++)
        {
            if (!english.Keywords(Kinds[i]).Any(k => KeywordMatcher.Normalize(k) == Required[i]))
                errors.Add(Error(FieldOf(AccountSettings.AlwaysActiveLanguage, Kinds[i]), Kinds[i] == KeywordKind.OptOut
                    ? "STOP cannot be removed from the keywords"
                    : $"{Required[i]} cannot be removed from the {KindName(Kinds[i])} keywords"));
        }

        return english;
    }

    private static List<string> ValidateActiveLanguages(IReadOnlyList<string>? values, AccountSettings current, List<SettingsFieldError> errors)
    {
        if (values is null)
            return [.. current.ActiveLanguages];

        var asked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (ShippedLanguage.Find(value) is { } language)
                asked.Add(language.Code);
            else
                errors.Add(Error("activeLanguages", $"'{value}' is not a language the service ships; they are {string.Join(", ", ShippedLanguages.All.Select(l => l.Code))}"));
        }

        if (!asked.Contains(AccountSettings.AlwaysActiveLanguage))
            errors.Add(Error("activeLanguages", "English can't be turned off: STOP, START and HELP are the carriers' keywords in every account"));
        return [.. ShippedLanguages.All.Select(l => l.Code).Where(asked.Contains)];
    }

    private static double ValidateThreshold(double? value, AccountSettings current, List<SettingsFieldError> errors)
    {
        if (value is not { } threshold)
            return current.PossibleRevocationThreshold;
        if (double.IsNaN(threshold) || threshold < AccountSettings.MinPossibleRevocationThreshold || threshold > AccountSettings.MaxPossibleRevocationThreshold)
            errors.Add(Error("possibleRevocationThreshold", string.Create(CultureInfo.InvariantCulture,
                $"the possible-revocation threshold is {threshold}; it must be from {AccountSettings.MinPossibleRevocationThreshold} to {AccountSettings.MaxPossibleRevocationThreshold} (revocations start at {AccountSettings.RevocationScore})")));
        return threshold;
    }

    private static int ValidateReviewDeadline(int? value, AccountSettings current, List<SettingsFieldError> errors)
    {
        if (value is not { } days)
            return current.ReviewDeadlineBusinessDays;
        if (days is < BusinessCalendar.MinDeadlineBusinessDays or > BusinessCalendar.MaxDeadlineBusinessDays)
            errors.Add(Error("reviewDeadlineBusinessDays", string.Create(CultureInfo.InvariantCulture,
                $"the review deadline is {days} business days; it must be from {BusinessCalendar.MinDeadlineBusinessDays} to {BusinessCalendar.MaxDeadlineBusinessDays} (FCC 24-24 allows at most {BusinessCalendar.MaxDeadlineBusinessDays} to honour a revocation)")));
        return days;
    }

    private static string ValidateTimeZone(string? value, AccountSettings current, List<SettingsFieldError> errors)
    {
        if (value is null)
            return current.TimeZone;
        if (AccountTimeZone.TryFind(value, out _, out var reason))
            return value;
        errors.Add(Error("timeZone", reason));
        return value;
    }

    private static void CheckEachKeywordHasOneMeaning(List<LanguageKeywords> languages, List<string> active, AccountSettings current,
        List<SettingsFieldError> errors)
    {
        var owners = new Dictionary<string, Use>(StringComparer.Ordinal);
        foreach (var language in languages.Where(l => active.Contains(l.Code)))
        {
            foreach (var kind in Kinds)
            {
                foreach (var keyword in language.Keywords(kind))
                {
                    var normalized = KeywordMatcher.Normalize(keyword);
                    var use = new Use(language.Code, kind, keyword);
                    // Two spellings in one list (English ships OPT OUT and OPT-OUT) are one keyword, not two meanings.
                    if (!owners.TryAdd(normalized, use) && owners[normalized] is var owner && (owner.Code, owner.Kind) != (use.Code, use.Kind))
                        errors.Add(Collision(owner, use, normalized, current));
                }
            }
        }
    }

    private readonly record struct Use(string Code, KeywordKind Kind, string Keyword);

    // The reason goes next to the list the keyword was just added to (ARRET added to English while French is active: at
    // "keywords", naming fr), so the administrator sees it where they typed it; when both or neither are new (a language
    // turned on), next to the later list.
    private static SettingsFieldError Collision(Use first, Use second, string normalized, AccountSettings current)
    {
        bool IsNew(Use use) => !current.Language(use.Code).Keywords(use.Kind).Any(k => KeywordMatcher.Normalize(k) == normalized);
        var (at, other) = IsNew(first) && !IsNew(second) ? (first, second) : (second, first);
        return Error(FieldOf(at.Code, at.Kind), at.Code == other.Code
            ? $"'{at.Keyword}' is both {Named(other.Kind)} and {Named(at.Kind)} keyword of {at.Code}; a keyword has one meaning"
            : $"'{at.Keyword}' of {at.Code} is already '{other.Keyword}', {Named(other.Kind)} keyword of {other.Code} (active too); a text must mean one thing");
    }
}
