using OptOut.Contracts;
using OptOut.Core.Outbox;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The outbox (<see cref="IOutbox"/>) in table <c>pending_events</c>: claims and marks go to <see cref="SqliteWriter"/>
/// (<c>SqliteWriter.Outbox.cs</c>), the sweeper's list is read on a reader connection.
/// </summary>
internal sealed class SqliteOutbox(SqliteDatabase database)
{
    private const string ListDueSql = """
        SELECT a.value, p.phone, t.value, p.reply, p.claim_message, p.claim_delivery, p.claimed_until
        FROM pending_events p JOIN accounts a ON a.id = p.account_id JOIN texts t ON t.id = p.causation
        WHERE p.claimed_until <= @now ORDER BY p.claimed_until LIMIT @limit
        """;

    public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(static (writer, s, ct) => Task.FromResult(writer.TryClaim(s.key, s.claim, s.now, ct)), s, ct),
            (database, key, claim, now),
            cancellationToken).AsTask();

    public Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
            return Task.CompletedTask;
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(static (writer, keys, ct) => Task.FromResult(writer.MarkSent(keys, ct)), s.keys, ct),
            (database, keys),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListDueCoreAsync(s.now, s.limit, ct),
            (self: this, now, limit),
            cancellationToken).AsTask();
    }

    private async ValueTask<IReadOnlyList<PendingEntry>> ListDueCoreAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var due = new List<PendingEntry>();
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, null, ListDueSql);
        command.Parameters.AddWithValue("@now", TicksOf(now));
        command.Parameters.AddWithValue("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var events = new PendingEvents(reader.GetString(2), StoredJson.ParseReply(reader.IsDBNull(3) ? null : reader.GetString(3)),
                reader.GetString(4), Guid.ParseExact(reader.GetString(5), "N"), TimeOf(reader.GetInt64(6)));
            due.Add(new PendingEntry(AccountId.Parse(reader.GetString(0)), reader.GetString(1), events));
        }

        return due;
    }
}
