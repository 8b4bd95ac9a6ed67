using System.Globalization;
using System.Text.Json;
using OptOut.Contracts;
using OptOut.Core;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The numbers each bulk upload changed (<see cref="IOptOutStore.RecordChangesAsync"/>,
/// <see cref="IOptOutStore.ListByCausationAsync"/>), in table <c>causation_changes</c>: parts of at most
/// <see cref="ChangesPerPart"/> numbers by their position in the upload. A page's cursor is "position:skip" of where the
/// next page starts. The writes are <see cref="SqliteWriter.RecordChanges"/>.
/// </summary>
internal sealed class SqliteChangeLog(SqliteDatabase database, SqliteOptOutRecords records)
{
    /// <summary>How many numbers one row of <c>causation_changes</c> lists at most (one page of a dispatch).</summary>
    internal const int ChangesPerPart = 1_000;

    /// <summary>
    /// Where the lists converted from layout 2 start (-2^62, <c>Schema/to-3-list-upload-changes.sql</c>): before every
    /// stretch an upload records, so a listing without a cursor starts there.
    /// </summary>
    private const long LegacyChangesPosition = -(1L << 62);

    // The next parts of an upload's changed numbers (causation_changes), from a position on. An unknown causation id
    // makes "causation = NULL", which matches nothing.
    internal const string ListCausationPartsSql = """
        SELECT position, phones FROM causation_changes
        WHERE account_id = @account_id AND causation = (SELECT id FROM texts WHERE value = @causation_id) AND position >= @from
        ORDER BY position LIMIT @parts
        """;

    /// <summary>
    /// One transaction: what was recorded for the stretch (and after it) goes, and its numbers are listed in parts of
    /// <see cref="ChangesPerPart"/>.
    /// </summary>
    public Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentNullException.ThrowIfNull(phones);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(
                static (writer, s, ct) => Task.FromResult(writer.RecordChanges(s.accountId, s.causationId, s.position, s.phones, ct)), s, ct),
            (database, accountId, causationId, position, phones),
            cancellationToken).AsTask();
    }

    public Task<CausationPage> ListByCausationAsync(
        Guid accountId, string causationId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var (from, skip) = ParseChangesCursor(after);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListByCausationCoreAsync(s.accountId, s.causationId, s.from, s.skip, s.limit, ct),
            (self: this, accountId, causationId, from, skip, limit),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// Up to <paramref name="limit"/> numbers from the part at <paramref name="from"/> on (skipping the first
    /// <paramref name="skip"/> of that part), then their records in that order.
    /// </summary>
    private async ValueTask<CausationPage> ListByCausationCoreAsync(
        Guid accountId, string causationId, long from, int skip, int limit, CancellationToken cancellationToken)
    {
        var phones = new List<string>(Math.Min(limit, ChangesPerPart));
        string? next = null;
        // Enough parts for the page, and one more to tell whether a page follows it.
        var parts = (limit / ChangesPerPart) + 2;
        await using (var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = SqliteDatabase.Command(connection, null, ListCausationPartsSql))
        {
            command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
            command.Parameters.AddWithValue("@causation_id", causationId);
            command.Parameters.AddWithValue("@from", from);
            command.Parameters.AddWithValue("@parts", parts);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var read = 0;
            var position = from;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                position = reader.GetInt64(0);
                var part = JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [];
                var start = position == from ? Math.Min(skip, part.Length) : 0;
                if (phones.Count == limit && start < part.Length)
                {
                    next = FormatChangesCursor(position, start);
                    break;
                }

                var take = Math.Min(part.Length - start, limit - phones.Count);
                phones.AddRange(part.AsSpan(start, take));
                if (start + take < part.Length)
                {
                    next = FormatChangesCursor(position, start + take);
                    break;
                }
            }

            // Every part read was used up: if there may be more, the next page starts after the last of them.
            if (next is null && read == parts)
                next = FormatChangesCursor(position + 1, 0);
        }

        var found = phones.Count == 0
            ? new Dictionary<string, OptOutRecord>()
            : await records.FindManyCoreAsync(accountId, phones, cancellationToken).ConfigureAwait(false);
        var page = new List<OptOutRecord>(found.Count);
        foreach (var phone in phones)
        {
            if (found.TryGetValue(phone, out var record))
                page.Add(record);
        }

        return new CausationPage(page, next);
    }

    private static string FormatChangesCursor(long position, int skip) => string.Create(CultureInfo.InvariantCulture, $"{position}:{skip}");

    private static (long From, int Skip) ParseChangesCursor(string? cursor)
    {
        if (cursor is null)
            return (LegacyChangesPosition, 0);
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(cursor.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
                      && int.TryParse(cursor.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
            return (from, skip);
        throw new ArgumentException($"'{cursor}' is not a cursor of this store's causation pages", nameof(cursor));
    }
}
