using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OptOut.Contracts;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, for single-node runs and the crash tests (DESIGN.md
/// "Architecture"). Safe for any number of concurrent callers: each read opens a pooled connection of its own
/// (Microsoft.Data.Sqlite connections are not thread-safe; pooling makes opening one cheap, and WAL readers never
/// wait for the writer), while writes queue for the one writer SQLite allows and run on a dedicated connection.
/// </summary>
/// <remarks>
/// Times are stored as UTC ISO-8601 round-trip strings (<c>2025-04-11T09:30:00.1234567+00:00</c>): fixed width,
/// so they sort as text, keep full tick precision (the event-time tie rule compares exact values) and stay
/// readable in the <c>sqlite3</c> shell when someone audits the evidence.
/// </remarks>
public sealed class SqliteOptOutStore : IOptOutStore, ISettingsStore, IStoreInitializer, IDisposable
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
        CREATE TABLE IF NOT EXISTS settings (
            account_id           TEXT NOT NULL PRIMARY KEY,
            default_country_code INTEGER NOT NULL,
            auto_opt_out_enabled INTEGER NOT NULL,
            opt_out_message      TEXT NOT NULL,
            keywords             TEXT NOT NULL,
            updated_at           TEXT,
            updated_by           TEXT
        );
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
        ArgumentNullException.ThrowIfNull(write);
        // The version is the compare-and-swap token: it must move forward on every write, or a writer holding an
        // old read could overwrite a newer state (ABA).
        if (write.Record.Version <= write.ExpectedVersion || write.ExpectedVersion < 0)
            throw new ArgumentException(
                $"Record version {write.Record.Version} must be greater than expected version {write.ExpectedVersion}.", nameof(write));

        return _pipeline.ExecuteAsync(
            static (state, ct) => state.self.WriteAsync(static (writer, write, ct) => writer.TryWriteAsync(write, ct), state.write, ct),
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

    private static OptOutHistoryEntry ReadHistory(SqliteDataReader reader) => new()
    {
        State = Enum.Parse<OptState>(reader.GetString(0)),
        Source = Enum.Parse<OptOutSource>(reader.GetString(1)),
        At = ParseTime(reader.GetString(2)),
        RecordedAt = ParseTime(reader.GetString(3)),
        Actor = NullableString(reader, 4),
        Note = NullableString(reader, 5),
        CausationId = reader.GetString(6),
        ConversationId = NullableString(reader, 7),
        CampaignId = NullableString(reader, 8),
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

        public async Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken)
        {
            var record = write.Record;
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then upgrades can
            // fail with BUSY mid-way, which no busy timeout resolves.
            await using var transaction = Connection.BeginTransaction(deferred: false);

            var command = write.ExpectedVersion == 0 ? _insertRecord : _updateRecord;
            command.Transaction = transaction;
            Set(command, "@account_id", FormatAccount(record.AccountId));
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

            // 0 rows: the insert hit an existing key, or the version moved on. Another writer won; write nothing.
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            if (write.Appended is { } entry)
            {
                var history = _insertHistory;
                history.Transaction = transaction;
                Set(history, "@account_id", FormatAccount(record.AccountId));
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
                await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
