using MassTransit;
using Microsoft.Extensions.Options;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Outbox;

namespace OptOut.Service.Messaging;

/// <summary>
/// Re-sends the events of changes left pending with no message to re-send them: an admin API write whose instance died
/// before the broker's confirm, a message that used up its retries (acked to its error queue), a mark lost after the
/// ack. Every <see cref="OutboxOptions.SweepInterval"/> it lists the entries whose claim ran out
/// (<see cref="OutboxOptions.ClaimTimeout"/>), takes each over (exactly one instance wins an entry), and publishes its
/// events rebuilt from the store, with the ids they first had; an entry whose transition is no longer the number's
/// current one is deleted unsent. Runs on every instance.
/// </summary>
public sealed class OutboxSweeper(IOutbox outbox, IOptOutStore store, EventPublisher publisher, IBus bus, PublishClaims claims,
    IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Not the exception itself: a driver's message may quote a phone number.
                    logger.LogWarning("Re-sending unconfirmed events failed ({Reason}: {Error}); trying again in {Interval}", ex.GetType().Name,
                        PhoneMask.MaskNumbersIn(ex.Message), options.Value.SweepInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep: returns how many changes' events it published.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await outbox.ListDueAsync(now, options.Value.SweepBatch, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        foreach (var entry in due)
        {
            if (!await outbox.TryClaimAsync(entry.Key, claims.ForSweeper(), now, cancellationToken).ConfigureAwait(false))
                continue; // another instance took it, or it was confirmed meanwhile

            var record = await store.FindAsync(entry.AccountId, entry.Phone, cancellationToken).ConfigureAwait(false);
            if (record is null || CurrentTransition(record, entry.Events.CausationId) is not { } transition)
            {
                // A newer transition announces itself; this one must not be announced after it.
                await outbox.MarkSentAsync([entry.Key], cancellationToken).ConfigureAwait(false);
                continue;
            }

            var contact = PhoneNumber.FromStored(record.Phone, !record.Flagged);
            await Deadline.Within(publisher.PublishPendingAsync(bus, entry, StateChange.From(record, transition), contact), PublishDeadline,
                $"Re-sending the events of {contact.Masked} in account {entry.AccountId}", cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Re-sent the unconfirmed events of {Phone} in account {AccountId} ({CausationId})", contact.Masked, entry.AccountId,
                entry.Events.CausationId);
            sent++;
        }

        return sent;
    }

    /// <summary>
    /// The history entry of <paramref name="causationId"/> when it is still the record's current transition: no later
    /// entry changed the state (a refused opt-in after it keeps the state, so it still counts).
    /// </summary>
    internal static OptOutHistoryEntry? CurrentTransition(OptOutRecord record, string causationId)
    {
        for (var i = record.History.Count - 1; i >= 0; i--)
        {
            var entry = record.History[i];
            if (entry.State != record.State)
                return null;
            if (entry.CausationId == causationId)
                return entry;
        }

        return null;
    }
}
