using Microsoft.Data.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// A SQLite file as an earlier build wrote it (<see cref="EarlierLayoutSql"/>), in a folder of its own, for the specs of
/// its conversion; and plain SQL against the file, as someone in the <c>sqlite3</c> shell would see it.
/// </summary>
public abstract class SqliteFileOfAnEarlierLayout
{
    private string _folder = "";

    protected string Path => System.IO.Path.Combine(_folder, "optout.db");

    /// <summary>The earlier layout's tables and rows, ending with its <c>PRAGMA user_version</c>.</summary>
    protected abstract string EarlierLayoutSql { get; }

    [SetUp]
    public void CreateEarlierLayoutFile()
    {
        _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "optout-" + GetType().Name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = EarlierLayoutSql;
        command.ExecuteNonQuery();
    }

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One of the store's embedded <c>Schema/*.sql</c> files, e.g. a frozen <c>layout-N.sql</c>.</summary>
    protected static string EmbeddedSql(string name)
    {
        using var stream = typeof(OptOut.Storage.Sqlite.SqliteOptOutStore).Assembly.GetManifestResourceStream("Schema." + name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    protected async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }
}
