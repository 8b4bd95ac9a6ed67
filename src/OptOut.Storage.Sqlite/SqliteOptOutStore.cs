using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using Polly;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, for single-node runs and the crash tests (DESIGN.md
/// "Architecture"). Safe for any number of concurrent callers: each read opens a pooled connection of its own
/// (Microsoft.Data.Sqlite connections are not thread-safe; pooling makes opening one cheap, and WAL readers never
/// wait for the writer), while writes queue for the one writer SQLite allows and run on a dedicated connection.
/// Bulk uploads read and write a batch at a time (<see cref="FindManyAsync"/>, <see cref="TryWriteManyAsync"/>): two
/// queries and one transaction per batch instead of one per number. Upload state lives in the same file
/// (<c>SqliteOptOutStore.BulkUploads.cs</c>).
/// </summary>
/// <remarks>
/// Times are stored as UTC ISO-8601 round-trip strings (<c>2025-04-11T09:30:00.1234567+00:00</c>): fixed width,
/// so they sort as text, keep full tick precision (the event-time tie rule compares exact values) and stay
/// readable in the <c>sqlite3</c> shell when someone audits the evidence.
/// </remarks>
public sealed partial class SqliteOptOutStore : IOptOutStore, ISettingsStore, IBulkUploadStore, IStoreInitializer, IDisposable
{
    /// <summary>How long SQLite itself waits for the write lock before reporting BUSY to the retry pipeline.</summary>
    private const int BusyTimeoutMs = 5_000;

    private const string RecordColumns =
        "account_id, phone, state, source, note, actor, state_at, created_at, updated_at, flagged, version";

    private const string HistoryColumns =
        "state, source, at, recorded_at, actor, note, causation_id, conversation_id, campaign_id";

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS opt_outs (
            account_id TEXT NOT NULL,
            phone      TEXT NOT NULL,
            state      TEXT NOT NULL,
            source     TEXT NOT NULL,
            note       TEXT,
            actor      TEXT,
            state_at   TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            flagged    INTEGER NOT NULL DEFAULT 0,
            version    INTEGER NOT NULL,
            PRIMARY KEY (account_id, phone)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_opt_outs_account_state_phone ON opt_outs (account_id, state, phone);
        CREATE TABLE IF NOT EXISTS opt_out_history (
            account_id      TEXT NOT NULL,
            phone           TEXT NOT NULL,
            seq             INTEGER NOT NULL,
            state           TEXT NOT NULL,
            source          TEXT NOT NULL,
            at              TEXT NOT NULL,
            recorded_at     TEXT NOT NULL,
            actor           TEXT,
            note            TEXT,
            causation_id    TEXT NOT NULL,
            conversation_id TEXT,
            campaign_id     TEXT,
            PRIMARY KEY (account_id, phone, seq)
        ) WITHOUT ROWID;
        -- The numbers one message (a bulk upload) changed, in phone order: ListByCausationAsync walks it.
        CREATE INDEX IF NOT EXISTS ix_opt_out_history_account_causation_phone ON opt_out_history (account_id, causation_id, phone);
        CREATE TABLE IF NOT EXISTS settings (
            account_id           TEXT NOT NULL PRIMARY KEY,
            default_country_code INTEGER NOT NULL,
            auto_opt_out_enabled INTEGER NOT NULL,
            opt_out_message      TEXT NOT NULL,
            keywords             TEXT NOT NULL,
            updated_at           TEXT,
            updated_by           TEXT
        );
        -- Upload ids are globally unique (the caller's id, also the MongoDB _id), so the key is the id alone and every
        -- statement also filters on the account. A rowid table: rows carry up to 1,000 rejected rows as JSON.
        CREATE TABLE IF NOT EXISTS bulk_uploads (
            upload_id               TEXT NOT NULL PRIMARY KEY,
            account_id              TEXT NOT NULL,
            file_name               TEXT,
            submitted_by            TEXT,
            submitted_at            TEXT NOT NULL,
            dry_run                 INTEGER NOT NULL,
            status                  TEXT NOT NULL,
            started_at              TEXT NOT NULL,
            ingested_at             TEXT,
            completed_at            TEXT,
            total_rows              INTEGER NOT NULL,
            numbers_applied       INTEGER NOT NULL,
            counts                  TEXT NOT NULL,
            rejected_rows           TEXT NOT NULL,
            report_chunks           TEXT NOT NULL,
            report_address          TEXT,
            events_dispatched_after TEXT,
            events_dispatched       INTEGER NOT NULL,
            failure_reason          TEXT,
            undone_at               TEXT,
            undone_by               TEXT,
            undo_opted_in           INTEGER NOT NULL,
            undo_kept               INTEGER NOT NULL,
            version                 INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_bulk_uploads_account_submitted
            ON bulk_uploads (account_id, submitted_at DESC, upload_id DESC);
        """;

    private const string InsertRecordSql = $"""
        INSERT INTO opt_outs ({RecordColumns})
        VALUES (@account_id, @phone, @state, @source, @note, @actor, @state_at, @created_at, @updated_at, @flagged, @version)
        ON CONFLICT (account_id, phone) DO NOTHING
        """;

    private const string UpdateRecordSql = """
        UPDATE opt_outs
        SET state = @state, source = @source, note = @note, actor = @actor, state_at = @state_at,
            created_at = @created_at, updated_at = @updated_at, flagged = @flagged, version = @version
        WHERE account_id = @account_id AND phone = @phone AND version = @expected_version
        """;

    // seq is computed inside the write transaction, which holds the database's only write lock, so it can't collide.
    private const string InsertHistorySql = $"""
        INSERT INTO opt_out_history (account_id, phone, seq, {HistoryColumns})
        SELECT @account_id, @phone, COALESCE(MAX(seq), 0) + 1,
               @state, @source, @at, @recorded_at, @actor, @note, @causation_id, @conversation_id, @campaign_id
        FROM opt_out_history WHERE account_id = @account_id AND phone = @phone
        """;

    private const string FindRecordSql = $"SELECT {RecordColumns} FROM opt_outs WHERE account_id = @account_id AND phone = @phone";

    private const string FindHistorySql =
        $"SELECT {HistoryColumns} FROM opt_out_history WHERE account_id = @account_id AND phone = @phone ORDER BY seq";

    // A batch of numbers travels as one JSON array parameter: one statement text whatever the batch size (so SQLite
    // plans it once), and no bound-variable limit. SQLite probes the primary key once per listed number.
    private const string PhonesOfBatch = "phone IN (SELECT value FROM json_each(@phones))";

    private const string FindManyRecordsSql =
        $"SELECT {RecordColumns} FROM opt_outs WHERE account_id = @account_id AND {PhonesOfBatch}";

    private const string FindManyHistorySql =
        $"SELECT phone, {HistoryColumns} FROM opt_out_history WHERE account_id = @account_id AND {PhonesOfBatch} ORDER BY phone, seq";

    // The page of phones comes from the (account_id, causation_id, phone) index in order; DISTINCT so that a number
    // with two entries of one causation still counts once towards the limit. "phone > ''" when there is no cursor:
    // every E.164 number sorts after the empty string, and one statement shape keeps one plan.
    private const string ListByCausationSql = $"""
        SELECT {RecordColumns} FROM opt_outs
        WHERE account_id = @account_id AND phone IN (
            SELECT DISTINCT phone FROM opt_out_history
            WHERE account_id = @account_id AND causation_id = @causation_id AND phone > @after
            ORDER BY phone LIMIT @limit)
        ORDER BY phone
        """;

    // One statement per filter combination instead of "@x IS NULL OR ...": SQLite plans a statement once, and only
    // these plain shapes let it walk the (account_id, phone) key or the (account_id, state, phone) index in order.
    private const string ListSelect = $"SELECT {RecordColumns} FROM opt_outs WHERE account_id = @account_id";
    private const string ListOrder = " ORDER BY phone LIMIT @limit";
    private const string ListAllSql = ListSelect + ListOrder;
    private const string ListAllAfterSql = ListSelect + " AND phone > @after" + ListOrder;
    private const string ListStateSql = ListSelect + " AND state = @state" + ListOrder;
    private const string ListStateAfterSql = ListSelect + " AND state = @state AND phone > @after" + ListOrder;

    private const string GetSettingsSql = """
        SELECT default_country_code, auto_opt_out_enabled, opt_out_message, keywords, updated_at, updated_by
        FROM settings WHERE account_id = @account_id
        """;

    private const string SaveSettingsSql = """
        INSERT INTO settings (account_id, default_country_code, auto_opt_out_enabled, opt_out_message, keywords, updated_at, updated_by)
        VALUES (@account_id, @default_country_code, @auto_opt_out_enabled, @opt_out_message, @keywords, @updated_at, @updated_by)
        ON CONFLICT (account_id) DO UPDATE SET
            default_country_code = excluded.default_country_code,
            auto_opt_out_enabled = excluded.auto_opt_out_enabled,
            opt_out_message = excluded.opt_out_message,
            keywords = excluded.keywords,
            updated_at = excluded.updated_at,
            updated_by = excluded.updated_by
        """;

    private readonly string _connectionString;
    private readonly ResiliencePipeline _pipeline;

    // SQLite has one writer per database. Queuing this process's writers here (async, in order) is cheaper than
    // letting them all race for the file lock and sleep in SQLite's busy handler; BEGIN IMMEDIATE still guards
    // against writers in other processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Since writes are serialized anyway, they share one long-lived connection whose statements are prepared once:
    // the bulk upload writes a million rows through TryWriteAsync. Only touched while holding _writeGate.
    private Writer? _writer;

    public SqliteOptOutStore(string path, ILogger<SqliteOptOutStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DatabasePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        _pipeline = StoreResilience.Create("SQLite", IsTransient, logger, resilience);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the lock longer than the busy timeout.
    /// Anything else (constraint, corrupt file, disk full) will not heal by retrying.
    /// </summary>
    public static bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(DatabasePath) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);

        return _pipeline.ExecuteAsync(
            static (self, ct) => self.WriteAsync(
                static async (writer, _, ct) =>
                {
                    await using var command = writer.Connection.CreateCommand();
                    command.CommandText = Schema;
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    return true;
                },
                self,
                ct),
            this,
            cancellationToken).AsTask();
    }

    public Task<OptOutRecord?> FindAsync(Guid accountId, string phone, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(phone);
        return _pipeline.ExecuteAsync(
            static (state, ct) => state.self.FindCoreAsync(state.accountId, state.phone, ct),
            (self: this, accountId, phone),
            cancellationToken).AsTask();
    }

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default)
    {
        Validate(write);
        return _pipeline.ExecuteAsync(
            static (state, ct) => state.self.WriteAsync(
                static (writer, write, ct) => Task.FromResult(writer.TryWrite(write, ct)), state.write, ct),
            (self: this, write),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListCoreAsync(s.accountId, s.state, s.afterPhone, s.limit, ct),
            (self: this, accountId, state, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <summary>Two queries in one read snapshot: the batch's records, then all their history.</summary>
    public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(
        Guid accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(phones);
        if (phones.Count == 0)
            return Task.FromResult<IReadOnlyDictionary<string, OptOutRecord>>(new Dictionary<string, OptOutRecord>(StringComparer.Ordinal));

        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.FindManyCoreAsync(s.accountId, s.phones, ct),
            (self: this, accountId, phones),
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
    public Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
            Validate(write);
        if (writes.Count == 0)
            return Task.FromResult<IReadOnlyList<bool>>([]);

        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.WriteAsync(
                static (writer, writes, ct) => Task.FromResult<IReadOnlyList<bool>>(writer.TryWriteMany(writes, ct)), s.writes, ct),
            (self: this, writes),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListByCausationAsync(
        Guid accountId, string causationId, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListByCausationCoreAsync(s.accountId, s.causationId, s.afterPhone, s.limit, ct),
            (self: this, accountId, causationId, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Touches the schema, so a file that exists but was never initialized (or was replaced) fails the check.
        command.CommandText = "SELECT COUNT(*) FROM settings WHERE 0";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<AccountSettings?> GetAsync(Guid accountId, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(
            static (s, ct) => s.self.GetSettingsCoreAsync(s.accountId, ct),
            (self: this, accountId),
            cancellationToken).AsTask();

    public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.WriteAsync(static (writer, settings, ct) => writer.SaveSettingsAsync(settings, ct), s.settings, ct),
            (self: this, settings),
            cancellationToken).AsTask();
    }

    /// <summary>Closes the connections, so SQLite checkpoints the WAL and releases the file.</summary>
    public void Dispose()
    {
        _writeGate.Wait();
        try
        {
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _writeGate.Release();
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static void Validate(OptOutWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        // The version is the compare-and-swap token: it must move forward on every write, or a writer holding an
        // old read could overwrite a newer state (ABA).
        if (write.Record.Version <= write.ExpectedVersion || write.ExpectedVersion < 0)
            throw new ArgumentException(
                $"Record version {write.Record.Version} must be greater than expected version {write.ExpectedVersion}.", nameof(write));
    }

    /// <summary>Runs <paramref name="work"/> on the writer connection, one writer at a time.</summary>
    private async ValueTask<T> WriteAsync<T, TState>(
        Func<Writer, TState, CancellationToken, Task<T>> work, TState state, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _writer ??= await Writer.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
            try
            {
                return await work(_writer, state, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Whatever went wrong (a busy file, an I/O error, a cancelled statement), the next write starts on a
                // fresh connection rather than one in an unknown state.
                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// A pooled connection for reads. WAL readers never wait for the writer; for the rare busy moments (WAL recovery
    /// after a crash) Microsoft.Data.Sqlite itself retries until the command timeout.
    /// </summary>
    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<OptOutRecord?> FindCoreAsync(Guid accountId, string phone, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // A deferred (read) transaction pins one WAL snapshot, so the record and its history come from the same
        // commit; it takes no write lock (Microsoft.Data.Sqlite's parameterless BeginTransaction would: IMMEDIATE).
        await using var transaction = connection.BeginTransaction(deferred: true);

        await using var recordCommand = Command(connection, transaction, FindRecordSql);
        AddKey(recordCommand, accountId, phone);
        await using var recordReader = await recordCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await recordReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        var record = ReadRecord(recordReader);
        await recordReader.CloseAsync().ConfigureAwait(false);

        await using var historyCommand = Command(connection, transaction, FindHistorySql);
        AddKey(historyCommand, accountId, phone);
        await using var historyReader = await historyCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<OptOutHistoryEntry>();
        while (await historyReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            history.Add(ReadHistory(historyReader));

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record with { History = history };
    }

    private async ValueTask<IReadOnlyDictionary<string, OptOutRecord>> FindManyCoreAsync(
        Guid accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        var phonesJson = PhonesJsonOf(phones);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for both queries, as in FindCoreAsync.
        await using var transaction = connection.BeginTransaction(deferred: true);

        var found = new Dictionary<string, OptOutRecord>(phones.Count, StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, FindManyRecordsSql))
        {
            command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
            command.Parameters.AddWithValue("@phones", phonesJson);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var record = ReadRecord(reader);
                found[record.Phone] = record;
            }
        }

        if (found.Count > 0)
        {
            // Usually most of a batch is new: ask for the history of the numbers found, not of the whole batch.
            var foundJson = found.Count == phones.Count ? phonesJson : PhonesJsonOf(found.Keys);
            await AttachHistoryAsync(connection, transaction, accountId, foundJson, found, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    private async ValueTask<IReadOnlyList<OptOutRecord>> ListByCausationCoreAsync(
        Guid accountId, string causationId, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);

        var page = new List<OptOutRecord>(Math.Min(limit, 1_000));
        await using (var command = Command(connection, transaction, ListByCausationSql))
        {
            command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
            command.Parameters.AddWithValue("@causation_id", causationId);
            command.Parameters.AddWithValue("@after", afterPhone ?? "");
            command.Parameters.AddWithValue("@limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                page.Add(ReadRecord(reader));
        }

        if (page.Count > 0)
        {
            var byPhone = page.ToDictionary(r => r.Phone, StringComparer.Ordinal);
            await AttachHistoryAsync(connection, transaction, accountId, PhonesJsonOf(byPhone.Keys), byPhone, cancellationToken)
                .ConfigureAwait(false);
            for (var i = 0; i < page.Count; i++)
                page[i] = byPhone[page[i].Phone];
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <summary>Reads the history of the listed numbers in one query and sets it on their records in <paramref name="records"/>.</summary>
    private static async Task AttachHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, Guid accountId,
        string phonesJson, Dictionary<string, OptOutRecord> records, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, FindManyHistorySql);
        command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
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

            history.Add(ReadHistory(reader, offset: 1));
        }

        SetHistory(records, phone, history);

        static void SetHistory(Dictionary<string, OptOutRecord> records, string? phone, List<OptOutHistoryEntry> history)
        {
            if (phone is not null && records.TryGetValue(phone, out var record))
                records[phone] = record with { History = history };
        }
    }

    private static string PhonesJsonOf(IEnumerable<string> phones) => JsonSerializer.Serialize(phones);

    private async ValueTask<IReadOnlyList<OptOutRecord>> ListCoreAsync(
        Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        var sql = (state, afterPhone) switch
        {
            (null, null) => ListAllSql,
            (null, _) => ListAllAfterSql,
            (_, null) => ListStateSql,
            _ => ListStateAfterSql,
        };

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql);
        command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
        command.Parameters.AddWithValue("@limit", limit);
        if (state is { } s)
            command.Parameters.AddWithValue("@state", s.ToString());
        if (afterPhone is not null)
            command.Parameters.AddWithValue("@after", afterPhone);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var page = new List<OptOutRecord>(Math.Min(limit, 1_000));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRecord(reader));
        return page;
    }

    private async ValueTask<AccountSettings?> GetSettingsCoreAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, GetSettingsSql);
        command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;

        return AccountSettings.Restore(
            accountId,
            reader.GetInt32(0),
            reader.GetInt64(1) != 0,
            reader.GetString(2),
            JsonSerializer.Deserialize<string[]>(reader.GetString(3)) ?? [],
            reader.IsDBNull(4) ? null : ParseTime(reader.GetString(4)),
            reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void AddKey(SqliteCommand command, Guid accountId, string phone)
    {
        command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
        command.Parameters.AddWithValue("@phone", phone);
    }

    // Text, not Microsoft.Data.Sqlite's default 16-byte blob, so the file is readable and greppable by account.
    private static string FormatAccount(Guid accountId) => accountId.ToString("D");

    private static string FormatTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static OptOutRecord ReadRecord(SqliteDataReader reader) => new()
    {
        AccountId = Guid.Parse(reader.GetString(0)),
        Phone = reader.GetString(1),
        State = Enum.Parse<OptState>(reader.GetString(2)),
        Source = Enum.Parse<OptOutSource>(reader.GetString(3)),
        Note = NullableString(reader, 4),
        Actor = NullableString(reader, 5),
        StateAt = ParseTime(reader.GetString(6)),
        CreatedAt = ParseTime(reader.GetString(7)),
        UpdatedAt = ParseTime(reader.GetString(8)),
        Flagged = reader.GetInt64(9) != 0,
        Version = reader.GetInt64(10),
    };

    /// <summary>Reads the <see cref="HistoryColumns"/>, starting at column <paramref name="offset"/>.</summary>
    private static OptOutHistoryEntry ReadHistory(SqliteDataReader reader, int offset = 0) => new()
    {
        State = Enum.Parse<OptState>(reader.GetString(offset)),
        Source = Enum.Parse<OptOutSource>(reader.GetString(offset + 1)),
        At = ParseTime(reader.GetString(offset + 2)),
        RecordedAt = ParseTime(reader.GetString(offset + 3)),
        Actor = NullableString(reader, offset + 4),
        Note = NullableString(reader, offset + 5),
        CausationId = reader.GetString(offset + 6),
        ConversationId = NullableString(reader, offset + 7),
        CampaignId = NullableString(reader, offset + 8),
    };

    /// <summary>The writer connection and its statements, prepared on first use and reused for every write.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteCommand _insertRecord;
        private readonly SqliteCommand _updateRecord;
        private readonly SqliteCommand _insertHistory;
        private readonly SqliteCommand _saveSettings;

        private Writer(SqliteConnection connection)
        {
            Connection = connection;
            _insertRecord = Prepare(InsertRecordSql, RecordParameters);
            _updateRecord = Prepare(UpdateRecordSql, [.. RecordParameters, "@expected_version"]);
            _insertHistory = Prepare(InsertHistorySql,
                ["@account_id", "@phone", "@state", "@source", "@at", "@recorded_at", "@actor", "@note", "@causation_id",
                 "@conversation_id", "@campaign_id"]);
            _saveSettings = Prepare(SaveSettingsSql,
                ["@account_id", "@default_country_code", "@auto_opt_out_enabled", "@opt_out_message", "@keywords", "@updated_at",
                 "@updated_by"]);
        }

        public SqliteConnection Connection { get; }

        private static string[] RecordParameters =>
            ["@account_id", "@phone", "@state", "@source", "@note", "@actor", "@state_at", "@created_at", "@updated_at", "@flagged",
             "@version"];

        public static async Task<Writer> OpenAsync(string connectionString, CancellationToken cancellationToken)
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
                return new Writer(connection);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        // Microsoft.Data.Sqlite runs its async methods synchronously anyway (SQLite has no async I/O, see
        // https://learn.microsoft.com/dotnet/standard/data/sqlite/async), so the write path calls the synchronous ones
        // and saves a state machine per statement: a bulk upload runs two statements per number.
        public bool TryWrite(OptOutWrite write, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then upgrades can
            // fail with BUSY mid-way, which no busy timeout resolves.
            using var transaction = Connection.BeginTransaction(deferred: false);
            if (!Apply(write, transaction))
            {
                transaction.Rollback();
                return false;
            }

            transaction.Commit();
            return true;
        }

        public bool[] TryWriteMany(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken)
        {
            var results = new bool[writes.Count];
            // One transaction (one write lock, one commit) for the batch; a write that loses its race simply changes
            // no row, so the others still commit. Leaving by an exception disposes the transaction: a rollback.
            using var transaction = Connection.BeginTransaction(deferred: false);
            for (var i = 0; i < writes.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[i] = Apply(writes[i], transaction);
            }

            transaction.Commit();
            return results;
        }

        /// <summary>
        /// One compare-and-swap inside the open transaction: the record (0 rows: the insert hit an existing key, or the
        /// version moved on; another writer won and nothing is written), then the history entry if it won.
        /// </summary>
        private bool Apply(OptOutWrite write, SqliteTransaction transaction)
        {
            var record = write.Record;
            var account = FormatAccount(record.AccountId);

            var command = write.ExpectedVersion == 0 ? _insertRecord : _updateRecord;
            command.Transaction = transaction;
            Set(command, "@account_id", account);
            Set(command, "@phone", record.Phone);
            Set(command, "@state", record.State.ToString());
            Set(command, "@source", record.Source.ToString());
            Set(command, "@note", record.Note);
            Set(command, "@actor", record.Actor);
            Set(command, "@state_at", FormatTime(record.StateAt));
            Set(command, "@created_at", FormatTime(record.CreatedAt));
            Set(command, "@updated_at", FormatTime(record.UpdatedAt));
            Set(command, "@flagged", record.Flagged ? 1 : 0);
            Set(command, "@version", record.Version);
            if (write.ExpectedVersion != 0)
                Set(command, "@expected_version", write.ExpectedVersion);

            if (command.ExecuteNonQuery() == 0)
                return false;

            if (write.Appended is { } entry)
            {
                var history = _insertHistory;
                history.Transaction = transaction;
                Set(history, "@account_id", account);
                Set(history, "@phone", record.Phone);
                Set(history, "@state", entry.State.ToString());
                Set(history, "@source", entry.Source.ToString());
                Set(history, "@at", FormatTime(entry.At));
                Set(history, "@recorded_at", FormatTime(entry.RecordedAt));
                Set(history, "@actor", entry.Actor);
                Set(history, "@note", entry.Note);
                Set(history, "@causation_id", entry.CausationId);
                Set(history, "@conversation_id", entry.ConversationId);
                Set(history, "@campaign_id", entry.CampaignId);
                history.ExecuteNonQuery();
            }

            return true;
        }

        public async Task<bool> SaveSettingsAsync(AccountSettings settings, CancellationToken cancellationToken)
        {
            var command = _saveSettings;
            command.Transaction = null;
            Set(command, "@account_id", FormatAccount(settings.AccountId));
            Set(command, "@default_country_code", settings.DefaultCountryCode);
            Set(command, "@auto_opt_out_enabled", settings.AutoOptOutEnabled ? 1 : 0);
            Set(command, "@opt_out_message", settings.OptOutMessage);
            Set(command, "@keywords", JsonSerializer.Serialize(settings.Keywords));
            Set(command, "@updated_at", settings.UpdatedAt is { } at ? FormatTime(at) : null);
            Set(command, "@updated_by", settings.UpdatedBy);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        public void Dispose()
        {
            _insertRecord.Dispose();
            _updateRecord.Dispose();
            _insertHistory.Dispose();
            _saveSettings.Dispose();
            Connection.Dispose();
        }

        private static void Set(SqliteCommand command, string name, object? value) =>
            command.Parameters[name].Value = value ?? DBNull.Value;

        private SqliteCommand Prepare(string sql, string[] parameters)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            return command;
        }
    }
}
