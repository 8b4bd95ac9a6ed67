using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Core.Tests;

/// <summary>
/// Just enough of <see cref="IOptOutStore"/> to drive <see cref="OptOutService"/>: the compare-and-swap write and
/// the lookups. The real stores prove the full contract in their own suite.
/// </summary>
internal sealed class InMemoryOptOutStore : IOptOutStore
{
    private readonly Dictionary<(Guid AccountId, string Phone), OptOutRecord> _records = [];
    private readonly Lock _lock = new();

    /// <summary>Runs before each write is checked; lets a spec play the part of a concurrent writer.</summary>
    public Action<OptOutWrite>? BeforeWrite { get; set; }

    public int Writes { get; private set; }

    /// <summary>Numbers read (FindAsync, which the default FindManyAsync calls per number).</summary>
    public int Reads { get; private set; }

    /// <summary>Every write attempt after this many throws (the store went away mid-batch).</summary>
    public int? FailWritesAfter { get; set; }

    private int _writeAttempts;

    public int RejectedWrites { get; private set; }

    public Task<OptOutRecord?> FindAsync(Guid accountId, string phone, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Reads++;
            return Task.FromResult(_records.GetValueOrDefault((accountId, phone)));
        }
    }

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (FailWritesAfter is { } limit && ++_writeAttempts > limit)
                throw new IOException("the store went away");
        }

        BeforeWrite?.Invoke(write);
        lock (_lock)
        {
            var key = (write.Record.AccountId, write.Record.Phone);
            var storedVersion = _records.TryGetValue(key, out var stored) ? stored.Version : 0;
            if (storedVersion != write.ExpectedVersion)
            {
                RejectedWrites++;
                return Task.FromResult(false);
            }

            _records[key] = write.Record with { History = [.. stored?.History ?? [], .. write.Appended is null ? [] : new[] { write.Appended }] };
            Writes++;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(Guid accountId, OptState? state, string? afterPhone, int limit,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<OptOutRecord> page = _records.Values
                .Where(r => r.AccountId == accountId && (state is null || r.State == state)
                    && (afterPhone is null || string.CompareOrdinal(r.Phone, afterPhone) > 0))
                .OrderBy(r => r.Phone, StringComparer.Ordinal)
                .Take(limit)
                .Select(r => r with { History = [] })
                .ToList();
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<OptOutRecord>> ListByCausationAsync(Guid accountId, string causationId, string? afterPhone, int limit,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<OptOutRecord> page = _records.Values
                .Where(r => r.AccountId == accountId && r.History.Any(h => h.CausationId == causationId)
                    && (afterPhone is null || string.CompareOrdinal(r.Phone, afterPhone) > 0))
                .OrderBy(r => r.Phone, StringComparer.Ordinal)
                .Take(limit)
                .ToList();
            return Task.FromResult(page);
        }
    }

    /// <summary>Round trips of <see cref="FindManyAsync"/>.</summary>
    public int FindManyCalls { get; private set; }

    public async Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(Guid accountId, IReadOnlyCollection<string> phones,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
            FindManyCalls++;
        var found = new Dictionary<string, OptOutRecord>(StringComparer.Ordinal);
        foreach (var phone in phones)
        {
            if (await FindAsync(accountId, phone, cancellationToken) is { } record)
                found[phone] = record;
        }

        return found;
    }

    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Writes a record directly, as another instance of the service would.</summary>
    public void Put(OptOutRecord record)
    {
        lock (_lock)
            _records[(record.AccountId, record.Phone)] = record;
    }
}
