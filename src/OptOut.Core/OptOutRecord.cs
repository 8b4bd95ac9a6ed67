using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>
/// The one record per (account, E.164 number): the current state plus the append-only history of every
/// transition, which is the compliance evidence.
/// </summary>
public sealed record OptOutRecord
{
    public required AccountId AccountId { get; init; }

    /// <summary>E.164, the record's key within the account.</summary>
    public required string Phone { get; init; }

    public required OptState State { get; init; }

    /// <summary>Source of the transition that set the current state.</summary>
    public required OptOutSource Source { get; init; }

    /// <summary>How and by whom the current state was set.</summary>
    public string? Note { get; init; }

    public string? Actor { get; init; }

    /// <summary>
    /// Event time of the newest message seen for this number (a last-writer-wins clock): changes older than
    /// this never override the state, whatever order they arrive in.
    /// </summary>
    public required DateTimeOffset StateAt { get; init; }

    /// <summary>Event time of the first opt-out.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Wall-clock time of the last write.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>True when libphonenumber says the number is possible but not valid: opted out anyway, flagged in reports.</summary>
    public bool Flagged { get; init; }

    /// <summary>Optimistic-concurrency version: 1 after insert, +1 per write.</summary>
    public required long Version { get; init; }

    /// <summary>Every transition, oldest first. Never rewritten, only appended.</summary>
    public IReadOnlyList<OptOutHistoryEntry> History { get; init; } = [];
}

/// <summary>One transition of a number's state.</summary>
public sealed record OptOutHistoryEntry
{
    public required OptState State { get; init; }

    public required OptOutSource Source { get; init; }

    /// <summary>Event time (the message's receivedAt / requestedAt, clamped to not run ahead of the clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>When the service recorded it.</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    public string? Actor { get; init; }

    public string? Note { get; init; }

    /// <summary>
    /// Identifies the message that caused the transition (for example <c>inbound:SM123</c> or
    /// <c>request:{requestId}</c>). A redelivery of that message finds it here and changes nothing twice.
    /// </summary>
    public required string CausationId { get; init; }

    public string? ConversationId { get; init; }

    public string? CampaignId { get; init; }

    /// <summary>How the contact's text was read (keyword, phrase, typo; language, what matched, score), for an entry an inbound text caused.</summary>
    public OptOutDetection? Detection { get; init; }
}
