using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using SQLitePCL;
using static OptOut.Storage.Sqlite.RecordRows;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The opt-out records and their history (<see cref="IOptOutStore"/>). Reads go through ADO.NET on pooled reader connections, but for the batch read
/// (<see cref="FindManyAsync"/>), which steps SQLite's own API; writes go to <see cref="SqliteWriter"/>. Bulk uploads
/// read and write a batch at a time: two queries and one transaction per batch instead of one per number.
/// </summary>
internal sealed class SqliteOptOutRecords(SqliteDatabase database)
{
    // A batch of numbers travels as one JSON array parameter: one statement text whatever the batch size (so SQLite
    // plans it once), and no bound-variable limit. SQLite probes the primary key once per listed number.
    private const string PhonesOfBatch = "phone IN (SELECT value FROM json_each(@phones))";

    private const string FindRecordSql = RecordWithFirstEntrySelect + " WHERE o.account_id = " + AccountKey + " AND o.phone = @phone";

    private const string FindHistorySql = HistorySelect + " WHERE h.account_id = " + AccountKey + " AND h.phone = @phone ORDER BY h.seq";

    // The last column says whether the number has entries after its first (most have none: then its history needs no query).
    internal const string FindManyRecordsSql = RecordWithFirstEntryColumns
        + ", EXISTS (SELECT 1 FROM opt_out_history h WHERE h.account_id = o.account_id AND h.phone = o.phone)" + RecordWithFirstEntryFrom
        + " WHERE o.account_id = " + AccountKey + " AND o." + PhonesOfBatch;

    private const int LaterEntriesOrdinal = FirstEntryOrdinal + EntryColumns;

    private const string ListPhonesSql =
        "SELECT phone FROM opt_outs WHERE account_id = " + AccountKey + " AND phone > @after ORDER BY phone LIMIT @limit";

    internal const string FindManyHistorySql =
        HistorySelect + " WHERE h.account_id = " + AccountKey + " AND h." + PhonesOfBatch + " ORDER BY h.phone, h.seq";

    // One statement per filter combination instead of "@x IS NULL OR ...": SQLite plans a statement once, and only
    // these plain shapes let it walk the key in order. Opted-out records (nearly all) are the key walked with a
    // filter; the literal "state = 0" is what lets SQLite use the partial index of the opted-in ones.
    // Without statistics SQLite would still prefer the key for them, so their statements name the index.
    private const string ListSelect = RecordSelect + " WHERE o.account_id = " + AccountKey;
    private const string ListOrder = " ORDER BY o.phone LIMIT @limit";
    private const string ListAllSql = ListSelect + ListOrder;
    private const string ListAllAfterSql = ListSelect + " AND o.phone > @after" + ListOrder;
    private const string ListOptedOutSql = ListSelect + " AND o.state = 1" + ListOrder;
    internal const string ListOptedOutAfterSql = ListSelect + " AND o.state = 1 AND o.phone > @after" + ListOrder;
    private const string ListOptedInSelect =
        RecordColumns + " FROM opt_outs o INDEXED BY ix_opt_outs_opted_in" + RecordTexts + " WHERE o.account_id = " + AccountKey;
    private const string ListOptedInSql = ListOptedInSelect + " AND o.state = 0" + ListOrder;
    internal const string ListOptedInAfterSql = ListOptedInSelect + " AND o.state = 0 AND o.phone > @after" + ListOrder;

    public Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(phone);
        return database.Pipeline.ExecuteAsync(
            static (state, ct) => state.self.FindCoreAsync(state.accountId, state.phone, ct),
            (self: this, accountId, phone),
            cancellationToken).AsTask();
    }

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken)
    {
        Validate(write);
        return database.Pipeline.ExecuteAsync(
            static (state, ct) => state.database.WriteAsync(
                static (writer, write, ct) => Task.FromResult(writer.TryWrite(write, ct)), state.write, ct),
            (database, write),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        AccountId accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListCoreAsync(s.accountId, s.state, s.afterPhone, s.limit, ct),
            (self: this, accountId, state, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <summary>Two queries in one read snapshot: the batch's records, then all their history.</summary>
    public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(
        AccountId accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phones);
        if (phones.Count == 0)
            return Task.FromResult<IReadOnlyDictionary<string, OptOutRecord>>(new Dictionary<string, OptOutRecord>(StringComparer.Ordinal));

        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.FindManyCoreAsync(s.accountId, s.phones, ct),
            (self: this, accountId, phones),
            cancellationToken).AsTask();
    }

    /// <summary>A walk of the primary key (the table is that B-tree: no row is decoded beyond the phone).</summary>
    public Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListPhonesCoreAsync(s.accountId, s.afterPhone, s.limit, ct),
            (self: this, accountId, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// One transaction on the writer connection for the whole batch: each write is compare-and-swapped on its own (a
    /// lost race makes that result false and writes nothing for it), and the batch commits once. Writes apply in
    /// order, so a batch may name a number twice (the second expecting the version the first writes).
    /// </summary>
    /// <remarks>
    /// A failure mid-batch (a busy file beyond the timeout, an I/O error) rolls the whole transaction back, so the
    /// retry pipeline can safely run the batch again.
    /// </remarks>
    public Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
            Validate(write);
        if (writes.Count == 0)
            return Task.FromResult<IReadOnlyList<bool>>([]);

        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(
                static (writer, writes, ct) => Task.FromResult<IReadOnlyList<bool>>(writer.TryWriteMany(writes, ct)), s.writes, ct),
            (database, writes),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// One transaction for the new numbers (<see cref="SqliteWriter.TryInsertMany"/>): a number that has a record makes
    /// its result false and writes nothing; a failure rolls all of them back, so the retry pipeline can run it again.
    /// </summary>
    public Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inserts);
        inserts.Check(nameof(inserts));
        if (inserts.Numbers.Count == 0)
            return Task.FromResult<IReadOnlyList<bool>>([]);

        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(
                static (writer, inserts, ct) => Task.FromResult<IReadOnlyList<bool>>(writer.TryInsertMany(inserts, ct)), s.inserts, ct),
            (database, inserts),
            cancellationToken).AsTask();
    }

    /// <summary>The records (with history) of <paramref name="phones"/>, keyed by phone, outside the retry pipeline (the caller runs in it).</summary>
    internal async ValueTask<IReadOnlyDictionary<string, OptOutRecord>> FindManyCoreAsync(
        AccountId accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        var phonesJson = PhonesJsonOf(phones);
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for both queries, as in FindCoreAsync.
        await using var transaction = connection.BeginTransaction(deferred: true);

        var found = new Dictionary<string, OptOutRecord>(phones.Count, StringComparer.Ordinal);
        List<string>? withLaterEntries = null;
        // Read through SQLite's own API: a batch is thousands of column reads (see NativeMethods).
        var db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, FindManyRecordsSql, out var statement);
        using (statement)
        {
            if (rc != raw.SQLITE_OK)
                SqliteException.ThrowExceptionForRC(rc, db);
            raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "@account_id"), accountId.Value);
            raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "@phones"), phonesJson);
            var added = false;
            statement.DangerousAddRef(ref added);
            try
            {
                var row = new RawRow(statement.DangerousGetHandle());
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    var record = ReadRecord(row, accountId);
                    found[record.Phone] = ReadFirstEntry(row) is { } first ? record with { History = [first] } : record;
                    if (row.Int64(LaterEntriesOrdinal) != 0)
                        (withLaterEntries ??= []).Add(record.Phone);
                }
            }
            finally
            {
                if (added)
                    statement.DangerousRelease();
            }

            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, db);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Usually the numbers found have no entry after their first: the history is asked for only of those that do.
        if (withLaterEntries is not null)
            await AttachHistoryAsync(connection, transaction, accountId, PhonesJsonOf(withLaterEntries), found, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    private static void Validate(OptOutWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteVersion.EnsureAdvances(write.Record.Version, write.ExpectedVersion, "Record", nameof(write));
    }

    private async ValueTask<OptOutRecord?> FindCoreAsync(AccountId accountId, string phone, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // A deferred (read) transaction pins one WAL snapshot, so the record and its history come from the same
        // commit; it takes no write lock (Microsoft.Data.Sqlite's parameterless BeginTransaction would: IMMEDIATE).
        await using var transaction = connection.BeginTransaction(deferred: true);

        await using var recordCommand = SqliteDatabase.Command(connection, transaction, FindRecordSql);
        AddKey(recordCommand, accountId, phone);
        await using var recordReader = await recordCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await recordReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        var record = ReadRecord(recordReader, accountId);
        var first = ReadFirstEntry(recordReader);
        await recordReader.CloseAsync().ConfigureAwait(false);

        await using var historyCommand = SqliteDatabase.Command(connection, transaction, FindHistorySql);
        AddKey(historyCommand, accountId, phone);
        await using var historyReader = await historyCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<OptOutHistoryEntry>();
        if (first is not null)
            history.Add(first);
        while (await historyReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            history.Add(ReadHistory(historyReader));

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record with { History = history };
    }

    private async ValueTask<IReadOnlyList<string>> ListPhonesCoreAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, null, ListPhonesSql);
        command.Parameters.AddWithValue("@account_id", accountId.Value);
        // Every E.164 number sorts after the empty string.
        command.Parameters.AddWithValue("@after", afterPhone ?? "");
        command.Parameters.AddWithValue("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var phones = new List<string>(Math.Min(limit, 10_000));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            phones.Add(reader.GetString(0));
        return phones;
    }

    /// <summary>
    /// Reads the history of the listed numbers in one query and adds it to their records in <paramref name="records"/>,
    /// after the first entry (which is kept in the record's row).
    /// </summary>
    private static async Task AttachHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, AccountId accountId,
        string phonesJson, Dictionary<string, OptOutRecord> records, CancellationToken cancellationToken)
    {
        await using var command = SqliteDatabase.Command(connection, transaction, FindManyHistorySql);
        command.Parameters.AddWithValue("@account_id", accountId.Value);
        command.Parameters.AddWithValue("@phones", phonesJson);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        // Rows come grouped by phone, oldest first: collect one number's entries, then set them on its record.
        string? phone = null;
        var history = new List<OptOutHistoryEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var rowPhone = reader.GetString(0);
            if (!string.Equals(rowPhone, phone, StringComparison.Ordinal))
            {
                SetHistory(records, phone, history);
                phone = rowPhone;
                history = [];
            }

            history.Add(ReadHistory(reader));
        }

        SetHistory(records, phone, history);

        static void SetHistory(Dictionary<string, OptOutRecord> records, string? phone, List<OptOutHistoryEntry> history)
        {
            if (phone is not null && records.TryGetValue(phone, out var record))
                records[phone] = record with { History = [.. record.History, .. history] };
        }
    }

    private async ValueTask<IReadOnlyList<OptOutRecord>> ListCoreAsync(
        AccountId accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        var sql = (state, afterPhone) switch
        {
            (null, null) => ListAllSql,
            (null, _) => ListAllAfterSql,
            (OptState.OptedOut, null) => ListOptedOutSql,
            (OptState.OptedOut, _) => ListOptedOutAfterSql,
            (_, null) => ListOptedInSql,
            _ => ListOptedInAfterSql,
        };

        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, null, sql);
        command.Parameters.AddWithValue("@account_id", accountId.Value);
        command.Parameters.AddWithValue("@limit", limit);
        if (afterPhone is not null)
            command.Parameters.AddWithValue("@after", afterPhone);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var page = new List<OptOutRecord>(Math.Min(limit, 1_000));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRecord(reader, accountId));
        return page;
    }

    private static void AddKey(SqliteCommand command, AccountId accountId, string phone)
    {
        command.Parameters.AddWithValue("@account_id", accountId.Value);
        command.Parameters.AddWithValue("@phone", phone);
    }
}
