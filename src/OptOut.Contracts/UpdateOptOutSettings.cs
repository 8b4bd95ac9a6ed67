using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// Replace an account's opt-out settings.
/// <para>Sent by: the admin panel. Consumed by: the opt-out service, which publishes <see cref="OptOutSettingsChanged"/>
/// or, when any field is invalid, <see cref="OptOutSettingsRejected"/> with every reason and changes nothing.</para>
/// </summary>
public sealed record UpdateOptOutSettings
{
    /// <summary>The account. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Optional: the caller's id, echoed in the answer.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>
    /// Country calling code applied to numbers typed without one, such as <c>1</c> or <c>44</c> (a leading <c>+</c> is
    /// accepted), as a string or a whole JSON number (<c>44</c> means <c>"44"</c>).
    /// </summary>
    [AcceptsJsonNumber]
    public string? DefaultCountryCode { get; init; }

    /// <summary>
    /// Whether a keyword text opts the sender out automatically. Required: an update without it is rejected, never
    /// read as false (a producer that forgot the field would otherwise turn keyword opt-out off).
    /// </summary>
    [Required]
    public bool? AutoOptOutEnabled { get; init; }

    /// <summary>The English confirmation text sent after a conversation opt-out: 1–320 characters. (Other languages' messages are in <see cref="Languages"/>.)</summary>
    [StringLength(320, MinimumLength = 1)]
    public string? OptOutMessage { get; init; }

    /// <summary>Optional: the full English opt-out keyword list; null keeps the current list. Must contain STOP.</summary>
    public IReadOnlyList<string>? Keywords { get; init; }

    /// <summary>
    /// Optional: the languages whose keywords and phrases are recognised (ISO 639-1 codes of the shipped languages:
    /// <c>en es fr pt de zh vi ko tl</c>); null keeps the current ones. English is always active. By default every
    /// shipped language is: a text that is exactly ARRÊT or 退订 is a revocation whatever language the account texts in.
    /// </summary>
    public IReadOnlyList<string>? ActiveLanguages { get; init; }

    /// <summary>Optional: keyword lists and messages of some languages; a language left out keeps what it has.</summary>
    public IReadOnlyList<LanguageSettings>? Languages { get; init; }

    /// <summary>Optional: whether texts that are not keywords are read for natural-language revocations; null keeps it (on for new accounts).</summary>
    public bool? DetectionEnabled { get; init; }

    /// <summary>
    /// Optional: the detector score (0.1–0.75) at or above which a text that is not a clear revocation is published for
    /// review (<see cref="OptOutReviewRequested"/>); null keeps it (0.5 for new accounts). Revocations (score 0.8 and up)
    /// are opted out whatever this is.
    /// </summary>
    [Range(0.1, 0.75)]
    public double? PossibleRevocationThreshold { get; init; }

    /// <summary>
    /// Optional: whether a contact's opt-in keyword (START) also resumes a number an administrator opted out (Manual,
    /// BulkUpload, Api, Messenger); null keeps it (off for new accounts: only the contact's own opt-outs are resumed).
    /// </summary>
    public bool? ContactOptInOverridesAdmin { get; init; }

    /// <summary>
    /// Optional: business days (1–10; Monday to Friday except US federal holidays as observed, in <see cref="TimeZone"/>)
    /// that a possible revocation (<see cref="OptOutReviewRequested"/>) waits for an administrator's review before it is
    /// opted out automatically; the day it was received is not counted. Null keeps it (1 for new accounts: the end of the
    /// next business day). FCC 24-24 allows at most 10 business days to honour a revocation.
    /// </summary>
    [Range(1, 10)]
    public int? ReviewDeadlineBusinessDays { get; init; }

    /// <summary>
    /// Optional: the IANA time zone id (<c>America/Chicago</c>) whose calendar days the review deadline is counted in;
    /// null keeps it (<c>America/New_York</c> for new accounts). Windows ids (<c>Eastern Standard Time</c>) are refused.
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>The user who changed the settings.</summary>
    public string? RequestedBy { get; init; }
}

/// <summary>
/// One language's keyword lists and reply messages, in <see cref="UpdateOptOutSettings.Languages"/> and
/// <see cref="OptOutSettingsChanged.Languages"/>. In an update a list or message left out (null) keeps the current one.
/// </summary>
public sealed record LanguageSettings
{
    /// <summary>The language's ISO 639-1 code (<c>es</c>). Required.</summary>
    [Required]
    public string? Language { get; init; }

    /// <summary>The full opt-out keyword list of the language (English: must contain STOP).</summary>
    public IReadOnlyList<string>? OptOutKeywords { get; init; }

    /// <summary>The full opt-in (resume) keyword list of the language (English: must contain START).</summary>
    public IReadOnlyList<string>? OptInKeywords { get; init; }

    /// <summary>The full help keyword list of the language (English: must contain HELP).</summary>
    public IReadOnlyList<string>? HelpKeywords { get; init; }

    /// <summary>The opt-out confirmation in this language, 1–320 characters (English: <see cref="UpdateOptOutSettings.OptOutMessage"/> wins when both are given).</summary>
    public string? OptOutMessage { get; init; }

    /// <summary>The opt-in confirmation in this language, 1–320 characters.</summary>
    public string? OptInMessage { get; init; }

    /// <summary>The help reply in this language, 1–320 characters: who is texting and how to opt out.</summary>
    public string? HelpMessage { get; init; }
}
