using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// A file written before layout 2 (every column text) is converted when the store starts: its opt-outs and their history
/// are the compliance evidence, so every value must come through exactly, tick-precise times included.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_1 : SqliteFileOfAnEarlierLayout
{
    private static readonly Guid Account = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid OtherAccount = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    // The layout-1 schema as the November 2026 builds created it, with one opted-in-again number, one opted out by an
    // upload, and the same number in another account.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE opt_outs (account_id TEXT NOT NULL, phone TEXT NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL, note TEXT,
                actor TEXT, state_at TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, flagged INTEGER NOT NULL DEFAULT 0,
                version INTEGER NOT NULL, PRIMARY KEY (account_id, phone)) WITHOUT ROWID;
            CREATE INDEX ix_opt_outs_account_state_phone ON opt_outs (account_id, state, phone);
            CREATE TABLE opt_out_history (account_id TEXT NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL,
                source TEXT NOT NULL, at TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT, note TEXT, causation_id TEXT NOT NULL,
                conversation_id TEXT, campaign_id TEXT, PRIMARY KEY (account_id, phone, seq)) WITHOUT ROWID;
            CREATE INDEX ix_opt_out_history_account_causation_phone ON opt_out_history (account_id, causation_id, phone);
            CREATE TABLE settings (account_id TEXT NOT NULL PRIMARY KEY, default_country_code INTEGER NOT NULL,
                auto_opt_out_enabled INTEGER NOT NULL, opt_out_message TEXT NOT NULL, keywords TEXT NOT NULL, updated_at TEXT, updated_by TEXT);
            INSERT INTO settings VALUES ('{Account:D}', 44, 1, 'Bye', '["STOP"]', '2026-11-01T10:00:00.0000000+00:00', 'admin');
            INSERT INTO opt_outs VALUES ('{Account:D}', '+15552011234', 'OptedIn', 'Manual', 'Deleted by admin', 'admin@example.com',
                '2026-11-02T09:30:00.1234567+00:00', '2026-11-01T08:00:00.0000001+00:00', '2026-11-02T09:30:01.0000000+00:00', 0, 2);
            INSERT INTO opt_out_history VALUES
                ('{Account:D}', '+15552011234', 1, 'OptedOut', 'Keyword', '2026-11-01T08:00:00.0000001+00:00', '2026-11-01T08:00:00.5000000+00:00',
                 'contact', 'Contact texted "STOP" to +15550000001', 'inbound:SM1', 'conv-1', 'camp-1'),
                ('{Account:D}', '+15552011234', 2, 'OptedIn', 'Manual', '2026-11-02T09:30:00.1234567+00:00', '2026-11-02T09:30:01.0000000+00:00',
                 'admin@example.com', 'Deleted by admin', 'request:r1', NULL, NULL);
            INSERT INTO opt_outs VALUES ('{Account:D}', '+15552015678', 'OptedOut', 'BulkUpload', 'Bulk upload "a.csv"', 'admin', 
                '2026-11-03T00:00:00.0000000+00:00', '2026-11-03T00:00:00.0000000+00:00', '2026-11-03T00:00:02.0000000+00:00', 1, 1);
            INSERT INTO opt_out_history VALUES ('{Account:D}', '+15552015678', 1, 'OptedOut', 'BulkUpload', '2026-11-03T00:00:00.0000000+00:00',
                '2026-11-03T00:00:02.0000000+00:00', 'admin', 'Bulk upload "a.csv"', 'bulk:u1', NULL, NULL);
            INSERT INTO opt_outs VALUES ('{OtherAccount:D}', '+15552011234', 'OptedOut', 'Api', NULL, NULL,
                '2026-11-04T00:00:00.0000000+00:00', '2026-11-04T00:00:00.0000000+00:00', '2026-11-04T00:00:00.0000000+00:00', 0, 1);
            INSERT INTO opt_out_history VALUES ('{OtherAccount:D}', '+15552011234', 1, 'OptedOut', 'Api', '2026-11-04T00:00:00.0000000+00:00',
                '2026-11-04T00:00:00.0000000+00:00', NULL, NULL, 'request:r2', NULL, NULL);
            """;

    [Test]
    public async Task Should_carry_every_record_and_history_entry_over_exactly(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var record = await store.FindAsync(Account, "+15552011234", cancellationToken);
        Assert.That(record, Is.Not.Null);
        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.Source, Is.EqualTo(OptOutSource.Manual));
        Assert.That(record.Note, Is.EqualTo("Deleted by admin"));
        Assert.That(record.Actor, Is.EqualTo("admin@example.com"));
        Assert.That(record.StateAt, Is.EqualTo(DateTimeOffset.Parse("2026-11-02T09:30:00.1234567+00:00", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(record.CreatedAt.UtcTicks, Is.EqualTo(DateTimeOffset.Parse("2026-11-01T08:00:00.0000001+00:00", System.Globalization.CultureInfo.InvariantCulture).UtcTicks));
        Assert.That(record.Version, Is.EqualTo(2));
        Assert.That(record.History.Select(h => (h.State, h.Source, h.CausationId, h.Actor, h.ConversationId, h.CampaignId)), Is.EqualTo(new[]
        {
            (OptState.OptedOut, OptOutSource.Keyword, "inbound:SM1", (string?)"contact", (string?)"conv-1", (string?)"camp-1"),
            (OptState.OptedIn, OptOutSource.Manual, "request:r1", "admin@example.com", null, null),
        }));
        Assert.That(record.History[0].Note, Is.EqualTo("Contact texted \"STOP\" to +15550000001"));
        Assert.That(record.History[0].RecordedAt.UtcTicks,
            Is.EqualTo(DateTimeOffset.Parse("2026-11-01T08:00:00.5000000+00:00", System.Globalization.CultureInfo.InvariantCulture).UtcTicks));
    }

    [Test]
    public async Task Should_keep_flags_accounts_causations_and_settings(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);

        var listed = await store.ListChangesAsync(Account, "bulk:u1", null, 10, cancellationToken);
        var uploaded = (await store.FindManyAsync(Account, listed.Phones.ToList(), cancellationToken)).Values;
        Assert.That(uploaded.Select(r => (r.Phone, r.Flagged, r.State)), Is.EqualTo(new[] { ("+15552015678", true, OptState.OptedOut) }));
        var other = await store.FindAsync(OtherAccount, "+15552011234", cancellationToken);
        Assert.That((other!.State, other.Source, other.Note, other.History.Single().CausationId),
            Is.EqualTo((OptState.OptedOut, OptOutSource.Api, (string?)null, "request:r2")));
        var settings = await store.GetAsync(Account, cancellationToken);
        Assert.That((settings!.DefaultCountryCode, settings.OptOutMessage, settings.Keywords), Is.EqualTo((44, "Bye", new[] { "STOP" })));
        Assert.That(settings.ActiveLanguages, Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)), "saved before languages existed: every shipped one");
        Assert.That(await store.ListAsync(Account, OptState.OptedIn, null, 10, cancellationToken), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_convert_once_and_keep_writing(CancellationToken cancellationToken)
    {
        using (var first = new SqliteOptOutStore(Path))
            await first.InitializeAsync(cancellationToken);
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);
        var service = new OptOutService(store, TimeProvider.System);

        var decision = await service.ApplyAsync(new OptChange
        {
            AccountId = Account,
            Phone = PhoneNumber.FromStored("+15552011234", isValid: true),
            State = OptState.OptedOut,
            Source = OptOutSource.Keyword,
            At = DateTimeOffset.Parse("2026-11-05T00:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
            CausationId = "inbound:SM2",
        }, cancellationToken);

        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
        var record = await store.FindAsync(Account, "+15552011234", cancellationToken);
        Assert.That(record!.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:SM1", "request:r1", "inbound:SM2" }));
        Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
    }

    [Test]
    public async Task Should_refuse_a_file_of_a_newer_layout(CancellationToken cancellationToken)
    {
        await ScalarAsync($"PRAGMA user_version = {SqliteSchema.Layout + 1}", cancellationToken);

        using var store = new SqliteOptOutStore(Path);
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(cancellationToken));
        Assert.That(error!.Message, Does.Contain($"this one knows layout {SqliteSchema.Layout}"));
    }
}
