using System.Diagnostics;
using OptOut.Contracts;
using OptOut.Core.Outbox;

namespace OptOut.Core;

/// <summary>
/// The one decide-and-write loop every change goes through: decide with the state machine (pure), write with a
/// compare-and-swap, and on a lost race read and decide again. A single change (<see cref="ApplyAsync"/>) is first
/// tried as the insert of a number never stored, without reading: that is what most changes are (a contact's first
/// STOP, a new manual opt-out), and a store refuses the insert, writing nothing, when the number is stored. Changes
/// decided elsewhere against records read in bulk (a bulk upload's batch, an undo's page) are written in one round
/// trip (<see cref="WriteDecidedAsync"/>), and any that lost its race comes back through the same loop.
/// <para>A replay of a change with a claim (<see cref="OptChange.Claim"/>) re-publishes only when its events are still
/// pending and this delivery takes them over (<see cref="IOutbox.TryClaimAsync"/>); otherwise it is
/// <see cref="ChangeKind.AlreadyAnnounced"/>. Without <paramref name="sentMarks"/> (no outbox) every replay re-publishes.</para>
/// </summary>
public sealed class OptOutService(IOptOutStore store, TimeProvider clock, SentMarks? sentMarks = null)
{
    /// <summary>How far ahead of this service's clock an event time may be before it is treated as "now".</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int MaxAttempts = 50;

    /// <summary>
    /// The event time a change applies at: a producer with a clock far in the future would otherwise freeze the
    /// number, since no later change could win.
    /// </summary>
    public static DateTimeOffset ClampEventTime(DateTimeOffset at, DateTimeOffset now) => at > now + MaxClockSkew ? now : at;

    public async Task<OptDecision> ApplyAsync(OptChange change, CancellationToken cancellationToken = default)
    {
        // Null (and free) unless a tracer listens: OTLP export is configured.
        using var activity = OptOutActivity.Source.StartActivity("optout.apply");
        if (activity is not null)
        {
            activity.SetTag("optout.account_id", change.AccountId.Value);
            activity.SetTag("optout.phone", change.Phone.Masked);
            activity.SetTag("optout.source", change.Source.ToString());
            activity.SetTag("optout.state", change.State.ToString());
        }

        var decision = await DecideAndWriteAsync(change, activity, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("optout.decision", decision.Kind.ToString());
        return decision;
    }

    /// <summary>
    /// Writes changes already decided against a snapshot of their records: their own writes in one batch, and the new
    /// numbers among them (<paramref name="inserts"/>, decided alike, each a number of its own) in another, both at once. Any that lost a race with another
    /// writer (a STOP, an opt-in, another upload) is applied again on its own (<see cref="ApplyAsync"/>), reading the
    /// winner's state, so event-time order holds. Returns <paramref name="decided"/> with the final decisions.
    /// </summary>
    public async Task<List<(OptChange Change, OptDecision Decision)>> WriteDecidedAsync(List<(OptChange Change, OptDecision Decision)> decided,
        DecidedInserts? inserts = null, CancellationToken cancellationToken = default)
    {
        var inserted = new bool[decided.Count];
        if (inserts is not null)
        {
            foreach (var i in inserts.Indexes)
                inserted[i] = true;
        }

        var writes = new List<OptOutWrite>();
        var writeIndex = new List<int>();
        for (var i = 0; i < decided.Count; i++)
        {
            if (!inserted[i] && decided[i].Decision.Write is { } write)
            {
                writes.Add(write);
                writeIndex.Add(i);
            }
        }

        // The two touch different numbers, so they go to the store together (one round trip's wait on a remote store).
        var written = writes.Count > 0 ? store.TryWriteManyAsync(writes, cancellationToken) : null;
        var insertsWritten = inserts is { Indexes.Count: > 0 } ? store.TryInsertManyAsync(inserts.Numbers, cancellationToken) : null;
        await Task.WhenAll(written ?? Task.CompletedTask, insertsWritten ?? Task.CompletedTask).ConfigureAwait(false);

        var lost = new List<int>();
        if (written is not null)
        {
            var results = await written.ConfigureAwait(false);
            for (var w = 0; w < results.Count; w++)
            {
                if (!results[w])
                    lost.Add(writeIndex[w]);
            }
        }

        if (insertsWritten is not null)
        {
            var results = await insertsWritten.ConfigureAwait(false);
            for (var k = 0; k < results.Count; k++)
            {
                if (!results[k])
                    lost.Add(inserts!.Indexes[k]);
            }
        }

        foreach (var i in lost)
            decided[i] = (decided[i].Change, await ApplyAsync(decided[i].Change, cancellationToken).ConfigureAwait(false));
        return decided;
    }

    private async Task<OptDecision> DecideAndWriteAsync(OptChange change, Activity? activity, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var at = ClampEventTime(change.At, now);
        if (at != change.At)
            change = change with { At = at };

        // Decide(null, ...) is what the loop below would decide had it read nothing; if the number is stored after all,
        // the insert (expected version 0) changes nothing and the loop reads and decides as always.
        var unseen = OptOutStateMachine.Decide(null, change, now);
        if (unseen.Write is { } insert && await store.TryWriteAsync(insert, cancellationToken).ConfigureAwait(false))
            return unseen;

        for (var attempt = 1; ; attempt++)
        {
            activity?.SetTag("optout.attempts", attempt + 1);
            var current = await store.FindAsync(change.AccountId, change.Phone.E164, cancellationToken).ConfigureAwait(false);
            var decision = OptOutStateMachine.Decide(current, change, now);
            if (decision.Kind == ChangeKind.Replayed)
                return await ClaimReplayAsync(change, decision, now, cancellationToken).ConfigureAwait(false);
            if (decision.Write is null || await store.TryWriteAsync(decision.Write, cancellationToken).ConfigureAwait(false))
                return decision;
            if (attempt >= MaxAttempts)
                throw new ConcurrencyConflictException(change.AccountId, change.Phone);
        }
    }

    // A duplicate or redelivery of the message that made the current transition: its events go out again only if the
    // broker never confirmed them and nobody else is sending them now.
    private async Task<OptDecision> ClaimReplayAsync(OptChange change, OptDecision replayed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (change.Claim is not { } claim || sentMarks is null)
            return replayed;

        var key = PendingKey.Of(change);
        var taken = !sentMarks.Contains(key) && await sentMarks.Outbox.TryClaimAsync(key, claim, now, cancellationToken).ConfigureAwait(false);
        return taken ? replayed : replayed with { Kind = ChangeKind.AlreadyAnnounced };
    }
}

/// <summary>
/// The new numbers among a batch of decided changes, inserted together (<see cref="IOptOutStore.TryInsertManyAsync"/>):
/// change <c>Indexes[k]</c> of the batch is number k of <see cref="Numbers"/>.
/// </summary>
public sealed record DecidedInserts(NewNumbers Numbers, IReadOnlyList<int> Indexes);

/// <summary>Too many concurrent writers on one number; transient, the message is retried.</summary>
public sealed class ConcurrencyConflictException(AccountId accountId, PhoneNumber phone)
    : Exception($"Gave up after repeated write conflicts on {phone.Masked} in account {accountId}.");
