using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 6 had no outbox. Converted: the file gets an empty <c>pending_events</c>, its records read as they were, and
/// the next transition stores its pending events.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_6 : SqliteFileOfAnEarlierLayout
{
    private static readonly DateTimeOffset T1 = new(2027, 2, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly AccountId Account = AccountId.Parse("acme-campaigns");
    private const string Number = "+15552400000";

    // layout-6.sql (as the builds of early December 2026 created it) with one number opted out by a keyword.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            {EmbeddedSql("layout-6.sql")}
            INSERT INTO accounts (id, value) VALUES (1, '{Account}');
            INSERT INTO texts (id, value) VALUES (1, 'inbound:SM1'), (2, 'contact');
            INSERT INTO opt_outs VALUES (1, '{Number}', 1, 1, NULL, 2, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks}, 0, 1,
                1, 1, {T1.UtcTicks}, {T1.UtcTicks}, 2, NULL, 1, NULL, NULL, NULL);
            PRAGMA user_version = 6;
            """;

    [Test]
    public async Task Should_add_an_empty_outbox_and_keep_every_record(CancellationToken cancellationToken)
    {
        using (var store = new SqliteOptOutStore(Path))
        {
            await store.InitializeAsync(cancellationToken);
            var record = await store.FindAsync(Account, Number, cancellationToken);
            Assert.That(record?.History.Single().CausationId, Is.EqualTo("inbound:SM1"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo(8L));
            Assert.That(await ScalarAsync("SELECT COUNT(*) FROM pending_events", cancellationToken), Is.EqualTo(0L));
        }
    }

    [Test]
    public async Task Should_store_the_pending_events_of_the_next_transition(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);
        var current = await store.FindAsync(Account, Number, cancellationToken);
        var optIn = new OptChange
        {
            AccountId = Account, Phone = PhoneNumber.FromStored(Number, true), State = OptState.OptedIn, Source = OptOutSource.Manual, At = T1.AddDays(1),
            CausationId = "request:r1", Actor = "admin@example.com", Claim = new PublishClaim("admin:r1", Guid.NewGuid(), false, TimeSpan.FromMinutes(1)),
        };
        var decision = OptOutStateMachine.Decide(current, optIn, T1.AddDays(1));

        Assert.That(await store.TryWriteAsync(decision.Write!, cancellationToken), Is.True);
        var due = await store.ListDueAsync(DateTimeOffset.MaxValue, 10, cancellationToken);
        Assert.That(due.Select(e => (e.AccountId, e.Phone, e.Events.CausationId)), Is.EqualTo(new[] { (Account, Number, "request:r1") }));
    }
}
