using Microsoft.Data.Sqlite;

namespace OptOut.Service.Tests.Integration;

/// <summary>How the crash specs read the service's SQLite file while the service runs (or after it was killed).</summary>
internal static class ReadOnlySqlite
{
    /// <summary>A read-only, unpooled connection to <paramref name="path"/> (no handle stays open after the read).</summary>
    public static async Task<SqliteConnection> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 10000";
        await busy.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
