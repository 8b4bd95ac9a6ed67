using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Api.Responses;

/// <summary><c>GET opt-outs/{phone}</c>: a number's state, how and by whom it got there, and every transition.</summary>
public sealed record OptOutRecordResponse
{
    public required string PhoneNumber { get; init; }

    public required OptState State { get; init; }

    public required OptOutSource Source { get; init; }

    public string? Note { get; init; }

    public string? Actor { get; init; }

    /// <summary>When the number was last opted out (it may have been opted back in since).</summary>
    public DateTimeOffset? OptedOutAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Possible but not a valid number: opted out anyway (compliance first).</summary>
    public bool Flagged { get; init; }

    public required IReadOnlyList<OptOutHistoryResponse> History { get; init; }

    public static OptOutRecordResponse From(OptOutRecord record) => new()
    {
        PhoneNumber = record.Phone,
        State = record.State,
        Source = record.Source,
        Note = record.Note,
        Actor = record.Actor,
        OptedOutAt = record.History.LastOrDefault(h => h.State == OptState.OptedOut)?.At,
        UpdatedAt = record.UpdatedAt,
        Flagged = record.Flagged,
        History = [.. record.History.Select(h => new OptOutHistoryResponse
        {
            State = h.State,
            Source = h.Source,
            At = h.At,
            Actor = h.Actor,
            Note = h.Note,
            Detection = h.Detection,
        })],
    };
}

/// <summary>One transition of a number.</summary>
public sealed record OptOutHistoryResponse
{
    public required OptState State { get; init; }

    public required OptOutSource Source { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Actor { get; init; }

    public string? Note { get; init; }

    /// <summary>
    /// How the contact's text was read (keyword, phrase or typo; language, what matched, score, why), for an entry an
    /// inbound text caused: the evidence of a detected revocation. Null for every other entry.
    /// </summary>
    public OptOutDetection? Detection { get; init; }
}

/// <summary><c>DELETE opt-outs/{phone}</c>: what opting the number back in did (<c>OptedIn</c>, <c>NotOptedOut</c>, <c>Superseded</c>).</summary>
public sealed record OptInResponse(string? PhoneNumber, OptOutOutcome Outcome, string? Reason)
{
    public static OptInResponse From(OptOutRequestCompleted completed)
    {
        var result = completed.Results.Single();
        return new(result.PhoneNumber, result.Outcome, result.Reason);
    }
}
