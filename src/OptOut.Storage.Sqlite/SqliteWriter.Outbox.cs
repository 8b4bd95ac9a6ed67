using OptOut.Core;
using OptOut.Core.Outbox;
using SQLitePCL;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>The writer's outbox writes (<see cref="IOutbox"/>) on <c>pending_events</c>: a transition's entry, a claim, the marks of confirmed events.</summary>
internal sealed partial class SqliteWriter
{
    private OutboxStatements? _outbox;

    private OutboxStatements Outbox => _outbox ??= new OutboxStatements(_db);

    /// <summary>Stores a transition's pending events, inside its write's open transaction, replacing the number's entry.</summary>
    private void WritePending(OptOutRecord record, PendingEvents pending)
    {
        var upsert = Outbox.Upsert;
        upsert.Integer(1, Accounts.KeyOf(record.AccountId));
        upsert.Text(2, record.Phone);
        upsert.Integer(3, TextId(pending.CausationId)!.Value);
        upsert.Text(4, StoredJson.Reply(pending.Reply));
        upsert.Text(5, pending.ClaimMessage);
        upsert.Text(6, pending.ClaimDelivery.ToString("N"));
        upsert.Integer(7, TicksOf(pending.ClaimedUntil));
        Execute(upsert.Statement);
    }

    /// <summary>One conditional update (its own implicit transaction): true when it took the entry over.</summary>
    public bool TryClaim(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var update = Outbox.Claim;
        BindKey(update, key);
        update.Text(4, claim.MessageId);
        update.Text(5, claim.Delivery.ToString("N"));
        update.Integer(6, TicksOf(now + claim.Lease));
        update.Integer(7, TicksOf(now));
        update.Integer(8, claim.Redelivered ? 1 : 0);
        Execute(update.Statement);
        return raw.sqlite3_changes(_db) > 0;
    }

    /// <summary>Deletes the entries of confirmed events, each only while it has that causation: one transaction.</summary>
    public bool MarkSent(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Execute(Prepared.Begin);
        try
        {
            foreach (var key in keys)
            {
                BindKey(Outbox.Delete, key);
                Execute(Outbox.Delete.Statement);
            }

            Execute(Prepared.Commit);
            return true;
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    private static void BindKey(BoundStatement statement, PendingKey key)
    {
        statement.Text(1, key.AccountId.Value);
        statement.Text(2, key.Phone);
        statement.Text(3, key.CausationId);
    }
}
