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
    /// Validates an update against the current settings. Returns the new settings, or every reason it is invalid.
    /// </summary>
    public static (AccountSettings? Settings, IReadOnlyList<string> Errors) TryCreate(
        UpdateOptOutSettings update, AccountSettings current, DateTimeOffset now) => throw new NotImplementedException();

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
}
