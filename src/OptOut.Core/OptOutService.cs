using System.Diagnostics;

namespace OptOut.Core;

/// <summary>
/// Applies changes: read, decide (pure), compare-and-swap write, and on a lost race read and decide again. A change is
/// first tried as the insert of a number never stored, without reading: that is what most changes are (a contact's
/// first STOP, a new manual opt-out), and a store refuses the insert, writing nothing, when the number is stored.
/// </summary>
public sealed class OptOutService(IOptOutStore store, TimeProvider clock)
{
    /// <summary>How far ahead of this service's clock an event time may be before it is treated as "now".</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int MaxAttempts = 50;

    public async Task<OptDecision> ApplyAsync(OptChange change, CancellationToken cancellationToken = default)
    {
        // Null (and free) unless a tracer listens: OTLP export is configured.
        using var activity = OptOutActivity.Source.StartActivity("optout.apply");
        if (activity is not null)
        {
            activity.SetTag("optout.account_id", change.AccountId);
            activity.SetTag("optout.phone", change.Phone.Masked);
            activity.SetTag("optout.source", change.Source.ToString());
            activity.SetTag("optout.state", change.State.ToString());
        }

        var decision = await DecideAndWriteAsync(change, activity, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("optout.decision", decision.Kind.ToString());
        return decision;
    }

    private async Task<OptDecision> DecideAndWriteAsync(OptChange change, Activity? activity, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // A producer with a clock far in the future would otherwise freeze the number: no later change could win.
        if (change.At > now + MaxClockSkew)
            change = change with { At = now };

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
            if (decision.Write is null || await store.TryWriteAsync(decision.Write, cancellationToken).ConfigureAwait(false))
                return decision;
            if (attempt >= MaxAttempts)
                throw new ConcurrencyConflictException(change.AccountId, change.Phone);
        }
    }
}

/// <summary>Too many concurrent writers on one number; transient, the message is retried.</summary>
public sealed class ConcurrencyConflictException(Guid accountId, PhoneNumber phone)
    : Exception($"Gave up after repeated write conflicts on {phone.Masked} in account {accountId}.");
