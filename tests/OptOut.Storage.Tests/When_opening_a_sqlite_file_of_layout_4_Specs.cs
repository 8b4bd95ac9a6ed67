using OptOut.Contracts;
using OptOut.Core.Bulk;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 4 kept no file address of an upload. Converted by adding the column in place: every upload reads back as it
/// was, with no file address, and a queued upload stored after keeps its own.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_4 : SqliteFileOfAnEarlierLayout
{
    private static readonly Guid Account = Guid.Parse("9b2c4e61-0d7a-4f35-8c19-6e3a5b7d2f04");
    private static readonly Guid UploadId = Guid.Parse("e1f3a5c7-2b4d-4e6f-8a0c-1d3e5f7a9b2c");
    private static readonly DateTimeOffset T1 = new DateTimeOffset(2027, 1, 10, 9, 0, 0, TimeSpan.Zero).AddTicks(7);

    // The layout-4 uploads table as the builds of January 2027 created it, with a finished upload. Layout 5 changes no
    // other table: what else a layout-4 file holds, layout-5.sql makes as it was.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE bulk_uploads (upload_id TEXT NOT NULL PRIMARY KEY, account_id TEXT NOT NULL, file_name TEXT, submitted_by TEXT,
                submitted_at TEXT NOT NULL, dry_run INTEGER NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ingested_at TEXT,
                completed_at TEXT, total_rows INTEGER NOT NULL, numbers_applied INTEGER NOT NULL, counts TEXT NOT NULL,
                rejected_rows TEXT NOT NULL, report_address TEXT, events_dispatched_after TEXT, events_dispatched INTEGER NOT NULL,
                failure_reason TEXT, undone_at TEXT, undone_by TEXT, undo_opted_in INTEGER NOT NULL, undo_kept INTEGER NOT NULL,
                version INTEGER NOT NULL);
            CREATE INDEX ix_bulk_uploads_account_submitted ON bulk_uploads (account_id, submitted_at DESC, upload_id DESC);
            INSERT INTO bulk_uploads VALUES ('{UploadId:D}', '{Account:D}', 'c.csv', 'admin@example.com', '{T1:O}', 0, 'Completed', '{T1:O}',
                '{T1:O}', '{T1:O}', 4, 4, '{"{"}"optedOut":3,"alreadyOptedOut":1{"}"}', '[]', 'urn:report:c', '+15552230003', 3, NULL, NULL, NULL,
                0, 0, 7);
            PRAGMA user_version = 4;
            """;

    [Test]
    public async Task Should_keep_every_upload_with_no_file_address(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var upload = await store.GetAsync(Account, UploadId, cancellationToken);

        Assert.That(upload, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((upload!.FileName, upload.Status, upload.SubmittedAt.UtcTicks, upload.Version), Is.EqualTo(("c.csv", BulkUploadStatus.Completed, T1.UtcTicks, 7L)));
            Assert.That(upload.Counts, Is.EqualTo(new BulkUploadCounts { OptedOut = 3, AlreadyOptedOut = 1 }));
            Assert.That((upload.ReportAddress, upload.EventsDispatchedAfter, upload.EventsDispatched), Is.EqualTo(("urn:report:c", "+15552230003", 3L)));
            Assert.That(upload.FileAddress, Is.Null);
            Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
        }
    }

    [Test]
    public async Task Should_add_the_column_in_place_and_store_a_queued_upload_with_its_file(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);
        var queued = new BulkUploadState
        {
            UploadId = Guid.NewGuid(), AccountId = Account, FileName = "d.csv", SubmittedBy = "admin@example.com", SubmittedAt = T1.AddDays(1),
            Status = BulkUploadStatus.Queued, StartedAt = T1.AddDays(1), FileAddress = "urn:msgdata:d", Version = 1,
        };

        Assert.That(await store.TrySaveAsync(queued, 0, cancellationToken), Is.True);

        var listed = await store.ListAsync(Account, null, 10, cancellationToken);
        Assert.That(listed.Select(u => (u.UploadId, u.Status, u.FileAddress)),
            Is.EqualTo(new[] { (queued.UploadId, BulkUploadStatus.Queued, (string?)"urn:msgdata:d"), (UploadId, BulkUploadStatus.Completed, null) }));
        Assert.That(await ScalarAsync("SELECT group_concat(status || ':' || coalesce(file_address, '-'), ' ') FROM bulk_uploads", cancellationToken),
            Is.EqualTo("Completed:- Queued:urn:msgdata:d"), "the old row kept in place, the column readable in the sqlite3 shell");
    }
}
