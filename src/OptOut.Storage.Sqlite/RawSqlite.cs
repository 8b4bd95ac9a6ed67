using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// What the raw writes (<see cref="SqliteWriter"/>, <see cref="SharedTexts"/>) do with a statement through SQLitePCL's
/// API: prepare it, run one that returns no rows, and turn an unexpected result code into the exception
/// Microsoft.Data.Sqlite would throw.
/// </summary>
internal static class RawSqlite
{
    public static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return statement ?? throw new InvalidOperationException("SQLite prepared no statement for: " + sql);
    }

    /// <summary>Steps a statement that returns no rows, then resets it (keeping its bindings for the next use).</summary>
    public static void Execute(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        Check(db, rc, raw.SQLITE_DONE);
    }

    /// <summary>Turns an unexpected result code into the SqliteException Microsoft.Data.Sqlite would throw (so BUSY is retried).</summary>
    public static void Check(sqlite3 db, int rc, int expected)
    {
        if (rc != expected)
            SqliteException.ThrowExceptionForRC(rc, db);
    }
}
