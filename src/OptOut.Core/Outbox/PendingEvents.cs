using OptOut.Contracts;

namespace OptOut.Core.Outbox;

/// <summary>
/// Who is publishing a change's events now: a bus delivery (its message id, a nonce of the delivery that its in-process
/// retries share, and whether the broker redelivered it), or an admin write or the sweeper. <see cref="Lease"/> is how
/// long the claim holds before anyone may take the events over.
/// </summary>
public sealed record PublishClaim(string MessageId, Guid Delivery, bool Redelivered, TimeSpan Lease);

/// <summary>
/// The events of a number's current transition that the broker has not confirmed yet (the outbox): stored in the
/// transition's own atomic write, deleted once confirmed (<see cref="IOutbox.MarkSentAsync"/>). The events themselves
/// are rebuilt from the record's history entry of <see cref="CausationId"/> and <see cref="Reply"/>.
/// </summary>
public sealed record PendingEvents(string CausationId, ConfirmationTarget? Reply, string ClaimMessage, Guid ClaimDelivery, DateTimeOffset ClaimedUntil)
{
    /// <summary>The entry a change stores when it makes a transition with a claim (none for a change without one: a bulk upload's).</summary>
    public static PendingEvents? Of(OptChange change, DateTimeOffset now) => change.Claim is { } claim
        ? new(change.CausationId, change.Reply, claim.MessageId, claim.Delivery, now + claim.Lease)
        : null;
}

/// <summary>Names one number's pending events: its account, number and the causation id of the transition they announce.</summary>
public readonly record struct PendingKey(AccountId AccountId, string Phone, string CausationId)
{
    public static PendingKey Of(OptChange change) => new(change.AccountId, change.Phone.E164, change.CausationId);
}

/// <summary>A stored entry, as the sweeper lists it.</summary>
public sealed record PendingEntry(AccountId AccountId, string Phone, PendingEvents Events)
{
    public PendingKey Key => new(AccountId, Phone, Events.CausationId);
}
