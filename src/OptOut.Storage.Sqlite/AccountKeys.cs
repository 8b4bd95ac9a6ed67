using OptOut.Contracts;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The integers the opt-out tables name accounts by (table <c>accounts</c>) for the writer connection: looked up, or
/// added inside the caller's transaction, and remembered, so a write needs no lookup (a bulk upload writes a million
/// numbers of one account). Used only under the write gate, like the connection. Reads never add an account: they
/// look it up in their statement (<see cref="RecordRows.AccountKey"/>), and one never written finds nothing.
/// </summary>
internal sealed class AccountKeys : IDisposable
{
    /// <summary>Accounts remembered at most; past it the cache starts over (a lookup each, on the next write of each).</summary>
    private const int MaxCached = 4_096;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _find;
    private readonly sqlite3_stmt _insert;
    private readonly Dictionary<AccountId, long> _keys = [];
    private (AccountId Account, long Key)? _last;

    /// <summary>Prepares the two statements: the schema must exist.</summary>
    public AccountKeys(sqlite3 db)
    {
        _db = db;
        _find = RawSqlite.Prepare(db, "SELECT id FROM accounts WHERE value = ?1");
        _insert = RawSqlite.Prepare(db, "INSERT INTO accounts (value) VALUES (?1)");
    }

    /// <summary>The account's integer, the account added to <c>accounts</c> (inside the caller's transaction) when new.</summary>
    public long KeyOf(AccountId account)
    {
        if (account.IsEmpty)
            throw new ArgumentException("A record's account is required.", nameof(account));
        if (_last is { } last && last.Account == account)
            return last.Key;
        if (!_keys.TryGetValue(account, out var key))
        {
            key = FindOrInsert(account.Value);
            if (_keys.Count >= MaxCached)
                _keys.Clear();
            _keys[account] = key;
        }

        _last = (account, key);
        return key;
    }

    /// <summary>
    /// Forgets every remembered integer, when the writer's transaction rolls back: an account added in it is gone, and its
    /// integer may be given to another account.
    /// </summary>
    public void Forget()
    {
        _keys.Clear();
        _last = null;
    }

    public void Dispose()
    {
        _find.Dispose();
        _insert.Dispose();
    }

    private long FindOrInsert(string value)
    {
        raw.sqlite3_bind_text(_find, 1, value);
        var rc = raw.sqlite3_step(_find);
        if (rc == raw.SQLITE_ROW)
        {
            var found = raw.sqlite3_column_int64(_find, 0);
            raw.sqlite3_reset(_find);
            return found;
        }

        raw.sqlite3_reset(_find);
        RawSqlite.Check(_db, rc, raw.SQLITE_DONE);
        raw.sqlite3_bind_text(_insert, 1, value);
        RawSqlite.Execute(_db, _insert);
        return raw.sqlite3_last_insert_rowid(_db);
    }
}
