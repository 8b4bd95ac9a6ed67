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

    /// <summary>The stretches of changed numbers recorded per causation, by position (as the SQLite store keeps them).</summary>
    private readonly Dictionary<(Guid AccountId, string CausationId), SortedDictionary<long, List<string>>> _changes = [];

    public Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_changes.TryGetValue((accountId, causationId), out var stretches))
                _changes[(accountId, causationId)] = stretches = [];
            foreach (var later in stretches.Keys.Where(p => p >= position).ToList())
                stretches.Remove(later);
            stretches[position] = [.. phones];
            return Task.CompletedTask;
        }
    }

    /// <summary>Only what was recorded, so a spec fails if the processor forgets to record a stretch. The cursor is the count listed so far.</summary>
    public Task<CausationPage> ListByCausationAsync(Guid accountId, string causationId, string? after, int limit,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var listed = _changes.TryGetValue((accountId, causationId), out var stretches) ? stretches.Values.SelectMany(p => p).ToList() : [];
            var skip = after is null ? 0 : int.Parse(after, System.Globalization.CultureInfo.InvariantCulture);
            var phones = listed.Skip(skip).Take(limit).ToList();
            var page = phones.Select(p => _records[(accountId, p)]).ToList();
            var next = skip + phones.Count < listed.Count ? (skip + phones.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new CausationPage(page, next));
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
