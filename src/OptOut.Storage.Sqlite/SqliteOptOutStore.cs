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
/// "Architecture"). Every call opens a pooled connection of its own, because Microsoft.Data.Sqlite connections
/// are not thread-safe and pooling makes opening one cheap; so any number of consumers may call concurrently.
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
            static async (self, ct) =>
            {
                await self._writeGate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await using var connection = await self.OpenAsync(ct).ConfigureAwait(false);
                    await using var command = connection.CreateCommand();
                    command.CommandText = Schema;
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    self._writeGate.Release();
                }
            },
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
            static (state, ct) => state.self.TryWriteCoreAsync(state.write, ct),
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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
            static (s, ct) => s.self.SaveSettingsCoreAsync(s.settings, ct),
            (self: this, settings),
            cancellationToken).AsTask();
    }

    /// <summary>Closes the pooled connections, so SQLite checkpoints the WAL and releases the file.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Per-connection settings, re-applied on every open because a pooled connection can't tell whether it
            // is new. NORMAL is durable across application crashes in WAL mode (only a power loss can drop the
            // last commits), and much faster than FULL for the bulk upload.
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMs};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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

    private async ValueTask<bool> TryWriteCoreAsync(OptOutWrite write, CancellationToken cancellationToken)
    {
        var record = write.Record;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then upgrades can
            // fail with BUSY mid-way, which no busy timeout resolves.
            await using var transaction = connection.BeginTransaction(deferred: false);

            await using (var command = Command(connection, transaction, write.ExpectedVersion == 0 ? InsertRecordSql : UpdateRecordSql))
            {
                AddKey(command, record.AccountId, record.Phone);
                command.Parameters.AddWithValue("@state", record.State.ToString());
                command.Parameters.AddWithValue("@source", record.Source.ToString());
                command.Parameters.AddWithValue("@note", (object?)record.Note ?? DBNull.Value);
                command.Parameters.AddWithValue("@actor", (object?)record.Actor ?? DBNull.Value);
                command.Parameters.AddWithValue("@state_at", FormatTime(record.StateAt));
                command.Parameters.AddWithValue("@created_at", FormatTime(record.CreatedAt));
                command.Parameters.AddWithValue("@updated_at", FormatTime(record.UpdatedAt));
                command.Parameters.AddWithValue("@flagged", record.Flagged ? 1 : 0);
                command.Parameters.AddWithValue("@version", record.Version);
                if (write.ExpectedVersion != 0)
                    command.Parameters.AddWithValue("@expected_version", write.ExpectedVersion);

                // 0 rows: the insert hit an existing key, or the version moved on. Another writer won; write nothing.
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return false;
                }
            }

            if (write.Appended is { } entry)
            {
                await using var command = Command(connection, transaction, InsertHistorySql);
                AddKey(command, record.AccountId, record.Phone);
                command.Parameters.AddWithValue("@state", entry.State.ToString());
                command.Parameters.AddWithValue("@source", entry.Source.ToString());
                command.Parameters.AddWithValue("@at", FormatTime(entry.At));
                command.Parameters.AddWithValue("@recorded_at", FormatTime(entry.RecordedAt));
                command.Parameters.AddWithValue("@actor", (object?)entry.Actor ?? DBNull.Value);
                command.Parameters.AddWithValue("@note", (object?)entry.Note ?? DBNull.Value);
                command.Parameters.AddWithValue("@causation_id", entry.CausationId);
                command.Parameters.AddWithValue("@conversation_id", (object?)entry.ConversationId ?? DBNull.Value);
                command.Parameters.AddWithValue("@campaign_id", (object?)entry.CampaignId ?? DBNull.Value);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
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

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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

    private async ValueTask SaveSettingsCoreAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, null, SaveSettingsSql);
            command.Parameters.AddWithValue("@account_id", FormatAccount(settings.AccountId));
            command.Parameters.AddWithValue("@default_country_code", settings.DefaultCountryCode);
            command.Parameters.AddWithValue("@auto_opt_out_enabled", settings.AutoOptOutEnabled ? 1 : 0);
            command.Parameters.AddWithValue("@opt_out_message", settings.OptOutMessage);
            command.Parameters.AddWithValue("@keywords", JsonSerializer.Serialize(settings.Keywords));
            command.Parameters.AddWithValue("@updated_at", settings.UpdatedAt is { } at ? FormatTime(at) : DBNull.Value);
            command.Parameters.AddWithValue("@updated_by", (object?)settings.UpdatedBy ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
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
}
