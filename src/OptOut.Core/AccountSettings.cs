using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>
/// An account's opt-out settings. Only <see cref="Defaults"/> and <see cref="TryCreate"/> build one, so stored
/// and cached settings are always valid: a calling code libphonenumber knows, a 1–320 character confirmation
/// message, a keyword list that contains STOP.
/// </summary>
public sealed record AccountSettings
{
    /// <summary>Carriers require a confirmation; this one is used until the account writes its own (CTIA guidelines).</summary>
    public const string DefaultOptOutMessage =
        "You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.";

    public const int MaxOptOutMessageLength = 320;

    public const int MaxKeywordLength = 50;

    /// <summary>Every inbound text is compared with each keyword, so the list stays short.</summary>
    public const int MaxKeywords = 100;

    /// <summary>The defaults (DESIGN.md §2).</summary>
    public static readonly IReadOnlyList<string> DefaultKeywords =
        ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT", "OPT-OUT"];

    private AccountSettings()
    {
    }

    public Guid AccountId { get; private init; }

    public int DefaultCountryCode { get; private init; }

    public bool AutoOptOutEnabled { get; private init; }

    public string OptOutMessage { get; private init; } = DefaultOptOutMessage;

    /// <summary>Keywords as entered (trimmed, upper case, no duplicates).</summary>
    public IReadOnlyList<string> Keywords { get; private init; } = DefaultKeywords;

    public DateTimeOffset? UpdatedAt { get; private init; }

    public string? UpdatedBy { get; private init; }

    /// <summary>Settings of an account that never changed them: calling code 1, auto opt-out on (April 2025 FCC rules), default message and keywords.</summary>
    public static AccountSettings Defaults(Guid accountId) => new()
    {
        AccountId = accountId,
        DefaultCountryCode = 1,
        AutoOptOutEnabled = true,
        OptOutMessage = DefaultOptOutMessage,
        Keywords = DefaultKeywords,
    };

    /// <summary>
    /// Validates an update against the current settings. Returns the new settings, or every reason it is invalid
    /// (all of them at once, so an administrator fixes the form in one go).
    /// </summary>
    /// <remarks>
    /// Keywords are trimmed and upper-cased; blanks are dropped, and a keyword that matches the same messages as
    /// an earlier one (<see cref="KeywordMatcher.Normalize"/>: OPT-OUT and OPT OUT) is dropped as a duplicate. A
    /// keyword with no letter or digit is an error rather than a silent no-op: it could never match a message.
    /// </remarks>
    public static (AccountSettings? Settings, IReadOnlyList<string> Errors) TryCreate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now)
    {
        var (settings, errors) = Validate(update, current, now);
        return (settings, errors.ConvertAll(e => e.Reason));
    }

    /// <summary>As <see cref="TryCreate"/>, with the field of <see cref="UpdateOptOutSettings"/> each reason is about.</summary>
    public static (AccountSettings? Settings, List<SettingsFieldError> Errors) Validate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(current);

        var errors = new List<SettingsFieldError>();
        if (update.AccountId == Guid.Empty)
            errors.Add(Error("accountId", "the account id is missing"));

        var callingCode = ValidateCallingCode(update.DefaultCountryCode, errors);
        if (update.AutoOptOutEnabled is null)
            errors.Add(Error("autoOptOutEnabled", "autoOptOutEnabled is required (true or false); left out it is not taken as off"));
        var message = ValidateOptOutMessage(update.OptOutMessage, errors);
        var keywords = update.Keywords is null ? current.Keywords : ValidateKeywords(update.Keywords, errors);

        if (errors.Count > 0)
            return (null, errors);

        return (new AccountSettings
        {
            AccountId = update.AccountId,
            DefaultCountryCode = callingCode,
            AutoOptOutEnabled = update.AutoOptOutEnabled!.Value,
            OptOutMessage = message,
            Keywords = keywords,
            UpdatedAt = now,
            UpdatedBy = update.RequestedBy,
        }, errors);
    }

    /// <summary>Rebuilds settings read back from a store (they were validated when written).</summary>
    public static AccountSettings Restore(Guid accountId, int defaultCountryCode, bool autoOptOutEnabled, string optOutMessage,
        IReadOnlyList<string> keywords, DateTimeOffset? updatedAt, string? updatedBy) => new()
    {
        AccountId = accountId,
        DefaultCountryCode = defaultCountryCode,
        AutoOptOutEnabled = autoOptOutEnabled,
        OptOutMessage = optOutMessage,
        Keywords = keywords,
        UpdatedAt = updatedAt,
        UpdatedBy = updatedBy,
    };

    private static SettingsFieldError Error(string field, string reason) => new() { Field = field, Reason = reason };

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

    private static string ValidateOptOutMessage(string? value, List<SettingsFieldError> errors)
    {
        var message = value?.Trim() ?? string.Empty;
        if (message.Length == 0)
            errors.Add(Error("optOutMessage", "the opt-out message is empty"));
        else if (message.Length > MaxOptOutMessageLength)
            errors.Add(Error("optOutMessage", $"the opt-out message is {message.Length} characters; the limit is {MaxOptOutMessageLength}"));
        return message;
    }

    private static List<string> ValidateKeywords(IReadOnlyList<string> values, List<SettingsFieldError> errors)
    {
        var keywords = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var keyword = value?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(keyword))
                continue;

            if (keyword.Length > MaxKeywordLength)
            {
                errors.Add(Error("keywords", $"the keyword '{keyword[..20]}…' is {keyword.Length} characters; the limit is {MaxKeywordLength}"));
                continue;
            }

            var normalized = KeywordMatcher.Normalize(keyword);
            if (normalized.Length == 0)
                errors.Add(Error("keywords", $"the keyword '{keyword}' has no letters or digits, so no message could ever match it"));
            else if (seen.Add(normalized))
                keywords.Add(keyword);
        }

        if (keywords.Count > MaxKeywords)
            errors.Add(Error("keywords", $"there are {keywords.Count} keywords; the limit is {MaxKeywords}"));
        if (!seen.Contains("STOP"))
            errors.Add(Error("keywords", "STOP cannot be removed from the keywords"));
        return keywords;
    }
}
