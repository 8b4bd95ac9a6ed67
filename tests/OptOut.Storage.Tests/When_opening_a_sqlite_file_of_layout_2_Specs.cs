using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 2 kept every history entry in <c>opt_out_history</c> and found an upload's numbers through an index of every
/// entry's causation. Converted: each number's first entry is in its row and its later ones keep their order, each
/// earlier upload's numbers are listed (dispatch and undo still find them), the index is gone, and an upload that was
/// still dispatching starts its dispatch over (its cursor was a phone).
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_2 : SqliteFileOfAnEarlierLayout
{
    private static readonly Guid Account = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    private static readonly Guid UploadId = Guid.Parse("9b2d4c1e-0a7f-4e55-8d3b-6c1f2a9e7b40");
    private static readonly DateTimeOffset T1 = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddDays(1);

    private static string AccountKey => $"x'{Account:N}'";

    // The layout-2 tables as the builds of late November 2026 created them: 1,500 numbers of one upload (the first opted
    // in again later), one number opted out by a keyword.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE texts (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
            CREATE TABLE opt_outs (account_id BLOB NOT NULL, phone TEXT NOT NULL, state INTEGER NOT NULL, source INTEGER NOT NULL,
                note INTEGER, actor INTEGER, state_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                flagged INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (account_id, phone)) WITHOUT ROWID;
            CREATE INDEX ix_opt_outs_opted_in ON opt_outs (account_id, phone) WHERE state = 0;
            CREATE TABLE opt_out_history (account_id BLOB NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL, state INTEGER NOT NULL,
                source INTEGER NOT NULL, at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, actor INTEGER, note INTEGER,
                causation INTEGER NOT NULL, conversation_id TEXT, campaign_id TEXT, PRIMARY KEY (account_id, phone, seq)) WITHOUT ROWID;
            CREATE INDEX ix_opt_out_history_account_causation_phone ON opt_out_history (account_id, causation, phone);
            CREATE TABLE bulk_uploads (upload_id TEXT NOT NULL PRIMARY KEY, account_id TEXT NOT NULL, file_name TEXT, submitted_by TEXT,
                submitted_at TEXT NOT NULL, dry_run INTEGER NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ingested_at TEXT,
                completed_at TEXT, total_rows INTEGER NOT NULL, numbers_applied INTEGER NOT NULL, counts TEXT NOT NULL,
                rejected_rows TEXT NOT NULL, report_address TEXT, events_dispatched_after TEXT, events_dispatched INTEGER NOT NULL,
                failure_reason TEXT, undone_at TEXT, undone_by TEXT, undo_opted_in INTEGER NOT NULL, undo_kept INTEGER NOT NULL,
                version INTEGER NOT NULL);
            INSERT INTO texts (id, value) VALUES (1, '{BulkUploadJob.CausationFor(UploadId)}'), (2, 'inbound:SM1'), (3, 'admin@example.com'),
                (4, 'request:r1'), (5, 'Bulk upload "a.csv"');
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1499)
            INSERT INTO opt_outs SELECT {AccountKey}, printf('+1555218%04d', i), 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 0, 1 FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1499)
            INSERT INTO opt_out_history SELECT {AccountKey}, printf('+1555218%04d', i), 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL FROM n;
            UPDATE opt_outs SET state = 0, source = 2, note = NULL, state_at = {T2.UtcTicks}, version = 2 WHERE phone = '+15552180000';
            INSERT INTO opt_out_history VALUES ({AccountKey}, '+15552180000', 2, 0, 2, {T2.UtcTicks}, {T2.UtcTicks}, 3, NULL, 4, NULL, NULL);
            INSERT INTO opt_outs VALUES ({AccountKey}, '+15552190000', 1, 1, NULL, NULL, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks}, 0, 1);
            INSERT INTO opt_out_history VALUES ({AccountKey}, '+15552190000', 1, 1, 1, {T1.UtcTicks}, {T1.UtcTicks + 7}, NULL, NULL, 2, 'conv-1', 'camp-1');
            INSERT INTO bulk_uploads VALUES ('{UploadId:D}', '{Account:D}', 'a.csv', 'admin@example.com', '{T1:O}', 0, 'Ingested', '{T1:O}',
                '{T1:O}', NULL, 1500, 1500, '{"{"}{"}"}', '[]', NULL, '+15552180700', 700, NULL, NULL, NULL, 0, 0, 5);
            PRAGMA user_version = 2;
            """;

    [Test]
    public async Task Should_keep_every_history_in_order_with_its_first_entry_in_the_row(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var again = await store.FindAsync(Account, "+15552180000", cancellationToken);
        var keyword = (await store.FindManyAsync(Account, ["+15552190000"], cancellationToken))["+15552190000"];

        Assert.That(again!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(again.History.Select(h => (h.State, h.CausationId, h.Note, h.RecordedAt)), Is.EqualTo(new[]
        {
            (OptState.OptedOut, BulkUploadJob.CausationFor(UploadId), (string?)"Bulk upload \"a.csv\"", new DateTimeOffset(T1.UtcTicks + 1, TimeSpan.Zero)),
            (OptState.OptedIn, "request:r1", null, T2),
        }));
        Assert.That(keyword.History.Select(h => (h.Source, h.CausationId, h.ConversationId, h.CampaignId, h.RecordedAt.UtcTicks)),
            Is.EqualTo(new[] { (OptOutSource.Keyword, "inbound:SM1", (string?)"conv-1", (string?)"camp-1", T1.UtcTicks + 7) }));

        // Written on after the conversion: the new entry follows the moved one, in the store and in the audit view.
        var service = new OptOutService(store, TimeProvider.System);
        var decision = await service.ApplyAsync(new OptChange
        {
            AccountId = Account,
            Phone = PhoneNumber.FromStored("+15552190000", isValid: true),
            State = OptState.OptedIn,
            Source = OptOutSource.Manual,
            At = T2,
            CausationId = "request:r2",
        }, cancellationToken);
        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
        Assert.That((await store.FindAsync(Account, "+15552190000", cancellationToken))!.History.Select(h => h.CausationId),
            Is.EqualTo(new[] { "inbound:SM1", "request:r2" }));
        Assert.That(await ScalarAsync("SELECT group_concat(seq || ':' || causation_id, ' ') FROM opt_out_history_readable WHERE phone = '+15552190000'", cancellationToken),
            Is.EqualTo("1:inbound:SM1 2:request:r2"));
    }

    [Test]
    public async Task Should_list_the_numbers_of_earlier_uploads_and_restart_an_unfinished_dispatch(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var uploaded = Enumerable.Range(0, 1_500).Select(i => $"+1555218{i:D4}").ToList();
        Assert.That(await ListAll(store), Is.EqualTo(uploaded), "every number of the upload, once, in phone order");
        // Had the upload still been running, it would resume and record its stretches from its checkpoint on: that
        // must not replace what was converted.
        await store.RecordChangesAsync(Account, BulkUploadJob.CausationFor(UploadId), 0, ["+15552180700"], cancellationToken);
        Assert.That(await ListAll(store), Is.EqualTo(uploaded.Append("+15552180700")));
        Assert.That((await store.ListChangesAsync(Account, "inbound:SM1", null, 10, cancellationToken)).Phones, Is.Empty, "only uploads are listed");
        Assert.That((await store.GetAsync(Account, UploadId, cancellationToken))!.EventsDispatchedAfter, Is.Null);
        Assert.That(await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_opt_out_history_account_causation_phone'", cancellationToken), Is.EqualTo(0L));
        Assert.That(await ScalarAsync("SELECT COUNT(*) FROM opt_out_history", cancellationToken), Is.EqualTo(1L), "only the later entry stays in the table");
        Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
    }

    private static async Task<List<string>> ListAll(SqliteOptOutStore store)
    {
        var listed = new List<string>();
        string? after = null;
        do
        {
            var page = await store.ListChangesAsync(Account, BulkUploadJob.CausationFor(UploadId), after, 1_000);
            listed.AddRange(page.Phones);
            after = page.Next;
        }
        while (after is not null && listed.Count <= 3_000);

        return listed;
    }
}
