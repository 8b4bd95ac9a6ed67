using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// Opt one or more numbers out.
/// <para>Sent by: the admin panel (<see cref="OptOutRequestSource.Manual"/>), a message sender in a conversation
/// (<see cref="OptOutRequestSource.Messenger"/>) or another service (<see cref="OptOutRequestSource.Api"/>).
/// Consumed by: the opt-out service, which answers with <see cref="OptOutRequestCompleted"/> (published, and as the
/// response when sent through a MassTransit request client).</para>
/// </summary>
public sealed record OptOutRequested
{
    /// <summary>The caller's id for this request; a redelivered request with the same id changes nothing twice. Required.</summary>
    [Required]
    public Guid RequestId { get; init; }

    /// <summary>The account whose list is changed. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>Numbers as the user typed them; an element may itself be a comma-separated list. Required, at most 1,000 numbers.</summary>
    [Required]
    public IReadOnlyList<string>? PhoneNumbers { get; init; }

    /// <summary>
    /// Who is asking. Decides whether a confirmation text is sent (Messenger only). Required: a request without it is
    /// rejected, never taken as Manual (which would leave a Messenger opt-out unconfirmed and wrongly attributed).
    /// </summary>
    [Required]
    public OptOutRequestSource? Source { get; init; }

    /// <summary>The user or service that asked (shown in the note and history). Required.</summary>
    [Required]
    public string? RequestedBy { get; init; }

    /// <summary>Optional free text kept with the opt-out.</summary>
    public string? Note { get; init; }

    /// <summary>Optional: the conversation (Messenger opt-outs).</summary>
    public string? ConversationId { get; init; }

    /// <summary>Optional: the campaign (Messenger opt-outs).</summary>
    public string? CampaignId { get; init; }

    /// <summary>Optional: our number the confirmation is sent from (Messenger opt-outs; without it no confirmation can be sent).</summary>
    public string? ReplyFrom { get; init; }

    /// <summary>When the user asked (event time). When absent, the bus send time is used.</summary>
    public DateTimeOffset RequestedAt { get; init; }
}
