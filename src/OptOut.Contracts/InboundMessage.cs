using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// A text a contact sent to one of our numbers.
/// <para>Sent by: the SMS gateway, one per inbound text. Consumed by: the opt-out service (keyword auto opt-out).</para>
/// <para>Non-.NET producers may publish it as plain camelCase JSON (<c>application/json</c>) to the
/// <c>OptOut.Contracts:InboundMessage</c> exchange.</para>
/// </summary>
public sealed record InboundMessage
{
    /// <summary>The account (tenant) that owns the receiving number. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The contact's number, in any format (E.164 preferred). Required.</summary>
    [Required]
    public string? From { get; init; }

    /// <summary>Our texting number that received the message; the confirmation is sent from it.</summary>
    public string? To { get; init; }

    /// <summary>The text as received. Required; at most 5,000 characters.</summary>
    [StringLength(5000, MinimumLength = 1)]
    [Required]
    public string? Body { get; init; }

    /// <summary>When the gateway received the text. Orders changes to the number (event time). When absent, the bus send time is used.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Optional: the gateway's id for this text. A second message with the same id is a duplicate and changes nothing.</summary>
    public string? ProviderMessageId { get; init; }

    /// <summary>Optional: the conversation the text belongs to, echoed in the events it causes.</summary>
    public string? ConversationId { get; init; }

    /// <summary>Optional: the campaign the text answers, echoed in the events it causes.</summary>
    public string? CampaignId { get; init; }
}
