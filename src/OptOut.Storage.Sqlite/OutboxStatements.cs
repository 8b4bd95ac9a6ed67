using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The writer connection's statements on <c>pending_events</c> (<see cref="SqliteWriter"/>'s outbox writes), prepared
/// on first use. Account and causation are named by their text and looked up in the statement: a claim or mark of an
/// account or causation never written matches nothing and adds no row to <c>accounts</c> or <c>texts</c>.
/// </summary>
internal sealed class OutboxStatements(sqlite3 db) : IDisposable
{
    private const string KeyIs = """
        account_id = (SELECT id FROM accounts WHERE value = ?1) AND phone = ?2 AND causation = (SELECT id FROM texts WHERE value = ?3)
        """;

    // A transition's entry, inside its write's transaction: it replaces whatever the number had.
    public readonly BoundStatement Upsert = new(RawSqlite.Prepare(db, """
        INSERT INTO pending_events (account_id, phone, causation, reply, claim_message, claim_delivery, claimed_until)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT (account_id, phone) DO UPDATE SET causation = excluded.causation, reply = excluded.reply,
            claim_message = excluded.claim_message, claim_delivery = excluded.claim_delivery, claimed_until = excluded.claimed_until
        """));

    // ?4 message, ?5 delivery, ?6 the new claimed_until, ?7 now, ?8 1 when the claimer is a broker redelivery (IOutbox.TryClaimAsync).
    public readonly BoundStatement Claim = new(RawSqlite.Prepare(db, "UPDATE pending_events SET claim_message = ?4, claim_delivery = ?5, claimed_until = ?6 WHERE "
        + KeyIs + " AND (claim_delivery = ?5 OR claimed_until <= ?7 OR (?8 AND claim_message = ?4))"));

    public readonly BoundStatement Delete = new(RawSqlite.Prepare(db, "DELETE FROM pending_events WHERE " + KeyIs));

    public void Dispose()
    {
        Upsert.Dispose();
        Claim.Dispose();
        Delete.Dispose();
    }
}
