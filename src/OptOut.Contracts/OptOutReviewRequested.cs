using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// A contact's text may be a revocation of consent (FCC 24-24: revocation by "any reasonable means") but the detector
/// is not sure enough to opt the number out: a person should read it. The number's state is not changed.
/// <para>Sent by: the opt-out service, once per such text (the message id is derived from the text, so a redelivered
/// text re-publishes an exact duplicate). Consumed by: the review workflow (a later part of the admin panel) and
/// anyone who wants to see the texts it is unsure about.</para>
/// </summary>
public sealed record OptOutReviewRequested
{
    /// <summary>The account.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The contact, in E.164.</summary>
    public string PhoneNumber { get; init; } = "";

    /// <summary>Our number the contact texted, as received.</summary>
    public string? To { get; init; }

    /// <summary>The text, as received.</summary>
    public string Text { get; init; } = "";

    /// <summary>Why the detector thinks it may be a revocation, in words.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The detector's score, 0–1 (at or above the account's possible-revocation threshold, below 0.8).</summary>
    public double Score { get; init; }

    /// <summary>The detection in full: method, language, what matched.</summary>
    public OptOutDetection? Detection { get; init; }

    /// <summary>When the gateway received the text (event time).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The gateway's id of the text, when it gave one.</summary>
    public string? ProviderMessageId { get; init; }

    /// <summary>The conversation, when known.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The campaign, when known.</summary>
    public string? CampaignId { get; init; }
}
