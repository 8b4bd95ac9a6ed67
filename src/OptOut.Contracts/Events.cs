using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// A number's opt state changed for the whole account. Published once per change (a second STOP changes nothing).
/// <para>Sent by: the opt-out service. Consumed by: the campaign service, which stops (or resumes) texting the
/// number in every conversation of the account.</para>
/// <para>Put on the bus once, however often the causing message is delivered. The MassTransit message id is derived
/// from that message, so the one copy a crash can leave (the service died after the broker's confirm and before
/// recording it) is an exact duplicate that consumers may discard.</para>
/// </summary>
public sealed record ConversationOptStateChanged
{
    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The number in E.164 (<c>+15552011234</c>).</summary>
    public string PhoneNumber { get; init; } = "";

    /// <summary>The new state.</summary>
    public OptState State { get; init; }

    /// <summary>What caused the change.</summary>
    public OptOutSource Source { get; init; }

    /// <summary>The conversation the change came from, when it came from one.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The campaign the change came from, when known.</summary>
    public string? CampaignId { get; init; }

    /// <summary>Human-readable: how and by whom the change was made.</summary>
    public string? Note { get; init; }

    /// <summary>Event time of the change (the text's <c>receivedAt</c> or the request's <c>requestedAt</c>).</summary>
    public DateTimeOffset ChangedAt { get; init; }

    /// <summary>For a change the contact's own text caused (source <c>Keyword</c>): how the text was read. Null otherwise.</summary>
    public OptOutDetection? Detection { get; init; }
}

/// <summary>
/// Send a reply text to a contact: the account's opt-out confirmation to a contact who just opted out in a
/// conversation, the opt-in confirmation to one who texted START, or the help message to one who texted HELP
/// (<see cref="Kind"/>).
/// <para>Sent by: the opt-out service, exactly once per keyword, detected or Messenger opt-out, once per opt-in by
/// keyword, and at most once per number per 10 minutes for help. Consumed by: the campaign service / SMS gateway,
/// which sends <see cref="Body"/> from <see cref="From"/> to <see cref="To"/> whatever the kind.</para>
/// <para>A confirmation is put on the bus once, however often the causing text is delivered (a gateway's webhook
/// retries); its message id derives from the text, so the one copy a crash can leave is an exact duplicate.</para>
/// </summary>
public sealed record ConfirmationMessageRequested
{
    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The contact, in E.164.</summary>
    public string To { get; init; } = "";

    /// <summary>Our number the contact texted (or the request's <c>replyFrom</c>), as received.</summary>
    public string From { get; init; } = "";

    /// <summary>The text to send: the account's message of this kind, in the contact's language.</summary>
    public string Body { get; init; } = "";

    /// <summary>The conversation, when known.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The campaign, when known.</summary>
    public string? CampaignId { get; init; }

    /// <summary>Event time of the opt-out that asks for the confirmation.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>Which reply this is. Always written by the service; absent (from older senders) means <c>OptOut</c>.</summary>
    public ConfirmationKind? Kind { get; init; }

    /// <summary>The language of <see cref="Body"/> (ISO 639-1): the language the contact wrote in.</summary>
    public string? Language { get; init; }
}

/// <summary>The result for one input of a request.</summary>
public sealed record OptOutRequestItemResult
{
    /// <summary>The input as typed (one element after splitting comma-separated lists).</summary>
    public string Input { get; init; } = "";

    /// <summary>The number in E.164, when the input could be parsed.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>What happened.</summary>
    public OptOutOutcome Outcome { get; init; }

    /// <summary>Why, for <see cref="OptOutOutcome.Rejected"/>, or a warning (for example a number that is possible but not valid, opted out anyway).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// The per-input answer to an <see cref="OptOutRequested"/> or <see cref="OptInRequested"/>.
/// <para>Sent by: the opt-out service (published, and as the response to a request client). Consumed by: the admin
/// panel and the requesting service.</para>
/// </summary>
public sealed record OptOutRequestCompleted
{
    /// <summary>The request's id.</summary>
    public Guid RequestId { get; init; }

    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>One result per input, in input order.</summary>
    public IReadOnlyList<OptOutRequestItemResult> Results { get; init; } = [];
}

/// <summary>
/// An account's settings were changed. Sent by: the opt-out service. Consumed by: the admin panel, and by every
/// opt-out service instance to refresh its settings cache.
/// </summary>
public sealed record OptOutSettingsChanged
{
    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The request id of the update, when one was given.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>Calling code, such as <c>1</c>.</summary>
    public string DefaultCountryCode { get; init; } = "";

    /// <summary>Whether keyword texts opt the sender out.</summary>
    public bool AutoOptOutEnabled { get; init; }

    /// <summary>The confirmation text.</summary>
    public string OptOutMessage { get; init; } = "";

    /// <summary>The English opt-out keyword list now in force (every language's lists are in <see cref="Languages"/>).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>The languages whose keywords and phrases are recognised (ISO 639-1 codes).</summary>
    public IReadOnlyList<string> ActiveLanguages { get; init; } = [];

    /// <summary>Every shipped language's keyword lists and messages now in force, active or not.</summary>
    public IReadOnlyList<LanguageSettings> Languages { get; init; } = [];

    /// <summary>Whether texts that are not keywords are read for natural-language revocations.</summary>
    public bool DetectionEnabled { get; init; }

    /// <summary>The score at or above which a possible revocation is published for review.</summary>
    public double PossibleRevocationThreshold { get; init; }

    /// <summary>Whether a contact's START also resumes a number an administrator opted out.</summary>
    public bool ContactOptInOverridesAdmin { get; init; }

    /// <summary>Business days (1–10) a possible revocation waits for review before it is opted out automatically.</summary>
    public int ReviewDeadlineBusinessDays { get; init; }

    /// <summary>The IANA time zone id the review deadline's business days are counted in, such as <c>America/New_York</c>.</summary>
    public string TimeZone { get; init; } = "";

    /// <summary>Who changed it.</summary>
    public string? ChangedBy { get; init; }

    /// <summary>When it was changed.</summary>
    public DateTimeOffset ChangedAt { get; init; }
}

/// <summary>
/// An <see cref="UpdateOptOutSettings"/> was invalid and changed nothing. Sent by: the opt-out service. Consumed
/// by: the admin panel, which shows every reason.
/// </summary>
public sealed record OptOutSettingsRejected
{
    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The request id of the update, when one was given.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>Every reason the update was refused.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>
    /// The same reasons, in the same order, each with the field of <see cref="UpdateOptOutSettings"/> it is about, so a
    /// form can show it next to that field. Empty from senders that predate it: fall back to <see cref="Reasons"/>.
    /// </summary>
    public IReadOnlyList<SettingsFieldError> Errors { get; init; } = [];
}

/// <summary>One reason an <see cref="UpdateOptOutSettings"/> was refused, and the field it is about.</summary>
public sealed record SettingsFieldError
{
    /// <summary>
    /// The camelCase wire name of the field of <see cref="UpdateOptOutSettings"/>: <c>accountId</c>,
    /// <c>defaultCountryCode</c>, <c>optOutMessage</c>, <c>keywords</c>, <c>activeLanguages</c>,
    /// <c>possibleRevocationThreshold</c>, or for a language's field <c>languages[es].optOutKeywords</c> (the language's
    /// code in brackets, then the field).
    /// </summary>
    public required string Field { get; init; }

    /// <summary>What is wrong, as a sentence a person understands.</summary>
    public required string Reason { get; init; }
}
