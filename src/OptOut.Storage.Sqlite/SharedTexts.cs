using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The ids of the shared texts (notes, actors, causation ids in table <c>texts</c>) for the writer connection: looked
/// up, or added inside the caller's transaction, and remembered, so most writes need no lookup (an upload's million
/// rows share one note). Used only under the write gate, like the connection.
/// </summary>
internal sealed class SharedTexts : IDisposable
{
    private const int Row = raw.SQLITE_ROW;
    private const int Done = raw.SQLITE_DONE;

    /// <summary>Recently used shared texts (the upload's note, "contact", ...) and their ids: most writes need no lookup.</summary>
    private const int MaxCachedTexts = 4_096;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _findText;
    private readonly sqlite3_stmt _insertText;
    private readonly Dictionary<string, long> _texts = new(StringComparer.Ordinal);
    private readonly (string? Text, long Id)[] _recentTexts = new (string?, long)[4];
    private int _nextRecentText;

    /// <summary>Prepares the two statements: the schema must exist.</summary>
    public SharedTexts(sqlite3 db)
    {
        _db = db;
        _findText = RawSqlite.Prepare(db, "SELECT id FROM texts WHERE value = ?1");
        _insertText = RawSqlite.Prepare(db, "INSERT INTO texts (value) VALUES (?1)");
    }

    /// <summary>The id of a shared text, added to <c>texts</c> (inside the caller's transaction) when new.</summary>
    public long? IdOf(string? value)
    {
        if (value is null)
            return null;
        // A batch's writes share the same few string instances (note, actor, causation): compared by reference,
        // they skip hashing a 60-character note three times per number.
        foreach (var (text, textId) in _recentTexts)
        {
            if (ReferenceEquals(text, value))
                return textId;
        }

        if (_texts.TryGetValue(value, out var id))
        {
            Remember(value, id);
            return id;
        }

        raw.sqlite3_bind_text(_findText, 1, value);
        var rc = raw.sqlite3_step(_findText);
        if (rc == Row)
        {
            id = raw.sqlite3_column_int64(_findText, 0);
            raw.sqlite3_reset(_findText);
        }
        else
        {
            raw.sqlite3_reset(_findText);
            RawSqlite.Check(_db, rc, Done);
            raw.sqlite3_bind_text(_insertText, 1, value);
            RawSqlite.Execute(_db, _insertText);
            id = raw.sqlite3_last_insert_rowid(_db);
        }

        if (_texts.Count >= MaxCachedTexts)
            _texts.Clear();
        _texts[value] = id;
        Remember(value, id);
        return id;
    }

    /// <summary>
    /// Forgets every remembered id, when the writer's transaction rolls back: a text added in it is gone, and its id may
    /// be given to another value.
    /// </summary>
    public void Forget()
    {
        _texts.Clear();
        Array.Clear(_recentTexts);
    }

    public void Dispose()
    {
        _findText.Dispose();
        _insertText.Dispose();
    }

    private void Remember(string value, long id)
    {
        _recentTexts[_nextRecentText] = (value, id);
        _nextRecentText = (_nextRecentText + 1) % _recentTexts.Length;
    }
}
