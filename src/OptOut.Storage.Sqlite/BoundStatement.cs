using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// A prepared statement that remembers what each of its parameters is bound to and skips binding a value that is
/// already there. SQLite keeps bindings across <c>sqlite3_reset</c> (only <c>sqlite3_clear_bindings</c>, never called
/// here, drops them), so an unchanged value need not cross into the native library again: in a bulk upload's batch the
/// account, states, source, note, actor, times and causation are the same for every number, and each native call costs
/// a safe-handle reference, a marshalling stub and SQLite's connection mutex (profiled: those were about a tenth of
/// the ingest's CPU, 20-odd binds per write).
/// </summary>
/// <remarks>Not thread-safe, like the statement itself: the writer uses it under its write gate.</remarks>
internal sealed class BoundStatement(sqlite3_stmt statement) : IDisposable
{
    private enum Bound : byte
    {
        Unknown,
        Integer,
        Null,
    }

    private readonly Bound[] _kinds = new Bound[raw.sqlite3_bind_parameter_count(statement) + 1];
    private readonly long[] _integers = new long[raw.sqlite3_bind_parameter_count(statement) + 1];

    public sqlite3_stmt Statement { get; } = statement;

    public void Integer(int index, long value)
    {
        if (_kinds[index] == Bound.Integer && _integers[index] == value)
            return;
        raw.sqlite3_bind_int64(Statement, index, value);
        _kinds[index] = Bound.Integer;
        _integers[index] = value;
    }

    public void Null(int index)
    {
        if (_kinds[index] == Bound.Null)
            return;
        raw.sqlite3_bind_null(Statement, index);
        _kinds[index] = Bound.Null;
    }

    /// <summary>An integer or NULL.</summary>
    public void Integer(int index, long? value)
    {
        if (value is { } integer)
            Integer(index, integer);
        else
            Null(index);
    }

    /// <summary>A text (bound every time: phones differ from row to row) or NULL.</summary>
    public void Text(int index, string? value)
    {
        if (value is null)
        {
            Null(index);
            return;
        }

        raw.sqlite3_bind_text(Statement, index, value);
        _kinds[index] = Bound.Unknown;
    }

    public void Dispose() => Statement.Dispose();
}
