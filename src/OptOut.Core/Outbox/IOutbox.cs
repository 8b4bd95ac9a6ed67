namespace OptOut.Core.Outbox;

/// <summary>
/// The store's side of "each event on the bus once" (docs/architecture.md, "Effectively-once out"). A transition
/// written with <see cref="OptOutWrite.Pending"/> keeps its events' entry in the same atomic write (at most one per
/// number: a newer one replaces it). An entry whose causation is no longer the number's current transition is stale:
/// nothing re-sends it, and the sweeper deletes it. These writes never change a record's version, so they never make
/// a compare-and-swap writer lose its race.
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Takes over the entry of <paramref name="key"/> for <paramref name="claim"/> (its claim until now +
    /// <see cref="PublishClaim.Lease"/>), and answers true, when an entry with that causation exists and one of these
    /// holds: it is the same delivery's (an in-process retry); its claim has run out at <paramref name="now"/>; or
    /// <paramref name="claim"/> is a broker redelivery of the message that holds it (its consumer died). False, writing
    /// nothing, otherwise: someone else is publishing, or the events were confirmed. One conditional update, so of
    /// concurrent claimers (instances) at most one wins.
    /// </summary>
    Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes the entries of these keys (each only while it still has that causation): their events were confirmed. One transaction or bulk operation.</summary>
    Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> entries of every account whose claim ran out by <paramref name="now"/>, oldest
    /// claim first: the sweeper's due work (the one read across accounts).
    /// </summary>
    Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);
}
