using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The one SQLite file (WAL mode) the stores share, and how they reach it. Each read opens a pooled connection of its
/// own (Microsoft.Data.Sqlite connections are not thread-safe; pooling makes opening one cheap, and WAL readers never
/// wait for the writer), while writes queue for the one writer SQLite allows and run on a dedicated connection
/// (<see cref="SqliteWriter"/>). Every call goes through <see cref="Pipeline"/>, which retries a busy file.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;

    // SQLite has one writer per database. Queuing this process's writers here (async, in order) is cheaper than
    // letting them all race for the file lock and sleep in SQLite's busy handler; BEGIN IMMEDIATE still guards
    // against writers in other processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Since writes are serialized anyway, they share one long-lived connection whose statements are prepared once:
    // the bulk upload writes a million rows through it. Only touched while holding _writeGate.
    private SqliteWriter? _writer;

    public SqliteDatabase(string path, ILogger? logger, StoreResilienceOptions? resilience)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        Pipeline = StoreResilience.Create("SQLite", IsTransient, logger, resilience);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Retries what <see cref="IsTransient"/> names; every store call runs in it.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>
    /// SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the lock longer than the busy timeout.
    /// Anything else (constraint, corrupt file, disk full) will not heal by retrying.
    /// </summary>
    public static bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 };

    /// <summary>Creates the folder and the schema, converting a file of an earlier layout (<see cref="SqliteSchema"/>).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);

        return Pipeline.ExecuteAsync(
            static (self, ct) => self.WriteAsync(
                static async (writer, self, ct) =>
                {
                    await SqliteSchema.CreateOrUpgradeAsync(writer.Connection, self.Path, ct).ConfigureAwait(false);
                    return true;
                },
                self,
                ct),
            this,
            cancellationToken).AsTask();
    }

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Touches the schema, so a file that exists but was never initialized (or was replaced) fails the check.
        command.CommandText = "SELECT COUNT(*) FROM settings WHERE 0";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on the writer connection, one writer at a time.</summary>
    public async ValueTask<T> WriteAsync<T, TState>(
        Func<SqliteWriter, TState, CancellationToken, Task<T>> work, TState state, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _writer ??= await SqliteWriter.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
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
    public async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
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

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
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
}
