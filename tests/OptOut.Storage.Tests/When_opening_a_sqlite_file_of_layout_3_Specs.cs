using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Keywords;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 3 had no detections and no language settings. Converted by adding the columns in place (no row is rewritten):
/// every record, history entry, listed upload and setting reads back as it was, the old entries with no detection, the
/// settings with every shipped language (as saved before languages existed), and what is written on keeps its detection.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_3 : SqliteFileOfAnEarlierLayout
{
    private static readonly Guid Account = Guid.Parse("5d7e2f10-3c4b-4a8e-9f61-2b0c8d4e7a13");
    private static readonly Guid UploadId = Guid.Parse("c4a1e9d2-7b3f-4c60-8e15-9a2d6f0b3e87");
    private static readonly DateTimeOffset T1 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddDays(1).AddTicks(3);
    private static readonly DateTimeOffset SettingsAt = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

    private const string KeywordNumber = "+15552200000";
    private static readonly string[] UploadNumbers = ["+15552210000", "+15552210001", "+15552210002"];

    private static string AccountKey => $"x'{Account:N}'";

    private static string HexAccount => "lower(substr(hex(o.account_id), 1, 8) || '-' || substr(hex(o.account_id), 9, 4) || '-' || substr(hex(o.account_id), 13, 4) "
        + "|| '-' || substr(hex(o.account_id), 17, 4) || '-' || substr(hex(o.account_id), 21))";

    // The layout-3 tables and views as the builds of December 2026 created them: a number opted out by a keyword (its
    // first entry in its row) and opted in again by an administrator (in opt_out_history), three numbers of a finished
    // upload (one flagged) listed in causation_changes, and the account's settings with its own English keywords.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE texts (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
            CREATE TABLE opt_outs (account_id BLOB NOT NULL, phone TEXT NOT NULL, state INTEGER NOT NULL, source INTEGER NOT NULL,
                note INTEGER, actor INTEGER, state_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                flagged INTEGER NOT NULL, version INTEGER NOT NULL, first_state INTEGER, first_source INTEGER, first_at INTEGER,
                first_recorded_at INTEGER, first_actor INTEGER, first_note INTEGER, first_causation INTEGER, first_conversation_id TEXT,
                first_campaign_id TEXT, PRIMARY KEY (account_id, phone)) WITHOUT ROWID;
            CREATE INDEX ix_opt_outs_opted_in ON opt_outs (account_id, phone) WHERE state = 0;
            CREATE TABLE opt_out_history (account_id BLOB NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL, state INTEGER NOT NULL,
                source INTEGER NOT NULL, at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, actor INTEGER, note INTEGER,
                causation INTEGER NOT NULL, conversation_id TEXT, campaign_id TEXT, PRIMARY KEY (account_id, phone, seq)) WITHOUT ROWID;
            CREATE TABLE causation_changes (account_id BLOB NOT NULL, causation INTEGER NOT NULL, position INTEGER NOT NULL,
                phones TEXT NOT NULL, PRIMARY KEY (account_id, causation, position)) WITHOUT ROWID;
            CREATE VIEW opt_outs_readable AS
            SELECT {HexAccount} AS account_id, o.phone, CASE o.state WHEN 1 THEN 'OptedOut' ELSE 'OptedIn' END AS state, o.source,
                   o.note, o.actor, o.state_at, o.created_at, o.updated_at, o.flagged, o.version
            FROM opt_outs o;
            CREATE VIEW opt_out_history_readable AS
            SELECT h.account_id, h.phone, h.seq, h.state, h.source, h.at, h.recorded_at, h.actor, h.note, h.causation, h.conversation_id, h.campaign_id
            FROM (SELECT account_id, phone, 1 AS seq, first_state AS state, first_source AS source, first_at AS at, first_recorded_at AS recorded_at,
                         first_actor AS actor, first_note AS note, first_causation AS causation, first_conversation_id AS conversation_id,
                         first_campaign_id AS campaign_id
                  FROM opt_outs WHERE first_state IS NOT NULL
                  UNION ALL
                  SELECT account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id, campaign_id
                  FROM opt_out_history) h;
            CREATE TABLE settings (account_id TEXT NOT NULL PRIMARY KEY, default_country_code INTEGER NOT NULL,
                auto_opt_out_enabled INTEGER NOT NULL, opt_out_message TEXT NOT NULL, keywords TEXT NOT NULL, updated_at TEXT, updated_by TEXT);
            CREATE TABLE bulk_uploads (upload_id TEXT NOT NULL PRIMARY KEY, account_id TEXT NOT NULL, file_name TEXT, submitted_by TEXT,
                submitted_at TEXT NOT NULL, dry_run INTEGER NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ingested_at TEXT,
                completed_at TEXT, total_rows INTEGER NOT NULL, numbers_applied INTEGER NOT NULL, counts TEXT NOT NULL,
                rejected_rows TEXT NOT NULL, report_address TEXT, events_dispatched_after TEXT, events_dispatched INTEGER NOT NULL,
                failure_reason TEXT, undone_at TEXT, undone_by TEXT, undo_opted_in INTEGER NOT NULL, undo_kept INTEGER NOT NULL,
                version INTEGER NOT NULL);
            CREATE INDEX ix_bulk_uploads_account_submitted ON bulk_uploads (account_id, submitted_at DESC, upload_id DESC);
            INSERT INTO texts (id, value) VALUES (1, '{BulkUploadJob.CausationFor(UploadId)}'), (2, 'inbound:SM1'), (3, 'admin@example.com'),
                (4, 'request:r1'), (5, 'Bulk upload "b.csv"'), (6, 'contact'), (7, 'Texted "STOP" to +15550000001');
            INSERT INTO opt_outs VALUES ({AccountKey}, '{KeywordNumber}', 0, 2, NULL, 3, {T2.UtcTicks}, {T1.UtcTicks}, {T2.UtcTicks + 5}, 0, 2,
                1, 1, {T1.UtcTicks}, {T1.UtcTicks + 7}, 6, 7, 2, 'conv-1', 'camp-1');
            INSERT INTO opt_out_history VALUES ({AccountKey}, '{KeywordNumber}', 2, 0, 2, {T2.UtcTicks}, {T2.UtcTicks + 5}, 3, NULL, 4, NULL, NULL);
            INSERT INTO opt_outs VALUES
                ({AccountKey}, '{UploadNumbers[0]}', 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 0, 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL),
                ({AccountKey}, '{UploadNumbers[1]}', 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 1, 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL),
                ({AccountKey}, '{UploadNumbers[2]}', 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 0, 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL);
            INSERT INTO causation_changes VALUES ({AccountKey}, 1, 0, '["{string.Join("\",\"", UploadNumbers)}"]');
            INSERT INTO settings VALUES ('{Account:D}', 44, 0, 'Bye — reply START 🙂', '["STOP","QUIT","ENOUGH"]', '{SettingsAt:O}', 'admin@example.com');
            INSERT INTO bulk_uploads VALUES ('{UploadId:D}', '{Account:D}', 'b.csv', 'admin@example.com', '{T1:O}', 0, 'Completed', '{T1:O}',
                '{T1:O}', '{T1:O}', 3, 3, '{"{"}"optedOut":3,"flaggedRows":1{"}"}', '[]', NULL, NULL, 3, NULL, NULL, NULL, 0, 0, 6);
            PRAGMA user_version = 3;
            """;

    [Test]
    public async Task Should_keep_every_record_and_history_entry_with_no_detection(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var keyword = await store.FindAsync(Account, KeywordNumber, cancellationToken);
        Assert.That(keyword, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keyword!.AccountId.Value, Is.EqualTo("5d7e2f10-3c4b-4a8e-9f61-2b0c8d4e7a13"), "the GUID account as its lowercase string");
            Assert.That((keyword!.State, keyword.Source, keyword.Note, keyword.Actor, keyword.Version),
                Is.EqualTo((OptState.OptedIn, OptOutSource.Manual, (string?)null, (string?)"admin@example.com", 2L)));
            Assert.That((keyword.StateAt.UtcTicks, keyword.CreatedAt.UtcTicks, keyword.UpdatedAt.UtcTicks), Is.EqualTo((T2.UtcTicks, T1.UtcTicks, T2.UtcTicks + 5)));
            Assert.That(keyword.History, Is.EqualTo(new[]
            {
                new OptOutHistoryEntry
                {
                    State = OptState.OptedOut, Source = OptOutSource.Keyword, At = T1, RecordedAt = new DateTimeOffset(T1.UtcTicks + 7, TimeSpan.Zero),
                    Actor = "contact", Note = "Texted \"STOP\" to +15550000001", CausationId = "inbound:SM1", ConversationId = "conv-1", CampaignId = "camp-1",
                },
                new OptOutHistoryEntry
                {
                    State = OptState.OptedIn, Source = OptOutSource.Manual, At = T2, RecordedAt = new DateTimeOffset(T2.UtcTicks + 5, TimeSpan.Zero),
                    Actor = "admin@example.com", CausationId = "request:r1",
                },
            }), "every value, and no detection (Detection null)");
        }

        var uploaded = await store.FindManyAsync(Account, UploadNumbers, cancellationToken);
        Assert.That(UploadNumbers.Select(p => (uploaded[p].Flagged, uploaded[p].History.Single().CausationId, uploaded[p].History.Single().Detection)),
            Is.EqualTo(new[] { (false, BulkUploadJob.CausationFor(UploadId), (OptOutDetection?)null), (true, BulkUploadJob.CausationFor(UploadId), null),
                (false, BulkUploadJob.CausationFor(UploadId), null) }));
        var listed = await store.ListChangesAsync(Account, BulkUploadJob.CausationFor(UploadId), null, 10, cancellationToken);
        Assert.That(listed.Phones, Is.EqualTo(UploadNumbers));
        var upload = await store.GetAsync(Account, UploadId, cancellationToken);
        Assert.That((upload!.Status, upload.Counts.OptedOut, upload.Counts.FlaggedRows, upload.Version), Is.EqualTo((BulkUploadStatus.Completed, 3L, 1L, 6L)));
    }

    [Test]
    public async Task Should_keep_the_settings_and_give_them_every_shipped_language(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var settings = await store.GetAsync(Account, cancellationToken);

        var expected = AccountSettings.Restore(Account, 44, false, "Bye — reply START 🙂", ["STOP", "QUIT", "ENOUGH"], SettingsAt, "admin@example.com",
            languages: null);
        Assert.That(settings, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((settings!.DefaultCountryCode, settings.AutoOptOutEnabled, settings.UpdatedAt, settings.UpdatedBy),
                Is.EqualTo((44, false, (DateTimeOffset?)SettingsAt, (string?)"admin@example.com")));
            Assert.That(settings.OptOutMessage, Is.EqualTo("Bye — reply START 🙂"));
            Assert.That(settings.Keywords, Is.EqualTo(new[] { "STOP", "QUIT", "ENOUGH" }));
            Assert.That(settings.ActiveLanguages, Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)));
            Assert.That(settings.ToStored().Languages.Select(l => l.Code), Is.EqualTo(new[] { "en" }), "the other languages as shipped");
            Assert.That(Languages(settings), Is.EqualTo(Languages(expected)));
            Assert.That((settings.DetectionEnabled, settings.PossibleRevocationThreshold, settings.ContactOptInOverridesAdmin),
                Is.EqualTo((true, AccountSettings.DefaultPossibleRevocationThreshold, false)));
            Assert.That((settings.ReviewDeadlineBusinessDays, settings.TimeZone), Is.EqualTo((1, "America/New_York")));
        }
    }

    [Test]
    public async Task Should_add_the_columns_in_place_and_keep_writing_detections(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);
        var detection = new OptOutDetection
        {
            Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.95, Reason = "asked us to stop texting",
        };
        var before = (await store.FindAsync(Account, KeywordNumber, cancellationToken))!;
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut, Source = OptOutSource.Keyword, At = T2.AddHours(1), RecordedAt = T2.AddHours(1), Actor = "contact",
            CausationId = "inbound:SM2", Detection = detection,
        };
        var record = before with { State = OptState.OptedOut, Source = OptOutSource.Keyword, StateAt = entry.At, UpdatedAt = entry.At, Version = 3 };

        Assert.That(await store.TryWriteAsync(new OptOutWrite(record, 2, entry), cancellationToken), Is.True);

        var read = await store.FindAsync(Account, KeywordNumber, cancellationToken);
        Assert.That(read!.History.Select(h => h.Detection), Is.EqualTo(new[] { null, null, detection }));
        Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
        Assert.That(await ScalarAsync($"SELECT group_concat(seq || ':' || coalesce(json_extract(detection, '$.method'), '-'), ' ') FROM opt_out_history_readable WHERE phone = '{KeywordNumber}'", cancellationToken),
            Is.EqualTo("1:- 2:- 3:Phrase"));
        Assert.That(await ScalarAsync($"SELECT json_extract(detection, '$.score') FROM opt_outs_readable WHERE phone = '{KeywordNumber}'", cancellationToken),
            Is.EqualTo(0.95));
        Assert.That(await ScalarAsync("SELECT COUNT(*) FROM pragma_table_info('settings') WHERE name = 'languages'", cancellationToken), Is.EqualTo(1L));
    }

    private static List<(string, string[], string[], string[], string, string, string)> Languages(AccountSettings settings) =>
        [.. settings.Languages.Select(l => (l.Code, l.OptOut.ToArray(), l.OptIn.ToArray(), l.Help.ToArray(), l.OptOutMessage, l.OptInMessage, l.HelpMessage))];
}
