using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The writer connection's statements (<see cref="SqliteWriter"/>), prepared once on its first opt-out write (not when
/// the connection opens: the schema may not exist yet then) and reused for every write after it. The opt-out ones bind
/// through <see cref="BoundStatement"/>, which skips a value already bound.
/// </summary>
internal sealed class WriteStatements(sqlite3 db) : IDisposable
{
    // A new record's columns, its first history entry's included (?13 to ?22 in the statements below).
    private const string InsertRecordInto = """
        INSERT INTO opt_outs (account_id, phone, state, source, note, actor, state_at, created_at, updated_at, flagged, version,
                              first_state, first_source, first_at, first_recorded_at, first_actor, first_note, first_causation,
                              first_conversation_id, first_campaign_id, first_detection)

        """;

    // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then upgrades can
    // fail with BUSY mid-way, which no busy timeout resolves.
    public readonly sqlite3_stmt Begin = RawSqlite.Prepare(db, "BEGIN IMMEDIATE");
    public readonly sqlite3_stmt Commit = RawSqlite.Prepare(db, "COMMIT");
    public readonly sqlite3_stmt Rollback = RawSqlite.Prepare(db, "ROLLBACK");
    // The new number's first history entry (if any) goes into its row: ?13 to ?22 (BindEntry).
    public readonly BoundStatement InsertRecord = new(RawSqlite.Prepare(db, InsertRecordInto + """
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        ON CONFLICT (account_id, phone) DO NOTHING
        """));
    // Numbers alike but for the number (SqliteWriter.InsertAlike): ?2 is a JSON array of their E.164 numbers, the rest as InsertRecord.
    public readonly BoundStatement InsertAlikeRecords = new(RawSqlite.Prepare(db, InsertRecordInto + """
        SELECT ?1, value, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22
        FROM json_each(?2) WHERE true
        ON CONFLICT (account_id, phone) DO NOTHING
        """));
    public readonly sqlite3_stmt SavepointAlike = RawSqlite.Prepare(db, "SAVEPOINT alike");
    public readonly sqlite3_stmt ReleaseAlike = RawSqlite.Prepare(db, "RELEASE alike");
    public readonly sqlite3_stmt RollbackAlike = RawSqlite.Prepare(db, "ROLLBACK TO alike");
    public readonly BoundStatement UpdateRecord = new(RawSqlite.Prepare(db, """
        UPDATE opt_outs
        SET state = ?3, source = ?4, note = ?5, actor = ?6, state_at = ?7, created_at = ?8, updated_at = ?9, flagged = ?10,
            version = ?11
        WHERE account_id = ?1 AND phone = ?2 AND version = ?12
        """));
    // An entry added after the record's row was written takes the next seq (after the row's own first entry,
    // seq 1, if it has one) inside the write transaction, which holds the database's only write lock, so it
    // can't collide. The entry is ?3 to ?12 (SqliteWriter.BindEntry).
    public readonly BoundStatement InsertHistory = new(RawSqlite.Prepare(db, """
        INSERT INTO opt_out_history (account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id,
                                     campaign_id, detection)
        SELECT ?1, ?2, COALESCE(MAX(seq), (SELECT first_state IS NOT NULL FROM opt_outs WHERE account_id = ?1 AND phone = ?2)) + 1,
               ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
        FROM opt_out_history WHERE account_id = ?1 AND phone = ?2
        """));
    public readonly sqlite3_stmt DeleteChanges = RawSqlite.Prepare(db,
        "DELETE FROM causation_changes WHERE account_id = ?1 AND causation = ?2 AND position >= ?3");
    public readonly sqlite3_stmt InsertChanges = RawSqlite.Prepare(db,
        "INSERT INTO causation_changes (account_id, causation, position, phones) VALUES (?1, ?2, ?3, ?4)");

    public void Dispose()
    {
        foreach (var statement in (sqlite3_stmt[])[Begin, Commit, Rollback, DeleteChanges, InsertChanges, SavepointAlike, ReleaseAlike,
                     RollbackAlike])
            statement.Dispose();
        foreach (var statement in (BoundStatement[])[InsertRecord, InsertAlikeRecords, UpdateRecord, InsertHistory])
            statement.Dispose();
    }
}
