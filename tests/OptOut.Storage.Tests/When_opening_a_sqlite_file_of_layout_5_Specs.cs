using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layouts 2 to 5 keyed the opt-out tables on the account's 16 bytes, so only a GUID could be an account. Converted: each
/// account is its lowercase <c>D</c> string in <c>accounts</c>, and every record, history entry (detections included),
/// listed upload, upload and setting reads back as it was under that string, each account's apart from the other's.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_5 : SqliteFileOfAnEarlierLayout
{
    private static readonly Guid Account = Guid.Parse("8A3C5E71-2B4D-4F60-9E1A-7C2D4B6F8E93");
    private static readonly Guid OtherAccount = Guid.Parse("1b6d0f42-9c3e-4a57-8d21-5e7f9a0c3b64");
    private static readonly Guid UploadId = Guid.Parse("e2c4a6b8-1d3f-4e50-9a7c-0b2d4f6e8a91");
    private static readonly DateTimeOffset T1 = new(2027, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddDays(1).AddTicks(3);
    private static readonly DateTimeOffset T3 = T2.AddHours(2).AddTicks(9);
    private static readonly DateTimeOffset SettingsAt = new DateTimeOffset(2027, 1, 5, 10, 0, 0, TimeSpan.Zero).AddTicks(7_654_321);

    private const string KeywordNumber = "+15552300000";
    private static readonly string[] UploadNumbers = ["+15552310000", "+15552310001", "+15552310002"];

    private static readonly OptOutDetection KeywordDetection = new()
    {
        Method = DetectionMethod.Keyword, Language = "en", Matched = "STOP", Score = 1, Reason = "the text is the keyword STOP",
    };

    private static readonly OptOutDetection PhraseDetection = new()
    {
        Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.95, Reason = "asked us to stop texting",
    };

    private static readonly AccountSettings Settings = AccountSettings.Restore(Account, 44, false, "Bye — reply START 🙂",
        ["STOP", "QUIT", "ENOUGH"], SettingsAt, "admin@example.com");

    private static string Key(Guid account) => $"x'{account:N}'";

    // layout-5.sql (the layout as the builds of December 2026 created it, frozen in the assembly) and, in it: a number
    // opted out by a keyword (first entry in its row), opted in by an administrator and opted out again by a phrase (in
    // opt_out_history), opted in (so in the partial index); three numbers of a finished upload (one flagged) listed in
    // causation_changes; the same keyword number opted out in another account; the account's settings with languages.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            {EmbeddedSql("layout-5.sql")}
            INSERT INTO texts (id, value) VALUES (1, '{BulkUploadJob.CausationFor(UploadId)}'), (2, 'inbound:SM1'), (3, 'admin@example.com'),
                (4, 'request:r1'), (5, 'Bulk upload "c.csv"'), (6, 'contact'), (7, 'Texted "STOP" to +15550000001'), (8, 'inbound:SM2'), (9, 'api');
            INSERT INTO opt_outs VALUES ({Key(Account)}, '{KeywordNumber}', 1, 1, NULL, 6, {T3.UtcTicks}, {T1.UtcTicks}, {T3.UtcTicks + 5}, 0, 3,
                1, 1, {T1.UtcTicks}, {T1.UtcTicks + 7}, 6, 7, 2, 'conv-1', 'camp-1', '{StoredJson.Detection(KeywordDetection)}');
            INSERT INTO opt_out_history VALUES
                ({Key(Account)}, '{KeywordNumber}', 2, 0, 2, {T2.UtcTicks}, {T2.UtcTicks + 5}, 3, NULL, 4, NULL, NULL, NULL),
                ({Key(Account)}, '{KeywordNumber}', 3, 1, 1, {T3.UtcTicks}, {T3.UtcTicks + 5}, 6, NULL, 8, 'conv-2', NULL, '{StoredJson.Detection(PhraseDetection)}');
            INSERT INTO opt_outs VALUES
                ({Key(Account)}, '{UploadNumbers[0]}', 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 0, 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL, NULL),
                ({Key(Account)}, '{UploadNumbers[1]}', 1, 4, 5, 3, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks + 1}, 1, 1, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL, NULL),
                ({Key(Account)}, '{UploadNumbers[2]}', 0, 2, NULL, 3, {T2.UtcTicks}, {T1.UtcTicks}, {T2.UtcTicks}, 0, 2, 1, 4, {T1.UtcTicks}, {T1.UtcTicks + 1}, 3, 5, 1, NULL, NULL, NULL),
                ({Key(OtherAccount)}, '{KeywordNumber}', 1, 5, NULL, 9, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks}, 0, 1, 1, 5, {T1.UtcTicks}, {T1.UtcTicks}, 9, NULL, 4, NULL, NULL, NULL);
            INSERT INTO opt_out_history VALUES ({Key(Account)}, '{UploadNumbers[2]}', 2, 0, 2, {T2.UtcTicks}, {T2.UtcTicks}, 3, NULL, 4, NULL, NULL, NULL);
            INSERT INTO causation_changes VALUES ({Key(Account)}, 1, 0, '["{string.Join("\",\"", UploadNumbers)}"]');
            INSERT INTO settings VALUES ('{Account:D}', 44, 0, 'Bye — reply START 🙂', '["STOP","QUIT","ENOUGH"]', '{SettingsAt:O}', 'admin@example.com',
                '{StoredJson.Languages(Settings.ToStored()).Replace("'", "''", StringComparison.Ordinal)}');
            INSERT INTO bulk_uploads VALUES ('{UploadId:D}', '{Account:D}', 'c.csv', 'admin@example.com', '{T1:O}', 0, 'Completed', '{T1:O}',
                '{T1:O}', '{T1:O}', 3, 3, '{"{"}"optedOut":3,"flaggedRows":1{"}"}', '[]', NULL, NULL, 3, NULL, NULL, NULL, 0, 0, 6, 'urn:msgdata:c');
            PRAGMA user_version = 5;
            """;

    private static AccountId AccountText => AccountId.Parse(Account.ToString("D").ToLowerInvariant());

    [Test]
    public async Task Should_keep_every_record_and_history_entry_under_the_accounts_lowercase_string(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var keyword = await store.FindAsync(AccountText, KeywordNumber, cancellationToken);
        Assert.That(keyword, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keyword!.AccountId.Value, Is.EqualTo("8a3c5e71-2b4d-4f60-9e1a-7c2d4b6f8e93"));
            Assert.That((keyword.State, keyword.Source, keyword.Note, keyword.Actor, keyword.Version),
                Is.EqualTo((OptState.OptedOut, OptOutSource.Keyword, (string?)null, (string?)"contact", 3L)));
            Assert.That((keyword.StateAt.UtcTicks, keyword.CreatedAt.UtcTicks, keyword.UpdatedAt.UtcTicks), Is.EqualTo((T3.UtcTicks, T1.UtcTicks, T3.UtcTicks + 5)));
            Assert.That(keyword.History, Is.EqualTo(new[]
            {
                new OptOutHistoryEntry
                {
                    State = OptState.OptedOut, Source = OptOutSource.Keyword, At = T1, RecordedAt = new DateTimeOffset(T1.UtcTicks + 7, TimeSpan.Zero),
                    Actor = "contact", Note = "Texted \"STOP\" to +15550000001", CausationId = "inbound:SM1", ConversationId = "conv-1", CampaignId = "camp-1",
                    Detection = KeywordDetection,
                },
                new OptOutHistoryEntry
                {
                    State = OptState.OptedIn, Source = OptOutSource.Manual, At = T2, RecordedAt = new DateTimeOffset(T2.UtcTicks + 5, TimeSpan.Zero),
                    Actor = "admin@example.com", CausationId = "request:r1",
                },
                new OptOutHistoryEntry
                {
                    State = OptState.OptedOut, Source = OptOutSource.Keyword, At = T3, RecordedAt = new DateTimeOffset(T3.UtcTicks + 5, TimeSpan.Zero),
                    Actor = "contact", CausationId = "inbound:SM2", ConversationId = "conv-2", Detection = PhraseDetection,
                },
            }), "every value, detections included");
        }

        var uploaded = await store.FindManyAsync(AccountText, UploadNumbers, cancellationToken);
        Assert.That(UploadNumbers.Select(p => (uploaded[p].State, uploaded[p].Flagged, uploaded[p].History.Count)),
            Is.EqualTo(new[] { (OptState.OptedOut, false, 1), (OptState.OptedOut, true, 1), (OptState.OptedIn, false, 2) }));
        var optedIn = await store.ListAsync(AccountText, OptState.OptedIn, null, 10, cancellationToken);
        Assert.That(optedIn.Select(r => r.Phone), Is.EqualTo(new[] { UploadNumbers[2] }), "the opted-in index is on the new table");
        var listed = await store.ListChangesAsync(AccountText, BulkUploadJob.CausationFor(UploadId), null, 10, cancellationToken);
        Assert.That(listed.Phones, Is.EqualTo(UploadNumbers));
        var upload = await store.GetAsync(AccountText, UploadId, cancellationToken);
        Assert.That((upload!.AccountId, upload.Status, upload.Counts.OptedOut, upload.Counts.FlaggedRows, upload.Version, upload.FileAddress),
            Is.EqualTo((AccountText, BulkUploadStatus.Completed, 3L, 1L, 6L, (string?)"urn:msgdata:c")));

        var other = await store.FindAsync(OtherAccount, KeywordNumber, cancellationToken);
        Assert.That((other!.AccountId.Value, other.Source, other.History.Single().CausationId),
            Is.EqualTo(("1b6d0f42-9c3e-4a57-8d21-5e7f9a0c3b64", OptOutSource.Api, "request:r1")));
    }

    [Test]
    public async Task Should_keep_the_settings_and_their_languages(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var settings = await store.GetAsync(AccountText, cancellationToken);

        Assert.That(settings, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((settings!.AccountId, settings.DefaultCountryCode, settings.AutoOptOutEnabled, settings.UpdatedAt, settings.UpdatedBy),
                Is.EqualTo((AccountText, 44, false, (DateTimeOffset?)SettingsAt, (string?)"admin@example.com")));
            Assert.That(settings.OptOutMessage, Is.EqualTo("Bye — reply START 🙂"));
            Assert.That(settings.Keywords, Is.EqualTo(new[] { "STOP", "QUIT", "ENOUGH" }));
            Assert.That(StoredJson.Languages(settings.ToStored()), Is.EqualTo(StoredJson.Languages(Settings.ToStored())));
        }
    }

    [Test]
    public async Task Should_name_each_account_once_by_its_string_and_keep_writing(CancellationToken cancellationToken)
    {
        using (var store = new SqliteOptOutStore(Path))
        {
            await store.InitializeAsync(cancellationToken);
            var acme = AccountId.Parse("acme-campaigns");
            var entry = new OptOutHistoryEntry
            {
                State = OptState.OptedOut, Source = OptOutSource.Manual, At = T3, RecordedAt = T3, Actor = "admin@example.com", CausationId = "request:r2",
            };
            var record = new OptOutRecord
            {
                AccountId = acme, Phone = KeywordNumber, State = OptState.OptedOut, Source = OptOutSource.Manual, Actor = "admin@example.com",
                StateAt = T3, CreatedAt = T3, UpdatedAt = T3, Version = 1,
            };
            Assert.That(await store.TryWriteAsync(new OptOutWrite(record, 0, entry), cancellationToken), Is.True);
            Assert.That((await store.FindAsync(acme, KeywordNumber, cancellationToken))!.Actor, Is.EqualTo("admin@example.com"));
        }

        // A second start finds the current layout and changes nothing.
        using (var again = new SqliteOptOutStore(Path))
            await again.InitializeAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
            Assert.That(await ScalarAsync("SELECT group_concat(value, ' ') FROM (SELECT value FROM accounts ORDER BY id)", cancellationToken),
                Is.EqualTo("1b6d0f42-9c3e-4a57-8d21-5e7f9a0c3b64 8a3c5e71-2b4d-4f60-9e1a-7c2d4b6f8e93 acme-campaigns"),
                "the converted accounts in the order of their bytes, then the new one");
            Assert.That(await ScalarAsync("SELECT group_concat(DISTINCT typeof(account_id)) FROM opt_outs", cancellationToken), Is.EqualTo("integer"));
            Assert.That(await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%layout5%'", cancellationToken), Is.EqualTo(0L));
            Assert.That(await ScalarAsync($"SELECT group_concat(account_id, ' ') FROM (SELECT account_id FROM opt_outs_readable WHERE phone = '{KeywordNumber}' ORDER BY account_id)", cancellationToken),
                Is.EqualTo("1b6d0f42-9c3e-4a57-8d21-5e7f9a0c3b64 8a3c5e71-2b4d-4f60-9e1a-7c2d4b6f8e93 acme-campaigns"));
            Assert.That(await ScalarAsync($"SELECT group_concat(seq || ':' || coalesce(json_extract(detection, '$.method'), '-'), ' ') FROM opt_out_history_readable WHERE phone = '{KeywordNumber}' AND account_id = '8a3c5e71-2b4d-4f60-9e1a-7c2d4b6f8e93'", cancellationToken),
                Is.EqualTo("1:Keyword 2:- 3:Phrase"));
        }
    }
}
