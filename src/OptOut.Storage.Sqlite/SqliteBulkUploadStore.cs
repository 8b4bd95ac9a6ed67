using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// Upload state (<see cref="IBulkUploadStore"/>) in table <c>bulk_uploads</c> of the same file: the scalar fields as
/// columns (so an operator can query them in the <c>sqlite3</c> shell), the counts, the inline rejected rows as
/// JSON. Saves are compare-and-swapped on <see cref="BulkUploadState.Version"/>, like records.
/// </summary>
internal sealed class SqliteBulkUploadStore(SqliteDatabase database) : IBulkUploadStore
{
    private const string UploadColumns = """
        upload_id, account_id, file_name, submitted_by, submitted_at, dry_run, status, started_at, ingested_at, completed_at,
        total_rows, numbers_applied, counts, rejected_rows, report_address, events_dispatched_after,
        events_dispatched, failure_reason, undone_at, undone_by, undo_opted_in, undo_kept, version, file_address
        """;

    private const string InsertUploadSql = $"""
        INSERT INTO bulk_uploads ({UploadColumns})
        VALUES (@upload_id, @account_id, @file_name, @submitted_by, @submitted_at, @dry_run, @status, @started_at, @ingested_at,
                @completed_at, @total_rows, @numbers_applied, @counts, @rejected_rows, @report_address,
                @events_dispatched_after, @events_dispatched, @failure_reason, @undone_at, @undone_by, @undo_opted_in, @undo_kept,
                @version, @file_address)
        ON CONFLICT (upload_id) DO NOTHING
        """;

    // The id and the account are the key: never updated, and both must match (tenancy).
    private const string UpdateUploadSql = """
        UPDATE bulk_uploads
        SET file_name = @file_name, submitted_by = @submitted_by, submitted_at = @submitted_at, dry_run = @dry_run,
            status = @status, started_at = @started_at, ingested_at = @ingested_at, completed_at = @completed_at,
            total_rows = @total_rows, numbers_applied = @numbers_applied, counts = @counts, rejected_rows = @rejected_rows,
            report_address = @report_address,
            events_dispatched_after = @events_dispatched_after, events_dispatched = @events_dispatched,
            failure_reason = @failure_reason, undone_at = @undone_at, undone_by = @undone_by, undo_opted_in = @undo_opted_in,
            undo_kept = @undo_kept, version = @version, file_address = @file_address
        WHERE upload_id = @upload_id AND account_id = @account_id AND version = @expected_version
        """;

    private const string GetUploadSql =
        $"SELECT {UploadColumns} FROM bulk_uploads WHERE upload_id = @upload_id AND account_id = @account_id";

    // Walks ix_bulk_uploads_account_submitted backwards from the cursor. Times are fixed-width UTC strings, so text
    // order is time order.
    private const string ListUploadsSql =
        $"SELECT {UploadColumns} FROM bulk_uploads WHERE account_id = @account_id ORDER BY submitted_at DESC, upload_id DESC LIMIT @limit";

    private const string ListUploadsBeforeSql = $"""
        SELECT {UploadColumns} FROM bulk_uploads WHERE account_id = @account_id AND submitted_at < @before
        ORDER BY submitted_at DESC, upload_id DESC LIMIT @limit
        """;

    // camelCase, like the MongoDB documents, so the two stores' JSON reads the same to a person.
    private static readonly JsonSerializerOptions UploadJson = new(JsonSerializerDefaults.Web);

    public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
        database.Pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                await using var connection = await s.database.OpenReaderAsync(ct).ConfigureAwait(false);
                await using var command = SqliteDatabase.Command(connection, null, GetUploadSql);
                command.Parameters.AddWithValue("@upload_id", FormatId(s.uploadId));
                command.Parameters.AddWithValue("@account_id", FormatAccount(s.accountId));
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadUpload(reader) : null;
            },
            (database, accountId, uploadId),
            cancellationToken).AsTask();

    public Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        WriteVersion.EnsureAdvances(state.Version, expectedVersion, "Upload", nameof(state));

        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(
                static (writer, s, ct) => Task.FromResult(SaveUpload(writer.Connection, s.state, s.expectedVersion, ct)), s, ct),
            (database, state, expectedVersion),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<BulkUploadState>> ListAsync(
        AccountId accountId, DateTimeOffset? submittedBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return database.Pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                await using var connection = await s.database.OpenReaderAsync(ct).ConfigureAwait(false);
                await using var command = SqliteDatabase.Command(connection, null, s.submittedBefore is null ? ListUploadsSql : ListUploadsBeforeSql);
                command.Parameters.AddWithValue("@account_id", FormatAccount(s.accountId));
                command.Parameters.AddWithValue("@limit", s.limit);
                if (s.submittedBefore is { } before)
                    command.Parameters.AddWithValue("@before", FormatTime(before));

                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var page = new List<BulkUploadState>(Math.Min(s.limit, 100));
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    page.Add(ReadUpload(reader));
                return (IReadOnlyList<BulkUploadState>)page;
            },
            (database, accountId, submittedBefore, limit),
            cancellationToken).AsTask();
    }

    /// <summary>Runs on the writer connection (under the write gate): a save is rare, so its statement is not kept prepared.</summary>
    private static bool SaveUpload(SqliteConnection connection, BulkUploadState state, long expectedVersion, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = expectedVersion == 0 ? InsertUploadSql : UpdateUploadSql;
        var p = command.Parameters;
        p.AddWithValue("@upload_id", FormatId(state.UploadId));
        p.AddWithValue("@account_id", FormatAccount(state.AccountId));
        p.AddWithValue("@file_name", (object?)state.FileName ?? DBNull.Value);
        p.AddWithValue("@submitted_by", (object?)state.SubmittedBy ?? DBNull.Value);
        p.AddWithValue("@submitted_at", FormatTime(state.SubmittedAt));
        p.AddWithValue("@dry_run", state.DryRun ? 1 : 0);
        p.AddWithValue("@status", state.Status.ToString());
        p.AddWithValue("@started_at", FormatTime(state.StartedAt));
        p.AddWithValue("@ingested_at", NullableTime(state.IngestedAt));
        p.AddWithValue("@completed_at", NullableTime(state.CompletedAt));
        p.AddWithValue("@total_rows", state.TotalRows);
        p.AddWithValue("@numbers_applied", state.NumbersApplied);
        p.AddWithValue("@counts", JsonSerializer.Serialize(state.Counts, UploadJson));
        p.AddWithValue("@rejected_rows", JsonSerializer.Serialize(state.RejectedRows, UploadJson));
        p.AddWithValue("@report_address", (object?)state.ReportAddress ?? DBNull.Value);
        p.AddWithValue("@events_dispatched_after", (object?)state.EventsDispatchedAfter ?? DBNull.Value);
        p.AddWithValue("@events_dispatched", state.EventsDispatched);
        p.AddWithValue("@failure_reason", (object?)state.FailureReason ?? DBNull.Value);
        p.AddWithValue("@undone_at", NullableTime(state.UndoneAt));
        p.AddWithValue("@undone_by", (object?)state.UndoneBy ?? DBNull.Value);
        p.AddWithValue("@undo_opted_in", state.UndoOptedIn);
        p.AddWithValue("@undo_kept", state.UndoKept);
        p.AddWithValue("@version", state.Version);
        p.AddWithValue("@file_address", (object?)state.FileAddress ?? DBNull.Value);
        if (expectedVersion != 0)
            p.AddWithValue("@expected_version", expectedVersion);

        // A single statement commits on its own (autocommit). 0 rows: the id is taken (insert) or the version moved on.
        return command.ExecuteNonQuery() == 1;
    }

    private static BulkUploadState ReadUpload(SqliteDataReader reader) => new()
    {
        UploadId = Guid.Parse(reader.GetString(0)),
        AccountId = AccountId.Parse(reader.GetString(1)),
        FileName = NullableString(reader, 2),
        SubmittedBy = NullableString(reader, 3),
        SubmittedAt = ParseTime(reader.GetString(4)),
        DryRun = reader.GetInt64(5) != 0,
        Status = Enum.Parse<BulkUploadStatus>(reader.GetString(6)),
        StartedAt = ParseTime(reader.GetString(7)),
        IngestedAt = NullableTime(reader, 8),
        CompletedAt = NullableTime(reader, 9),
        TotalRows = reader.GetInt64(10),
        NumbersApplied = reader.GetInt64(11),
        Counts = JsonSerializer.Deserialize<BulkUploadCounts>(reader.GetString(12), UploadJson) ?? new(),
        RejectedRows = JsonSerializer.Deserialize<List<BulkUploadRejectedRow>>(reader.GetString(13), UploadJson) ?? [],
        ReportAddress = NullableString(reader, 14),
        EventsDispatchedAfter = NullableString(reader, 15),
        EventsDispatched = reader.GetInt64(16),
        FailureReason = NullableString(reader, 17),
        UndoneAt = NullableTime(reader, 18),
        UndoneBy = NullableString(reader, 19),
        UndoOptedIn = reader.GetInt64(20),
        UndoKept = reader.GetInt64(21),
        Version = reader.GetInt64(22),
        FileAddress = NullableString(reader, 23),
    };
}
