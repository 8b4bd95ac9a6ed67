using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Core.Tests;

/// <summary>
/// Just enough of <see cref="IOptOutStore"/> and <see cref="IBulkChangeLog"/> to drive <see cref="OptOutService"/>
/// and the bulk processor: the compare-and-swap write, the lookups and the change log. The real stores prove the full contract in their own suite.
/// </summary>
internal sealed partial class InMemoryOptOutStore : IOptOutStore, IBulkChangeLog
{
    private readonly Dictionary<(AccountId AccountId, string Phone), OptOutRecord> _records = [];
    private readonly Lock _lock = new();

    /// <summary>Runs before each write is checked; lets a spec play the part of a concurrent writer.</summary>
    public Action<OptOutWrite>? BeforeWrite { get; set; }

    public int Writes { get; private set; }

    /// <summary>Numbers read (FindAsync, which FindManyAsync here calls per number).</summary>
    public int Reads { get; private set; }

    /// <summary>Every write attempt after this many throws (the store went away mid-batch).</summary>
    public int? FailWritesAfter { get; set; }

    private int _writeAttempts;

    public int RejectedWrites { get; private set; }

    public Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken = default)
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
            if (write.Pending is { } pending)
                _pending[key] = pending;
            Writes++;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(AccountId accountId, OptState? state, string? afterPhone, int limit,
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

    /// <summary>The parts of each upload's change log by position, kept and paged as every store does (<see cref="ChangeLogPages"/>).</summary>
    private readonly Dictionary<(AccountId AccountId, string CausationId), SortedDictionary<long, IReadOnlyList<string>>> _changes = [];

    public Task RecordChangesAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default)
    {
        ChangeLogPages.CheckRecord(causationId, position, phones);
        lock (_lock)
        {
            if (!_changes.TryGetValue((accountId, causationId), out var parts))
                _changes[(accountId, causationId)] = parts = [];
            foreach (var later in parts.Keys.Where(p => p >= position).ToList())
                parts.Remove(later);
            foreach (var part in ChangeLogPages.Split(position, phones))
                parts[part.Position] = part.Phones;
            return Task.CompletedTask;
        }
    }

    /// <summary>Only what was recorded, so a spec fails if the processor forgets to record a stretch.</summary>
    public Task<ChangedNumbers> ListChangesAsync(AccountId accountId, string causationId, string? after, int limit,
        CancellationToken cancellationToken = default)
    {
        var start = ChangeLogPages.StartOf(causationId, after, limit);
        lock (_lock)
        {
            var parts = _changes.TryGetValue((accountId, causationId), out var stored)
                ? stored.Where(p => p.Key >= start.From).Take(start.Parts).Select(p => new ChangeLogPart(p.Key, p.Value)).ToList()
                : [];
            return Task.FromResult(ChangeLogPages.Page(start, parts));
        }
    }

    public async Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default) =>
        (await ListAsync(accountId, null, afterPhone, limit, cancellationToken)).Select(r => r.Phone).ToList();

    public async Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new bool[writes.Count];
        for (var i = 0; i < writes.Count; i++)
            results[i] = await TryWriteAsync(writes[i], cancellationToken);
        return results;
    }

    /// <summary>Calls of <see cref="TryInsertManyAsync"/>, and the numbers they inserted.</summary>
    public int InsertManyCalls { get; private set; }

    public async Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken = default)
    {
        inserts.Check(nameof(inserts));
        lock (_lock)
            InsertManyCalls++;
        return await TryWriteManyAsync(inserts.ToWrites(), cancellationToken);
    }

    /// <summary>Round trips of <see cref="FindManyAsync"/>.</summary>
    public int FindManyCalls { get; private set; }

    public async Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(AccountId accountId, IReadOnlyCollection<string> phones,
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
