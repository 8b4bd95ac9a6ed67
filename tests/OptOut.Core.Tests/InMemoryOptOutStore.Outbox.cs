using OptOut.Contracts;
using OptOut.Core.Outbox;

namespace OptOut.Core.Tests;

/// <summary>The outbox (<see cref="IOutbox"/>) of the in-memory store, by its rules; the real stores run the full contract.</summary>
internal sealed partial class InMemoryOptOutStore : IOutbox
{
    private readonly Dictionary<(AccountId AccountId, string Phone), PendingEvents> _pending = [];

    /// <summary>Calls of <see cref="TryClaimAsync"/>.</summary>
    public int ClaimCalls { get; private set; }

    /// <summary>The number's pending events, or null.</summary>
    public PendingEvents? PendingOf(AccountId accountId, string phone)
    {
        lock (_lock)
            return _pending.GetValueOrDefault((accountId, phone));
    }

    public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ClaimCalls++;
            if (!_pending.TryGetValue((key.AccountId, key.Phone), out var entry) || entry.CausationId != key.CausationId)
                return Task.FromResult(false);
            var taken = entry.ClaimDelivery == claim.Delivery || entry.ClaimedUntil <= now || (claim.Redelivered && entry.ClaimMessage == claim.MessageId);
            if (taken)
                _pending[(key.AccountId, key.Phone)] = entry with { ClaimMessage = claim.MessageId, ClaimDelivery = claim.Delivery, ClaimedUntil = now + claim.Lease };
            return Task.FromResult(taken);
        }
    }

    public Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_pending.TryGetValue((key.AccountId, key.Phone), out var entry) && entry.CausationId == key.CausationId)
                    _pending.Remove((key.AccountId, key.Phone));
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<PendingEntry> due = _pending.Where(p => p.Value.ClaimedUntil <= now).OrderBy(p => p.Value.ClaimedUntil).Take(limit)
                .Select(p => new PendingEntry(p.Key.AccountId, p.Key.Phone, p.Value)).ToList();
            return Task.FromResult(due);
        }
    }
}
