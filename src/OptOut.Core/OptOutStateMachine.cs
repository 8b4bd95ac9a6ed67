using OptOut.Contracts;
using OptOut.Core.Outbox;

namespace OptOut.Core;

/// <summary>A requested transition of one number, already parsed and validated at the boundary.</summary>
public sealed record OptChange
{
    public required AccountId AccountId { get; init; }

    public required PhoneNumber Phone { get; init; }

    public required OptState State { get; init; }

    public required OptOutSource Source { get; init; }

    /// <summary>Event time of the message that asks for the change.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Identifies the causing message (see <see cref="OptOutHistoryEntry.CausationId"/>).</summary>
    public required string CausationId { get; init; }

    public string? Actor { get; init; }

    public string? Note { get; init; }

    public string? ConversationId { get; init; }

    public string? CampaignId { get; init; }

    /// <summary>How the contact's text was read, for a change an inbound text caused (kept in the history entry).</summary>
    public OptOutDetection? Detection { get; init; }

    /// <summary>For an opt-in: which opt-outs it may undo (an administrator's opt-in undoes any).</summary>
    public OptInGuard Guard { get; init; }

    /// <summary>The confirmation a transition sends the contact (null: none), kept with its pending events.</summary>
    public ConfirmationTarget? Reply { get; init; }

    /// <summary>
    /// Who publishes this change's events. A transition with a claim stores them as pending (<see cref="PendingEvents"/>),
    /// and a replay of it re-publishes only when it takes the claim (<see cref="IOutbox.TryClaimAsync"/>). Null for a
    /// bulk upload's changes, which its own dispatch announces.
    /// </summary>
    public PublishClaim? Claim { get; init; }
}

/// <summary>Which opt-outs an opt-in may undo (CTIA: a contact's START resumes texting a contact who texted STOP).</summary>
public enum OptInGuard
{
    /// <summary>Any state (an administrator's or a service's opt-in); a number never seen is remembered as opted in.</summary>
    None,

    /// <summary>Only an opted-out number, whoever opted it out; a number that isn't opted out is left as it is, unwritten (a contact's YES is then an ordinary reply).</summary>
    OptedOutOnly,

    /// <summary>
    /// Only a number the contact opted out themselves (source Keyword: a keyword or a detected revocation). A number
    /// an administrator opted out stays out, and the request is recorded in its history (<see cref="ChangeKind.Refused"/>).
    /// </summary>
    ContactOptOutOnly,
}

/// <summary>What applying a change did.</summary>
public enum ChangeKind
{
    /// <summary>The state changed: publish the events.</summary>
    Changed,

    /// <summary>The number was already in the asked state; nothing to publish.</summary>
    Unchanged,

    /// <summary>A newer change (by event time) holds the opposite state; this older message changed nothing.</summary>
    Superseded,

    /// <summary>
    /// This very message changed the state before (a redelivery, or a duplicate with the same causation id), and
    /// that change is still the current state: publish the same events again with the same message ids so nothing
    /// is lost if the first publish was. For a change with a claim, only when its events are still pending and this
    /// delivery took them over (<see cref="IOutbox.TryClaimAsync"/>); otherwise <see cref="AlreadyAnnounced"/>.
    /// </summary>
    Replayed,

    /// <summary>
    /// A contact's opt-in for a number an administrator opted out: the number stays opted out and the request is
    /// appended to its history as evidence (an entry in the opted-out state). Nothing is published.
    /// </summary>
    Refused,

    /// <summary>
    /// As <see cref="Replayed"/>, but the events were confirmed by the broker already, or another delivery is publishing
    /// them now: nothing is published again (a gateway's three copies of one STOP send one confirmation).
    /// </summary>
    AlreadyAnnounced,
}

/// <summary>The decision for one change, and the write it needs (null when nothing is stored).</summary>
public sealed record OptDecision(ChangeKind Kind, OptOutRecord? Record, OptOutWrite? Write)
{
    /// <summary>True when the events of this change must be published (first time or again).</summary>
    public bool Publishes => Kind is ChangeKind.Changed or ChangeKind.Replayed;

    /// <summary>The request outcome this decision means for the asked state.</summary>
    public OptOutOutcome OutcomeFor(OptState asked) => (Kind, asked) switch
    {
        (ChangeKind.Changed or ChangeKind.Replayed or ChangeKind.AlreadyAnnounced, OptState.OptedOut) => OptOutOutcome.OptedOut,
        (ChangeKind.Changed or ChangeKind.Replayed or ChangeKind.AlreadyAnnounced, OptState.OptedIn) => OptOutOutcome.OptedIn,
        (ChangeKind.Unchanged, OptState.OptedOut) => OptOutOutcome.AlreadyOptedOut,
        (ChangeKind.Unchanged, OptState.OptedIn) => OptOutOutcome.NotOptedOut,
        _ => OptOutOutcome.Superseded,
    };
}

/// <summary>
/// The opt-out state machine: a last-writer-wins register per number on event time.
/// <list type="bullet">
/// <item>Newer event time than the record's clock: the asked state wins (a transition if it differs).</item>
/// <item>Same event time: opted-out wins (compliance first).</item>
/// <item>Older: never overrides (a late message is superseded).</item>
/// <item>An opt-in for a number with no record is not a transition (no history entry, no event), but stores an
/// opted-in record holding its time, so a late, older opt-out is superseded as event-time order says.</item>
/// </list>
/// Because the outcome depends only on the set of messages, not their arrival order, competing consumers need no
/// partitioning.
/// </summary>
public static class OptOutStateMachine
{
    public static OptDecision Decide(OptOutRecord? current, OptChange change, DateTimeOffset now)
    {
        if (change.State == OptState.OptedIn && change.Guard != OptInGuard.None && (current is null || current.State == OptState.OptedIn))
            return new OptDecision(ChangeKind.Unchanged, current, null);

        if (current is null)
        {
            // An opt-in for a number never opted out is not a transition (no history, no event), but its time is
            // remembered: an older opt-out that arrives late must not override it (event-time order, even against
            // a racing upload).
            var entry = change.State == OptState.OptedOut ? HistoryEntry(change, now) : null;
            var created = new OptOutRecord
            {
                AccountId = change.AccountId,
                Phone = change.Phone.E164,
                State = change.State,
                Source = change.Source,
                Note = change.Note,
                Actor = change.Actor,
                StateAt = change.At,
                CreatedAt = change.At,
                UpdatedAt = now,
                Flagged = !change.Phone.IsValid,
                Version = 1,
                History = entry is null ? [] : [entry],
            };
            return new OptDecision(entry is null ? ChangeKind.Unchanged : ChangeKind.Changed, created,
                new OptOutWrite(created, 0, entry) { Pending = entry is null ? null : PendingEvents.Of(change, now) });
        }

        if (current.History.Count > 0 && current.History[^1].CausationId == change.CausationId
            && current.History[^1].State == change.State && current.State == change.State)
            return new OptDecision(ChangeKind.Replayed, current, null);
        if (current.History.Any(h => h.CausationId == change.CausationId))
            return new OptDecision(change.State == current.State ? ChangeKind.Unchanged : ChangeKind.Superseded, current, null);

        var newer = change.At > current.StateAt;
        var tieWonByOptOut = change.At == current.StateAt && change.State == OptState.OptedOut;

        if (change.State == current.State)
        {
            if (!newer)
                return new OptDecision(ChangeKind.Unchanged, current, null);

            // Same state, newer time: advance the clock so an opt-in older than this message can't undo it.
            var advanced = current with { StateAt = change.At, UpdatedAt = now, Version = current.Version + 1 };
            return new OptDecision(ChangeKind.Unchanged, advanced, new OptOutWrite(advanced, current.Version, null));
        }

        if (!newer && !tieWonByOptOut)
            return new OptDecision(ChangeKind.Superseded, current, null);

        if (change.Guard == OptInGuard.ContactOptOutOnly && current.Source != OptOutSource.Keyword)
            return Refuse(current, change, now);

        var transition = HistoryEntry(change, now);
        var next = current with
        {
            State = change.State,
            Source = change.Source,
            Note = change.Note,
            Actor = change.Actor,
            StateAt = change.At,
            UpdatedAt = now,
            Flagged = current.Flagged || !change.Phone.IsValid,
            Version = current.Version + 1,
            History = [.. current.History, transition],
        };
        return new OptDecision(ChangeKind.Changed, next, new OptOutWrite(next, current.Version, transition) { Pending = PendingEvents.Of(change, now) });
    }

    // The state and its clock stay; only the evidence that the contact asked is added.
    private static OptDecision Refuse(OptOutRecord current, OptChange change, DateTimeOffset now)
    {
        var entry = HistoryEntry(change, now) with
        {
            State = OptState.OptedOut,
            Note = $"{change.Note}; stays opted out: opted out by {current.Source} ({current.Actor ?? "unknown"}), and the account doesn't let a contact's opt-in undo that",
        };
        var next = current with { UpdatedAt = now, Version = current.Version + 1, History = [.. current.History, entry] };
        return new OptDecision(ChangeKind.Refused, next, new OptOutWrite(next, current.Version, entry));
    }

    private static OptOutHistoryEntry HistoryEntry(OptChange change, DateTimeOffset now) => new()
    {
        State = change.State,
        Source = change.Source,
        At = change.At,
        RecordedAt = now,
        Actor = change.Actor,
        Note = change.Note,
        CausationId = change.CausationId,
        ConversationId = change.ConversationId,
        CampaignId = change.CampaignId,
        Detection = change.Detection,
    };
}
