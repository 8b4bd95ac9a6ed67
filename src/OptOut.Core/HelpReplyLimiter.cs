using System.Collections.Concurrent;
using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>
/// At most one help reply per number per <see cref="Interval"/>: a contact's auto-responder that answers our help
/// reply with HELP must not start a loop (CTIA: answer HELP, don't spam). Kept in memory per instance, so with N
/// instances a number gets at most N replies per interval, and a restart forgets; a redelivery of the text that was
/// let through is let through again (its reply is re-published with the same message id, so a lost publish is not a
/// lost reply).
/// </summary>
public sealed class HelpReplyLimiter(TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    // Past this many numbers the expired ones are swept on the next insert: a flood of HELPs from many numbers can't
    // grow it without bound.
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<(AccountId Account, string Phone), (DateTimeOffset At, string CausationId)> _last = new();

    /// <summary>True when this text may be answered (and remembers it).</summary>
    public bool TryAcquire(AccountId accountId, string phone, string causationId)
    {
        var now = clock.GetUtcNow();
        var key = (accountId, phone);
        while (true)
        {
            if (_last.TryGetValue(key, out var last))
            {
                if (last.CausationId == causationId)
                    return true;
                if (now - last.At < Interval)
                    return false;
                if (_last.TryUpdate(key, (now, causationId), last))
                    return true;
                continue;
            }

            if (_last.Count >= SweepAbove)
                Sweep(now);
            if (_last.TryAdd(key, (now, causationId)))
                return true;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _last)
        {
            if (now - entry.Value.At >= Interval)
                _last.TryRemove(entry);
        }
    }
}
