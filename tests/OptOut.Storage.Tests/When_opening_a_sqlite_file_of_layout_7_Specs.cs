using OptOut.Contracts;
using OptOut.Core.Compliance;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 7 had no review list. Converted: the file gets an empty <c>review_items</c>, its records read as they were,
/// and a possible revocation can be added to the list.
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_7 : SqliteFileOfAnEarlierLayout
{
    private static readonly DateTimeOffset T1 = new(2027, 2, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly AccountId Account = AccountId.Parse("acme-campaigns");
    private const string Number = "+15552400000";

    // layout-7.sql (as the builds of December 2026 created it) with one number opted out by a keyword.
    protected override string EarlierLayoutSql => $"""
            PRAGMA journal_mode = WAL;
            {EmbeddedSql("layout-7.sql")}
            INSERT INTO accounts (id, value) VALUES (1, '{Account}');
            INSERT INTO texts (id, value) VALUES (1, 'inbound:SM1'), (2, 'contact');
            INSERT INTO opt_outs VALUES (1, '{Number}', 1, 1, NULL, 2, {T1.UtcTicks}, {T1.UtcTicks}, {T1.UtcTicks}, 0, 1,
                1, 1, {T1.UtcTicks}, {T1.UtcTicks}, 2, NULL, 1, NULL, NULL, NULL);
            PRAGMA user_version = 7;
            """;

    [Test]
    public async Task Should_add_an_empty_review_list_and_keep_every_record(CancellationToken cancellationToken)
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
            Assert.That(await ScalarAsync("SELECT COUNT(*) FROM review_items", cancellationToken), Is.EqualTo(0L));
        }
    }

    [Test]
    public async Task Should_add_a_possible_revocation_to_the_review_list(CancellationToken cancellationToken)
    {
        using var store = new SqliteOptOutStore(Path);
        await store.InitializeAsync(cancellationToken);
        IReviewStore reviews = store;
        var item = new ReviewItem(Account, Guid.NewGuid(), Number, "please stop", "phrase below threshold", 0.6, null, T1.AddDays(1), T1.AddDays(2));

        Assert.That(await reviews.TryAddAsync(item, cancellationToken), Is.True);
        Assert.That(await reviews.GetAsync(Account, item.Id, cancellationToken), Is.EqualTo(item));
    }
}
