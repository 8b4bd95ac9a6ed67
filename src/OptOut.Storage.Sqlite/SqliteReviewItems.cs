using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core.Compliance;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The review list (<see cref="IReviewStore"/>) in table <c>review_items</c>. Writes, rare (one per possible
/// revocation or decision), run ordinary commands on the writer connection under the write gate; each is one
/// statement, so a conditional update is atomic and, with one writer per file, of concurrent claimers exactly one
/// matches. Reads run on reader connections.
/// </summary>
internal sealed class SqliteReviewItems(SqliteDatabase database)
{
    // The integer codes are part of the file format (a state's code is its index here), never the enum's values.
    private static readonly ReviewState[] StateCodes =
        [ReviewState.Open, ReviewState.OptedOut, ReviewState.NotARevocation, ReviewState.AutoOptedOut, ReviewState.ClosedByRevocation];

    private const string Columns = """
        a.value, r.id, r.phone, r.text, r.reason, r.score, r.detection, r.received_at, r.deadline, r.state, r.resolved_by,
        r.resolved_at, r.note, r.conversation_id, r.campaign_id, r.provider_message_id, r.to_number
        """;

    private const string AddAccountSql = "INSERT OR IGNORE INTO accounts (value) VALUES (@account_id)";

    private const string AddSql = $"""
        INSERT INTO review_items (id, account_id, phone, text, reason, score, detection, received_at, deadline, state,
            resolved_by, resolved_at, note, conversation_id, campaign_id, provider_message_id, to_number, claimed_until)
        VALUES (@id, {RecordRows.AccountKey}, @phone, @text, @reason, @score, @detection, @received_at, @deadline, @state,
            @resolved_by, @resolved_at, @note, @conversation_id, @campaign_id, @provider_message_id, @to_number, 0)
        ON CONFLICT (id) DO NOTHING
        """;

    private const string FromAccount = $"FROM review_items r JOIN accounts a ON a.id = r.account_id WHERE r.account_id = {RecordRows.AccountKey}";

    private const string ResolveSql = $"""
        UPDATE review_items SET state = @state, resolved_by = @by, resolved_at = @at, note = @note
        WHERE id = @id AND account_id = {RecordRows.AccountKey} AND state = 0
        """;

    private const string CloseSql = $"""
        UPDATE review_items SET state = @state, resolved_by = @by, resolved_at = @at, note = @note
        WHERE account_id = {RecordRows.AccountKey} AND phone = @phone AND state = 0
        """;

    private const string ListDueSql = $"""
        SELECT {Columns} FROM review_items r JOIN accounts a ON a.id = r.account_id
        WHERE r.state = 0 AND r.deadline <= @now AND r.claimed_until <= @now ORDER BY r.deadline, r.id LIMIT @limit
        """;

    private const string ClaimSql = $"""
        UPDATE review_items SET claimed_until = @until
        WHERE id = @id AND account_id = {RecordRows.AccountKey} AND state = 0 AND deadline <= @now AND claimed_until <= @now
        """;

    public Task<bool> TryAddAsync(ReviewItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.AccountId.IsEmpty)
            throw new ArgumentException("A review item's account is required.", nameof(item));
        return WriteAsync(item, static (connection, item, ct) => AddAsync(connection, item, ct), cancellationToken);
    }

    public Task<ReviewItem?> GetAsync(AccountId accountId, Guid id, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, ct) =>
        {
            var items = await QueryAsync(connection, $"SELECT {Columns} {FromAccount} AND r.id = @id", p =>
            {
                p.AddWithValue("@account_id", accountId.Value);
                p.AddWithValue("@id", ReviewCursor.OrderKey(id));
            }, ct).ConfigureAwait(false);
            return items.Count == 0 ? null : items[0];
        }, cancellationToken);

    public Task<IReadOnlyList<ReviewItem>> ListAsync(AccountId accountId, ReviewState? state, ReviewCursor? after, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<ReviewItem>>(async (connection, ct) =>
        {
            var page = new List<ReviewItem>();
            // The open part, by (deadline, id), unless the cursor is past it or another state is asked for.
            if (after is not { Open: false } && state is null or ReviewState.Open)
            {
                var keyset = after is { } open ? " AND (r.deadline > @at OR (r.deadline = @at AND r.id > @after))" : "";
                page.AddRange(await QueryAsync(connection,
                    $"SELECT {Columns} {FromAccount} AND r.state = 0{keyset} ORDER BY r.deadline, r.id LIMIT @limit",
                    p => Bind(p, accountId, after, limit), ct).ConfigureAwait(false));
            }

            // The rest, newest received first by (received_at, id) descending.
            if (page.Count < limit && state is not ReviewState.Open)
            {
                var rest = after is { Open: false } ? after : null;
                var keyset = rest is null ? "" : " AND (r.received_at < @at OR (r.received_at = @at AND r.id < @after))";
                var which = state is { } s ? " AND r.state = @state" : " AND r.state <> 0";
                page.AddRange(await QueryAsync(connection,
                    $"SELECT {Columns} {FromAccount}{which}{keyset} ORDER BY r.received_at DESC, r.id DESC LIMIT @limit",
                    p =>
                    {
                        Bind(p, accountId, rest, limit - page.Count);
                        if (state is { } s)
                            p.AddWithValue("@state", StateCode(s));
                    }, ct).ConfigureAwait(false));
            }

            return page;
        }, cancellationToken);
    }

    public Task<IReadOnlyDictionary<ReviewState, long>> CountsAsync(AccountId accountId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyDictionary<ReviewState, long>>(async (connection, ct) =>
        {
            var counts = StateCodes.ToDictionary(s => s, _ => 0L);
            await using var command = SqliteDatabase.Command(connection, null,
                $"SELECT state, COUNT(*) FROM review_items WHERE account_id = {RecordRows.AccountKey} GROUP BY state");
            command.Parameters.AddWithValue("@account_id", accountId.Value);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                counts[StateOf(reader.GetInt64(0))] = reader.GetInt64(1);
            return counts;
        }, cancellationToken);

    public Task<bool> TryResolveAsync(AccountId accountId, Guid id, ReviewState resolution, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken)
    {
        if (resolution == ReviewState.Open || !Enum.IsDefined(resolution))
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "An item is resolved to a closed state.");
        ArgumentException.ThrowIfNullOrWhiteSpace(resolvedBy);
        return WriteAsync((accountId, id, resolution, resolvedBy, at, note), static async (connection, s, ct) =>
        {
            await using var command = SqliteDatabase.Command(connection, null, ResolveSql);
            BindResolution(command.Parameters, s.accountId, s.resolution, s.resolvedBy, s.at, s.note);
            command.Parameters.AddWithValue("@id", ReviewCursor.OrderKey(s.id));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    public Task<int> CloseOpenForNumberAsync(AccountId accountId, string phone, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phone);
        ArgumentException.ThrowIfNullOrWhiteSpace(resolvedBy);
        return WriteAsync((accountId, phone, resolvedBy, at, note), static async (connection, s, ct) =>
        {
            await using var command = SqliteDatabase.Command(connection, null, CloseSql);
            BindResolution(command.Parameters, s.accountId, ReviewState.ClosedByRevocation, s.resolvedBy, s.at, s.note);
            command.Parameters.AddWithValue("@phone", s.phone);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ReviewItem>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<ReviewItem>>((connection, ct) => QueryAsync(connection, ListDueSql, p =>
        {
            p.AddWithValue("@now", TicksOf(now));
            p.AddWithValue("@limit", limit);
        }, ct), cancellationToken);
    }

    public Task<bool> TryClaimDueAsync(AccountId accountId, Guid id, DateTimeOffset claimedUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((accountId, id, claimedUntil, now), static async (connection, s, ct) =>
        {
            await using var command = SqliteDatabase.Command(connection, null, ClaimSql);
            command.Parameters.AddWithValue("@account_id", s.accountId.Value);
            command.Parameters.AddWithValue("@id", ReviewCursor.OrderKey(s.id));
            command.Parameters.AddWithValue("@until", TicksOf(s.claimedUntil));
            command.Parameters.AddWithValue("@now", TicksOf(s.now));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken);

    private static async Task<bool> AddAsync(SqliteConnection connection, ReviewItem item, CancellationToken cancellationToken)
    {
        // The account row first, on its own: accounts rows are only ever added, so one left by a failed insert is harmless.
        await using (var account = SqliteDatabase.Command(connection, null, AddAccountSql))
        {
            account.Parameters.AddWithValue("@account_id", item.AccountId.Value);
            await account.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = SqliteDatabase.Command(connection, null, AddSql);
        var p = command.Parameters;
        p.AddWithValue("@id", ReviewCursor.OrderKey(item.Id));
        p.AddWithValue("@account_id", item.AccountId.Value);
        p.AddWithValue("@phone", item.Phone);
        p.AddWithValue("@text", item.Text);
        p.AddWithValue("@reason", (object?)item.Reason ?? DBNull.Value);
        p.AddWithValue("@score", item.Score);
        p.AddWithValue("@detection", (object?)StoredJson.Detection(item.Detection) ?? DBNull.Value);
        p.AddWithValue("@received_at", TicksOf(item.ReceivedAt));
        p.AddWithValue("@deadline", TicksOf(item.Deadline));
        p.AddWithValue("@state", StateCode(item.State));
        p.AddWithValue("@resolved_by", (object?)item.ResolvedBy ?? DBNull.Value);
        p.AddWithValue("@resolved_at", item.ResolvedAt is { } at ? TicksOf(at) : DBNull.Value);
        p.AddWithValue("@note", (object?)item.Note ?? DBNull.Value);
        p.AddWithValue("@conversation_id", (object?)item.ConversationId ?? DBNull.Value);
        p.AddWithValue("@campaign_id", (object?)item.CampaignId ?? DBNull.Value);
        p.AddWithValue("@provider_message_id", (object?)item.ProviderMessageId ?? DBNull.Value);
        p.AddWithValue("@to_number", (object?)item.To ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void Bind(SqliteParameterCollection p, AccountId accountId, ReviewCursor? after, int limit)
    {
        p.AddWithValue("@account_id", accountId.Value);
        p.AddWithValue("@limit", limit);
        if (after is { } cursor)
        {
            p.AddWithValue("@at", TicksOf(cursor.At));
            p.AddWithValue("@after", ReviewCursor.OrderKey(cursor.Id));
        }
    }

    private static void BindResolution(SqliteParameterCollection p, AccountId accountId, ReviewState state, string by, DateTimeOffset at, string? note)
    {
        p.AddWithValue("@account_id", accountId.Value);
        p.AddWithValue("@state", StateCode(state));
        p.AddWithValue("@by", by);
        p.AddWithValue("@at", TicksOf(at));
        p.AddWithValue("@note", (object?)note ?? DBNull.Value);
    }

    private static async Task<IReadOnlyList<ReviewItem>> QueryAsync(SqliteConnection connection, string sql, Action<SqliteParameterCollection> bind,
        CancellationToken cancellationToken)
    {
        var items = new List<ReviewItem>();
        await using var command = SqliteDatabase.Command(connection, null, sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            items.Add(new ReviewItem(AccountId.Parse(reader.GetString(0)), Guid.ParseExact(reader.GetString(1), "N"), reader.GetString(2),
                reader.GetString(3), Text(4), reader.GetDouble(5), StoredJson.ParseDetection(Text(6)), TimeOf(reader.GetInt64(7)),
                TimeOf(reader.GetInt64(8)), StateOf(reader.GetInt64(9)), Text(10), reader.IsDBNull(11) ? null : TimeOf(reader.GetInt64(11)),
                Text(12), Text(13), Text(14), Text(15), Text(16)));
        }

        return items;
    }

    private static long StateCode(ReviewState state) =>
        Array.IndexOf(StateCodes, state) is var code and >= 0 ? code : throw new ArgumentOutOfRangeException(nameof(state), state, null);

    private static ReviewState StateOf(long code) =>
        code >= 0 && code < StateCodes.Length ? StateCodes[code] : throw new InvalidDataException($"Unknown review state code {code}.");

    private Task<T> WriteAsync<T, TState>(TState state, Func<SqliteConnection, TState, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(static (writer, s, ct) => s.work(writer.Connection, s.state, ct), s, ct),
            (database, work, state),
            cancellationToken).AsTask();

    private Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        database.Pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                await using var connection = await s.database.OpenReaderAsync(ct).ConfigureAwait(false);
                return await s.read(connection, ct).ConfigureAwait(false);
            },
            (database, read),
            cancellationToken).AsTask();
}
