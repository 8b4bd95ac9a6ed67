namespace OptOut.Core;

/// <summary>
/// Applies changes: read, decide (pure), compare-and-swap write, and on a lost race read and decide again.
/// </summary>
public sealed class OptOutService(IOptOutStore store, TimeProvider clock)
{
    /// <summary>How far ahead of this service's clock an event time may be before it is treated as "now".</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int MaxAttempts = 50;

    public async Task<OptDecision> ApplyAsync(OptChange change, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        // A producer with a clock far in the future would otherwise freeze the number: no later change could win.
        if (change.At > now + MaxClockSkew)
            change = change with { At = now };

        for (var attempt = 1; ; attempt++)
        {
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
