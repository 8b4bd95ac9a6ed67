using System.Text.Json;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The bulk change log (<see cref="IBulkChangeLog"/>) in table <c>causation_changes</c>: one row per part of
/// <see cref="ChangeLogPages"/>, its numbers a JSON array. The writes are <see cref="SqliteWriter.RecordChanges"/>.
/// </summary>
internal sealed class SqliteChangeLog(SqliteDatabase database)
{
    // The next parts of an upload's changed numbers (causation_changes), from a position on. An unknown account or
    // causation id makes "= NULL", which matches nothing.
    internal const string ListCausationPartsSql =
        "SELECT position, phones FROM causation_changes WHERE account_id = " + RecordRows.AccountKey
        + " AND causation = (SELECT id FROM texts WHERE value = @causation_id) AND position >= @from ORDER BY position LIMIT @parts";

    /// <summary>One transaction: what was recorded for the stretch (and after it) goes, and its parts are inserted.</summary>
    public Task RecordAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken)
    {
        ChangeLogPages.CheckRecord(causationId, position, phones);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(
                static (writer, s, ct) => Task.FromResult(writer.RecordChanges(s.accountId, s.causationId, s.position, s.phones, ct)), s, ct),
            (database, accountId, causationId, position, phones),
            cancellationToken).AsTask();
    }

    public Task<ChangedNumbers> ListAsync(AccountId accountId, string causationId, string? after, int limit, CancellationToken cancellationToken)
    {
        var start = ChangeLogPages.StartOf(causationId, after, limit);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListCoreAsync(s.accountId, s.causationId, s.start, ct),
            (self: this, accountId, causationId, start),
            cancellationToken).AsTask();
    }

    private async ValueTask<ChangedNumbers> ListCoreAsync(AccountId accountId, string causationId, ChangeLogPages.Start start,
        CancellationToken cancellationToken)
    {
        var parts = new List<ChangeLogPart>(start.Parts);
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, null, ListCausationPartsSql);
        command.Parameters.AddWithValue("@account_id", accountId.Value);
        command.Parameters.AddWithValue("@causation_id", causationId);
        command.Parameters.AddWithValue("@from", start.From);
        command.Parameters.AddWithValue("@parts", start.Parts);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            parts.Add(new ChangeLogPart(reader.GetInt64(0), JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? []));
        return ChangeLogPages.Page(start, parts);
    }
}
