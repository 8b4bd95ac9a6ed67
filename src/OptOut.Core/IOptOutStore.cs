using OptOut.Contracts;
using OptOut.Core.Outbox;

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
    Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="write"/>.<see cref="OptOutWrite.Record"/> if the stored version is still
    /// <see cref="OptOutWrite.ExpectedVersion"/> (0: the record must not exist yet) and appends
    /// <see cref="OptOutWrite.Appended"/> to its history. Returns false, writing nothing, when another writer got
    /// there first (including a duplicate-key race on insert): the caller re-reads and decides again.
    /// </summary>
    Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default);

    /// <summary>A page of an account's records ordered by phone, starting after <paramref name="afterPhone"/> (null: from the start). History is not loaded.</summary>
    Task<IReadOnlyList<OptOutRecord>> ListAsync(AccountId accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default);

    /// <summary>Throws when the store cannot be reached (readiness check).</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The records (with history) of many numbers of one account, keyed by phone; numbers never opted out are
    /// absent. Bulk uploads read a batch at a time, with one query.
    /// </summary>
    Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(AccountId accountId, IReadOnlyCollection<string> phones,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the numbers (E.164) of an account's records in phone order, after <paramref name="afterPhone"/> (null:
    /// from the start), without the records: a bulk upload lists the account's numbers while it reads its file, so that
    /// applying it reads only the records of its numbers that exist and inserts the others without a read.
    /// </summary>
    Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compare-and-swap writes of many records, each independent (as <see cref="TryWriteAsync"/>) and applied in
    /// order (a batch may name a number twice, the second expecting the version the first writes): result i is false
    /// when write i lost a race and wrote nothing. One transaction or bulk operation.
    /// </summary>
    Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts numbers never stored, all with one decision (<see cref="NewNumbers"/>): a bulk upload's new numbers,
    /// most of its writes. Result i is false when number i has a record already (another writer stored it first): nothing
    /// is written for it, and the caller reads it and decides again. One transaction or bulk operation.
    /// </summary>
    Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken = default);
}

/// <summary>
/// Numbers of one account that get the same new record but for the number: <see cref="Record"/> (its phone and flag are
/// each number's own) with <see cref="Appended"/> as its first history entry, as one decision of
/// <see cref="OptOutStateMachine"/> for a number without a record made them.
/// </summary>
public sealed record NewNumbers(OptOutRecord Record, OptOutHistoryEntry Appended, IReadOnlyList<NewNumber> Numbers)
{
    /// <summary>Throws when these are not inserts of new records (a version other than 1, no history entry).</summary>
    public void Check(string paramName)
    {
        ArgumentNullException.ThrowIfNull(Record, paramName);
        ArgumentNullException.ThrowIfNull(Appended, paramName);
        ArgumentNullException.ThrowIfNull(Numbers, paramName);
        WriteVersion.EnsureAdvances(Record.Version, 0, "Record", paramName);
    }

    /// <summary>Number i's insert as an ordinary write (expected version 0).</summary>
    public OptOutWrite WriteOf(int i) => new(Record with { Phone = Numbers[i].Phone, Flagged = Numbers[i].Flagged }, 0, Appended);

    /// <summary>Every insert as an ordinary write, for a store that has no faster way to insert alike records.</summary>
    public IReadOnlyList<OptOutWrite> ToWrites()
    {
        var writes = new OptOutWrite[Numbers.Count];
        for (var i = 0; i < writes.Length; i++)
            writes[i] = WriteOf(i);
        return writes;
    }
}

/// <summary>One of <see cref="NewNumbers"/>: its E.164 number, and whether it is flagged (not a valid number).</summary>
public readonly record struct NewNumber(string Phone, bool Flagged);

/// <summary>
/// The next version of a record and the history entry (if any) the transition appends. <see cref="Pending"/>, when
/// set, is the transition's pending events, written in the same atomic write and replacing any entry the number had
/// (<see cref="IOutbox"/>); when null, the number's entry is left as it is.
/// </summary>
public sealed record OptOutWrite(OptOutRecord Record, long ExpectedVersion, OptOutHistoryEntry? Appended)
{
    public PendingEvents? Pending { get; init; }
}

/// <summary>Per-account settings persistence.</summary>
public interface ISettingsStore
{
    /// <summary>The account's settings, or null when they were never changed (the defaults apply).</summary>
    Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default);

    /// <summary>Stores the account's settings, replacing what was there.</summary>
    Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default);
}
