using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using SQLitePCL;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The writer connection (one per file, used under <see cref="SqliteDatabase"/>'s write gate) and every opt-out write:
/// single and batch compare-and-swaps and the bulk change log. They go through SQLitePCL's raw API (the library under
/// Microsoft.Data.Sqlite) on statements prepared once (<see cref="WriteStatements"/>): binding integers and spans
/// straight to prepared statements costs a fraction of an ADO.NET command execution, and a bulk upload runs two of them
/// per number. A bulk upload's new numbers, alike but for the number, are inserted by one statement
/// (<c>SqliteWriter.AlikeInserts.cs</c>); shared texts are <see cref="SharedTexts"/>, accounts' keys <see cref="AccountKeys"/>. Settings and upload saves, rare,
/// run ordinary commands on <see cref="Connection"/>.
/// </summary>
internal sealed partial class SqliteWriter : IDisposable
{
    /// <summary>How long SQLite itself waits for the write lock before reporting BUSY to the retry pipeline.</summary>
    private const int BusyTimeoutMs = 5_000;

    private readonly sqlite3 _db;

    // Prepared on the first opt-out write, not when the connection opens: the schema may not exist yet then.
    private WriteStatements? _statements;
    private SharedTexts? _texts;
    private AccountKeys? _accounts;

    private SqliteWriter(SqliteConnection connection)
    {
        Connection = connection;
        _db = connection.Handle!;
    }

    private WriteStatements Prepared => _statements ??= new WriteStatements(_db);

    private SharedTexts Texts => _texts ??= new SharedTexts(_db);

    private AccountKeys Accounts => _accounts ??= new AccountKeys(_db);

    public SqliteConnection Connection { get; }

    public static async Task<SqliteWriter> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // NORMAL is durable across application crashes in WAL mode (only a power loss can drop the last
            // commits) and avoids an fsync per commit. busy_timeout lets SQLite wait for another process's
            // write lock before reporting BUSY to the retry pipeline.
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMs};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new SqliteWriter(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // SQLite has no async I/O (https://learn.microsoft.com/dotnet/standard/data/sqlite/async): the write path is
    // synchronous, on the caller's thread, under the write gate.
    public bool TryWrite(OptOutWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Execute(Prepared.Begin);
        bool applied;
        try
        {
            applied = Apply(write);
        }
        catch
        {
            Rollback();
            throw;
        }

        if (applied)
            Execute(Prepared.Commit);
        else
            Rollback();
        return applied;
    }

    public bool[] TryWriteMany(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken)
    {
        var results = new bool[writes.Count];
        // One transaction (one write lock, one commit) for the batch; a write that loses its race simply changes
        // no row, so the others still commit.
        Execute(Prepared.Begin);
        try
        {
            for (var i = 0; i < writes.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[i] = Apply(writes[i]);
            }

            Execute(Prepared.Commit);
        }
        catch
        {
            Rollback();
            throw;
        }

        return results;
    }

    /// <summary>Replaces the listed changes of <paramref name="causationId"/> from <paramref name="position"/> on, in one transaction.</summary>
    public bool RecordChanges(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Execute(Prepared.Begin);
        try
        {
            var account = Accounts.KeyOf(accountId);
            var causation = TextId(causationId)!.Value;
            raw.sqlite3_bind_int64(Prepared.DeleteChanges, 1, account);
            raw.sqlite3_bind_int64(Prepared.DeleteChanges, 2, causation);
            raw.sqlite3_bind_int64(Prepared.DeleteChanges, 3, position);
            Execute(Prepared.DeleteChanges);
            foreach (var part in ChangeLogPages.Split(position, phones))
            {
                raw.sqlite3_bind_int64(Prepared.InsertChanges, 1, account);
                raw.sqlite3_bind_int64(Prepared.InsertChanges, 2, causation);
                raw.sqlite3_bind_int64(Prepared.InsertChanges, 3, part.Position);
                raw.sqlite3_bind_text(Prepared.InsertChanges, 4, PhonesJsonOf(part.Phones));
                Execute(Prepared.InsertChanges);
            }

            Execute(Prepared.Commit);
            return true;
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    /// <summary>
    /// One compare-and-swap inside the open transaction: the record (0 rows: the insert hit an existing key, or the
    /// version moved on; another writer won and nothing is written), then the history entry and the pending events if it won.
    /// </summary>
    private bool Apply(OptOutWrite write)
    {
        var record = write.Record;
        var note = TextId(record.Note);
        var actor = TextId(record.Actor);

        var insert = write.ExpectedVersion == 0;
        var statement = insert ? Prepared.InsertRecord : Prepared.UpdateRecord;
        BindRecord(statement, write, note, actor);
        statement.Text(2, record.Phone);
        if (!insert)
            statement.Integer(12, write.ExpectedVersion);
        Execute(statement.Statement);
        if (raw.sqlite3_changes(_db) == 0)
            return false;

        if (!insert && write.Appended is { } entry)
        {
            var history = Prepared.InsertHistory;
            history.Integer(1, Accounts.KeyOf(record.AccountId));
            history.Text(2, record.Phone);
            BindEntry(history, 3, entry, record, note, actor);
            Execute(history.Statement);
        }

        if (write.Pending is { } pending)
            WritePending(record, pending);
        return true;
    }

    /// <summary>
    /// Binds a write's record (all but its phone, ?2) from ?1 to ?11, and for an insert its first history entry from ?13 to ?22
    /// (the parameters of <see cref="WriteStatements.InsertRecord"/>, <see cref="WriteStatements.InsertAlikeRecords"/> and, up to
    /// ?11, <see cref="WriteStatements.UpdateRecord"/>).
    /// </summary>
    private void BindRecord(BoundStatement statement, OptOutWrite write, long? note, long? actor)
    {
        var record = write.Record;
        statement.Integer(1, Accounts.KeyOf(record.AccountId));
        statement.Integer(3, StateCode(record.State));
        statement.Integer(4, SourceCode(record.Source));
        statement.Integer(5, note);
        statement.Integer(6, actor);
        statement.Integer(7, TicksOf(record.StateAt));
        statement.Integer(8, TicksOf(record.CreatedAt));
        statement.Integer(9, TicksOf(record.UpdatedAt));
        statement.Integer(10, record.Flagged ? 1 : 0);
        statement.Integer(11, record.Version);
        if (write.ExpectedVersion == 0)
            BindEntry(statement, 13, write.Appended, record, note, actor);
    }

    /// <summary>
    /// Binds a history entry's ten values (state, source, at, recorded_at, actor, note, causation, conversation,
    /// campaign, detection) from parameter <paramref name="first"/> on, or ten NULLs for none. The record's text ids are
    /// reused.
    /// </summary>
    private void BindEntry(BoundStatement statement, int first, OptOutHistoryEntry? entry, OptOutRecord record, long? note, long? actor)
    {
        if (entry is null)
        {
            for (var i = 0; i < RecordRows.EntryColumns; i++)
                statement.Null(first + i);
            return;
        }

        statement.Integer(first, StateCode(entry.State));
        statement.Integer(first + 1, SourceCode(entry.Source));
        statement.Integer(first + 2, TicksOf(entry.At));
        statement.Integer(first + 3, TicksOf(entry.RecordedAt));
        statement.Integer(first + 4, entry.Actor == record.Actor ? actor : TextId(entry.Actor));
        statement.Integer(first + 5, entry.Note == record.Note ? note : TextId(entry.Note));
        statement.Integer(first + 6, TextId(entry.CausationId)!.Value);
        statement.Text(first + 7, entry.ConversationId);
        statement.Text(first + 8, entry.CampaignId);
        // Most entries have none (an upload's): NULL, which BoundStatement binds once and then leaves in place.
        statement.Text(first + 9, StoredJson.Detection(entry.Detection));
    }

    /// <summary>The id of a shared text, added to <c>texts</c> (inside the caller's transaction) when new.</summary>
    private long? TextId(string? value) => Texts.IdOf(value);

    /// <summary>
    /// Rolls the open transaction back (if SQLite has not already) and forgets the cached text ids and account keys: a
    /// text or an account added in the rolled-back transaction is gone, and its id may be given to another value.
    /// </summary>
    private void Rollback()
    {
        _texts?.Forget();
        _accounts?.Forget();
        if (raw.sqlite3_get_autocommit(_db) == 0)
            Execute(Prepared.Rollback);
    }

    /// <summary>Steps a statement that returns no rows, then resets it (keeping its bindings for the next use).</summary>
    private void Execute(sqlite3_stmt statement) => RawSqlite.Execute(_db, statement);

    public void Dispose()
    {
        // Statements first: a connection with unfinalized statements can't close.
        _statements?.Dispose();
        _outbox?.Dispose();
        _texts?.Dispose();
        _accounts?.Dispose();
        Connection.Dispose();
    }
}
