namespace OptOut.Core.Keywords;

/// <summary>
/// The part of an account's settings that stores keep beyond the original columns (calling code, auto opt-out, the
/// English opt-out message and keywords): languages, per-language customizations, detection, review deadlines. Null in a store means an
/// account saved before these existed: it gets every shipped language and its English keywords and message as saved.
/// </summary>
public sealed record StoredLanguageSettings
{
    /// <summary>Languages the account turned off. Kept instead of the active ones so a language shipped later is active for everyone.</summary>
    public IReadOnlyList<string> InactiveLanguages { get; init; } = [];

    /// <summary>The languages the account changed; a language not listed is as shipped.</summary>
    public IReadOnlyList<LanguageCustomization> Languages { get; init; } = [];

    public bool DetectionEnabled { get; init; } = true;

    public double PossibleRevocationThreshold { get; init; } = AccountSettings.DefaultPossibleRevocationThreshold;

    public bool ContactOptInOverridesAdmin { get; init; }

    public int ReviewDeadlineBusinessDays { get; init; } = AccountSettings.DefaultReviewDeadlineBusinessDays;

    public string TimeZone { get; init; } = Compliance.AccountTimeZone.DefaultId;
}
