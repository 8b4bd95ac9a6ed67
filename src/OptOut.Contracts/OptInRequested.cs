using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// "Delete Opt Out": opt a number back in, so every conversation of the account may text it again.
/// <para>Sent by: the admin panel or another service. Consumed by: the opt-out service, which answers with
/// <see cref="OptOutRequestCompleted"/> (published, and as the response to a request client).</para>
/// </summary>
public sealed record OptInRequested
{
    /// <summary>The caller's id for this request. Required.</summary>
    [Required]
    public Guid RequestId { get; init; }

    /// <summary>The account whose list is changed. Required: the platform's own id (<see cref="Contracts.AccountId"/>), a string or an integer.</summary>
    [Required]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AccountId AccountId { get; init; }

    /// <summary>The number in any format. Required.</summary>
    [Required]
    public string? PhoneNumber { get; init; }

    /// <summary>The user or service that asked. Required.</summary>
    [Required]
    public string? RequestedBy { get; init; }

    /// <summary>Optional: why the number is opted back in (kept in its history).</summary>
    public string? Reason { get; init; }

    /// <summary>When the user asked (event time). When absent, the bus send time is used.</summary>
    public DateTimeOffset RequestedAt { get; init; }
}
