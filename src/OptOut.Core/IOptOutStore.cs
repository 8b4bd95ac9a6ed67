using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>
/// What Core needs from persistence. Core decides every transition (<see cref="OptOutStateMachine"/>); the store
/// only reads a record and writes the next version of it atomically (compare-and-swap on
/// <see cref="OptOutRecord.Version"/>), so concurrent writers on one number never lose an update.
/// Every call is scoped by account.
/// </summary>
public interface IOptOutStore
{
    /// <summary>The record of a number in an account, with its full history; null when the number was never opted out.</summary>
    Task<OptOutRecord?> FindAsync(Guid accountId, string phone, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="write"/>.<see cref="OptOutWrite.Record"/> if the stored version is still
    /// <see cref="OptOutWrite.ExpectedVersion"/> (0: the record must not exist yet) and appends
    /// <see cref="OptOutWrite.Appended"/> to its history. Returns false, writing nothing, when another writer got
    /// there first (including a duplicate-key race on insert): the caller re-reads and decides again.
    /// </summary>
    Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default);

    /// <summary>A page of an account's records ordered by phone, starting after <paramref name="afterPhone"/> (null: from the start). History is not loaded.</summary>
    Task<IReadOnlyList<OptOutRecord>> ListAsync(Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default);

    /// <summary>Throws when the store cannot be reached (readiness check).</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The records (with history) of many numbers of one account, keyed by phone; numbers never opted out are
    /// absent. Bulk uploads read a batch at a time. The default reads one by one; stores override it with one query.
    /// </summary>
    async Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(Guid accountId, IReadOnlyCollection<string> phones,
        CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, OptOutRecord>(StringComparer.Ordinal);
        foreach (var phone in phones)
        {
            if (await FindAsync(accountId, phone, cancellationToken).ConfigureAwait(false) is { } record)
                found[phone] = record;
        }

        return found;
    }

    /// <summary>
    /// A page of the numbers (E.164) of an account's records in phone order, after <paramref name="afterPhone"/> (null:
    /// from the start), without the records: a bulk upload lists the account's numbers while it reads its file, so that
    /// applying it reads only the records of its numbers that exist and inserts the others without a read. The default
    /// takes them from <see cref="ListAsync"/>; stores override it with a walk of the key alone.
    /// </summary>
    async Task<IReadOnlyList<string>> ListPhonesAsync(Guid accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        var records = await ListAsync(accountId, null, afterPhone, limit, cancellationToken).ConfigureAwait(false);
        return records.Select(r => r.Phone).ToList();
    }

    /// <summary>
    /// Compare-and-swap writes of many records, each independent (as <see cref="TryWriteAsync"/>): result i is false
    /// when write i lost a race and wrote nothing. The default writes one by one; stores override it with one
    /// transaction / bulk operation.
    /// </summary>
    async Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new bool[writes.Count];
        for (var i = 0; i < writes.Count; i++)
            results[i] = await TryWriteAsync(writes[i], cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Remembers which numbers the writes of <paramref name="causationId"/> (a bulk upload) changed, for
    /// <see cref="ListByCausationAsync"/>: <paramref name="phones"/> are those of one stretch of the upload's numbers,
    /// the stretch that starts at <paramref name="position"/>. Recording a stretch replaces what was recorded for it
    /// and for every stretch after it: a resumed upload redoes everything after its checkpoint. Stretches are listed
    /// in the order of their positions.
    /// </summary>
    /// <remarks>
    /// An explicit list instead of an index of every history entry's causation id: an index is one more B-tree
    /// insert in every write (keyword STOPs included), and it was 16% of a million-number upload's writes (SQLite).
    /// </remarks>
    Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the records (with their history) of the numbers recorded for <paramref name="causationId"/>
    /// (<see cref="RecordChangesAsync"/>), in recorded order, starting after <paramref name="after"/> (null: from the
    /// start; else a <see cref="CausationPage.Next"/>): the numbers a bulk upload changed, for dispatching its events
    /// and for undo. A store may also list numbers it finds by the causation id of their history.
    /// </summary>
    Task<CausationPage> ListByCausationAsync(Guid accountId, string causationId, string? after, int limit,
        CancellationToken cancellationToken = default);
}

/// <summary>
/// A page of <see cref="IOptOutStore.ListByCausationAsync"/>: its records (up to about the limit asked for), and the
/// cursor for the page after it, null when this page is the last. The cursor's form is the store's.
/// </summary>
public sealed record CausationPage(IReadOnlyList<OptOutRecord> Records, string? Next);

/// <summary>The next version of a record and the history entry (if any) the transition appends.</summary>
public sealed record OptOutWrite(OptOutRecord Record, long ExpectedVersion, OptOutHistoryEntry? Appended);

/// <summary>Per-account settings persistence.</summary>
public interface ISettingsStore
{
    /// <summary>The account's settings, or null when they were never changed (the defaults apply).</summary>
    Task<AccountSettings?> GetAsync(Guid accountId, CancellationToken cancellationToken = default);

    /// <summary>Stores the account's settings, replacing what was there.</summary>
    Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default);
}
