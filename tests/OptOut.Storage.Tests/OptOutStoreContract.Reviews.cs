using OptOut.Contracts;
using OptOut.Core.Compliance;

namespace OptOut.Storage.Tests;

/// <summary>
/// The review list (<see cref="IReviewStore"/>, issue 15): an idempotent add; the list open-by-deadline first and its
/// stable pages; counts; a decision taken once and never undone; a later revocation closing a number's open items; and
/// the due work several instances share, where of concurrent claimers exactly one wins.
/// </summary>
public abstract partial class OptOutStoreContract
{
    private static readonly OptOutDetection Possible = new()
    {
        Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.62, Reason = "a phrase below the opt-out threshold",
    };

    private IReviewStore Reviews => (IReviewStore)Store;

    [Test]
    public async Task Should_add_a_review_item_once(CancellationToken cancellationToken)
    {
        var item = Item(Account, 700, Now.AddMinutes(-3), Now.AddDays(1)) with
        {
            ConversationId = "conv-700", CampaignId = "camp-700", ProviderMessageId = "SM700", To = "+15550001111",
        };

        Assert.That(await Reviews.TryAddAsync(item, cancellationToken), Is.True);
        Assert.That(await Reviews.TryAddAsync(item with { Text = "redelivered" }, cancellationToken), Is.False, "same id: a redelivered text");
        Assert.That(await Reviews.GetAsync(Account, item.Id, cancellationToken), Is.EqualTo(item), "every field as written, the first write kept");
    }

    [Test]
    public async Task Should_list_open_items_by_deadline_first_then_the_rest_newest_first_in_stable_pages(CancellationToken cancellationToken)
    {
        var open = new[] { Item(Account, 710, Now.AddHours(-5), Now.AddDays(3)), Item(Account, 711, Now.AddHours(-1), Now.AddDays(1)),
            Item(Account, 712, Now.AddHours(-3), Now.AddDays(2)) };
        var closed = new[] { Item(Account, 713, Now.AddHours(-4), Now.AddDays(1)), Item(Account, 714, Now.AddHours(-2), Now.AddDays(2)) };
        foreach (var item in open.Concat(closed))
            await Reviews.TryAddAsync(item, cancellationToken);
        await Reviews.TryResolveAsync(Account, closed[0].Id, ReviewState.NotARevocation, "admin@example.com", Now, null, cancellationToken);
        await Reviews.TryResolveAsync(Account, closed[1].Id, ReviewState.OptedOut, "admin@example.com", Now, null, cancellationToken);

        var pages = new List<IReadOnlyList<ReviewItem>>();
        ReviewCursor? after = null;
        do
        {
            pages.Add(await Reviews.ListAsync(Account, null, after, 2, cancellationToken));
            after = pages[^1].Count == 0 ? null : ReviewCursor.After(pages[^1][^1]);
        }
        while (pages[^1].Count == 2);

        var expected = new[] { open[1].Id, open[2].Id, open[0].Id, closed[1].Id, closed[0].Id };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.SelectMany(p => p).Select(i => i.Id), Is.EqualTo(expected));
            Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That((await Reviews.ListAsync(Account, ReviewState.Open, null, 10, cancellationToken)).Select(i => i.Id),
                Is.EqualTo(expected[..3]));
            Assert.That((await Reviews.ListAsync(Account, ReviewState.OptedOut, null, 10, cancellationToken)).Select(i => i.Id),
                Is.EqualTo(new[] { closed[1].Id }));
        }
    }

    [Test]
    public async Task Should_keep_a_page_stable_when_an_earlier_item_is_resolved(CancellationToken cancellationToken)
    {
        var items = Enumerable.Range(0, 4).Select(i => Item(Account, 720 + i, Now.AddHours(-i - 1), Now.AddDays(i + 1))).ToArray();
        foreach (var item in items)
            await Reviews.TryAddAsync(item, cancellationToken);

        var first = await Reviews.ListAsync(Account, ReviewState.Open, null, 2, cancellationToken);
        await Reviews.TryResolveAsync(Account, items[0].Id, ReviewState.NotARevocation, "admin@example.com", Now, null, cancellationToken);
        var second = await Reviews.ListAsync(Account, ReviewState.Open, ReviewCursor.After(first[^1]), 2, cancellationToken);

        Assert.That(second.Select(i => i.Id), Is.EqualTo(new[] { items[2].Id, items[3].Id }), "the cursor is a place in the order, not an offset");
    }

    [Test]
    public async Task Should_page_through_items_of_one_deadline_and_one_received_time_by_id(CancellationToken cancellationToken)
    {
        var items = Enumerable.Range(0, 6).Select(i => Item(Account, 725, Now.AddHours(-1), Now.AddDays(1))).ToArray();
        foreach (var item in items)
            await Reviews.TryAddAsync(item, cancellationToken);
        foreach (var item in items[3..])
            await Reviews.TryResolveAsync(Account, item.Id, ReviewState.NotARevocation, "admin@example.com", Now, null, cancellationToken);

        var listed = new List<ReviewItem>();
        ReviewCursor? after = null;
        IReadOnlyList<ReviewItem> page;
        do
        {
            page = await Reviews.ListAsync(Account, null, after, 2, cancellationToken);
            listed.AddRange(page);
            after = page.Count == 0 ? null : ReviewCursor.After(page[^1]);
        }
        while (page.Count == 2);

        var byId = items.Select(i => i.Id).OrderBy(ReviewCursor.OrderKey, StringComparer.Ordinal).ToArray();
        var open = byId.Where(id => items[..3].Any(i => i.Id == id));
        var rest = byId.Where(id => items[3..].Any(i => i.Id == id)).Reverse();
        Assert.That(listed.Select(i => i.Id), Is.EqualTo(open.Concat(rest)), "equal times: open ascending by id, the rest descending");
    }

    [Test]
    public async Task Should_count_the_items_of_each_state(CancellationToken cancellationToken)
    {
        var items = Enumerable.Range(0, 4).Select(i => Item(Account, 730 + i, Now.AddHours(-1), Now.AddDays(1))).ToArray();
        foreach (var item in items)
            await Reviews.TryAddAsync(item, cancellationToken);
        await Reviews.TryResolveAsync(Account, items[0].Id, ReviewState.OptedOut, "admin@example.com", Now, null, cancellationToken);
        await Reviews.TryResolveAsync(Account, items[1].Id, ReviewState.AutoOptedOut, "service", Now, null, cancellationToken);

        var counts = await Reviews.CountsAsync(Account, cancellationToken);

        Assert.That(counts, Is.EquivalentTo(new Dictionary<ReviewState, long>
        {
            [ReviewState.Open] = 2, [ReviewState.OptedOut] = 1, [ReviewState.NotARevocation] = 0, [ReviewState.AutoOptedOut] = 1,
            [ReviewState.ClosedByRevocation] = 0,
        }));
    }

    [Test]
    public async Task Should_resolve_an_item_only_once(CancellationToken cancellationToken)
    {
        var item = Item(Account, 740, Now.AddHours(-1), Now.AddDays(1));
        await Reviews.TryAddAsync(item, cancellationToken);

        var first = await Reviews.TryResolveAsync(Account, item.Id, ReviewState.NotARevocation, "admin@example.com", Now, "asked about prices", cancellationToken);
        var second = await Reviews.TryResolveAsync(Account, item.Id, ReviewState.OptedOut, "other@example.com", Now.AddMinutes(1), "late", cancellationToken);
        var closed = await Reviews.CloseOpenForNumberAsync(Account, item.Phone, "inbound:SM9", Now.AddMinutes(2), null, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False, "resolved already");
            Assert.That(closed, Is.Zero, "a resolved item never goes back");
            Assert.That(await Reviews.GetAsync(Account, item.Id, cancellationToken), Is.EqualTo(item with
            {
                State = ReviewState.NotARevocation, ResolvedBy = "admin@example.com", ResolvedAt = Now, Note = "asked about prices",
            }));
            Assert.That(await Reviews.TryResolveAsync(Account, Guid.NewGuid(), ReviewState.OptedOut, "admin@example.com", Now, null, cancellationToken),
                Is.False, "no such item");
        }
    }

    [Test]
    public void Should_refuse_to_resolve_an_item_as_open()
    {
        Assert.That(() => Reviews.TryResolveAsync(Account, Guid.NewGuid(), ReviewState.Open, "admin@example.com", Now, null),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("closed state"));
    }

    [Test]
    public async Task Should_close_only_the_open_items_of_that_number_in_that_account(CancellationToken cancellationToken)
    {
        var other = OtherAccount();
        var mine = new[] { Item(Account, 750, Now.AddHours(-2), Now.AddDays(1)), Item(Account, 750, Now.AddHours(-1), Now.AddDays(1)) };
        var resolved = Item(Account, 750, Now.AddHours(-3), Now.AddDays(1));
        var otherNumber = Item(Account, 751, Now.AddHours(-1), Now.AddDays(1));
        var otherAccount = Item(other, 750, Now.AddHours(-1), Now.AddDays(1));
        foreach (var item in mine.Append(resolved).Append(otherNumber).Append(otherAccount))
            await Reviews.TryAddAsync(item, cancellationToken);
        await Reviews.TryResolveAsync(Account, resolved.Id, ReviewState.NotARevocation, "admin@example.com", Now, null, cancellationToken);

        var closed = await Reviews.CloseOpenForNumberAsync(Account, mine[0].Phone, "inbound:SM750", Now.AddMinutes(1), "texted STOP", cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(closed, Is.EqualTo(2));
            foreach (var item in mine)
                Assert.That(await Reviews.GetAsync(Account, item.Id, cancellationToken), Is.EqualTo(item with
                {
                    State = ReviewState.ClosedByRevocation, ResolvedBy = "inbound:SM750", ResolvedAt = Now.AddMinutes(1), Note = "texted STOP",
                }));
            Assert.That((await Reviews.GetAsync(Account, resolved.Id, cancellationToken))?.State, Is.EqualTo(ReviewState.NotARevocation));
            Assert.That((await Reviews.GetAsync(Account, otherNumber.Id, cancellationToken))?.State, Is.EqualTo(ReviewState.Open));
            Assert.That((await Reviews.GetAsync(other, otherAccount.Id, cancellationToken))?.State, Is.EqualTo(ReviewState.Open));
        }
    }

    [Test]
    public async Task Should_keep_review_items_within_their_account(CancellationToken cancellationToken)
    {
        var other = OtherAccount();
        var item = Item(Account, 760, Now.AddHours(-1), Now.AddDays(1));
        await Reviews.TryAddAsync(item, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Reviews.GetAsync(other, item.Id, cancellationToken), Is.Null);
            Assert.That(await Reviews.ListAsync(other, null, null, 10, cancellationToken), Is.Empty);
            Assert.That((await Reviews.CountsAsync(other, cancellationToken)).Values, Is.All.Zero);
            Assert.That(await Reviews.TryResolveAsync(other, item.Id, ReviewState.OptedOut, "admin@example.com", Now, null, cancellationToken), Is.False);
            Assert.That(await Reviews.TryClaimDueAsync(other, item.Id, Now.AddDays(2), Now.AddDays(1), cancellationToken), Is.False);
            Assert.That(await Reviews.TryAddAsync(item with { AccountId = other }, cancellationToken), Is.False, "ids are unique across accounts");
            Assert.That((await Reviews.GetAsync(Account, item.Id, cancellationToken))?.State, Is.EqualTo(ReviewState.Open));
        }
    }

    // ---------------------------------------------------------------- due work

    // Each due-list spec works in an era of its own, long before every other spec's deadlines (which lie around Now), and
    // reads only its own accounts' items; the limit spec's era is the earliest, so nothing else is due in it.

    [Test]
    public async Task Should_list_due_items_of_every_account_oldest_deadline_first_up_to_the_limit(CancellationToken cancellationToken)
    {
        var era = new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var other = OtherAccount();
        var items = new[]
        {
            Item(Account, 770, era, era.AddDays(3)), Item(other, 771, era, era.AddDays(1)), Item(Account, 772, era, era.AddDays(2)),
        };
        foreach (var item in items)
            await Reviews.TryAddAsync(item, cancellationToken);

        var all = await Reviews.ListDueAsync(era.AddDays(3), 10, cancellationToken);
        var two = await Reviews.ListDueAsync(era.AddDays(3), 2, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.Select(i => i.Id), Is.EqualTo(new[] { items[1].Id, items[2].Id, items[0].Id }), "across accounts, a deadline at now is due");
            Assert.That(two.Select(i => i.Id), Is.EqualTo(new[] { items[1].Id, items[2].Id }));
            Assert.That(all[0], Is.EqualTo(items[1]));
        }
    }

    [Test]
    public async Task Should_list_only_open_expired_and_unclaimed_items_as_due(CancellationToken cancellationToken)
    {
        var era = new DateTimeOffset(1910, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var due = Item(Account, 780, era, era.AddDays(1));
        var notYet = Item(Account, 781, era, era.AddDays(5));
        var resolved = Item(Account, 782, era, era.AddDays(1));
        var claimed = Item(Account, 783, era, era.AddDays(1));
        foreach (var item in new[] { due, notYet, resolved, claimed })
            await Reviews.TryAddAsync(item, cancellationToken);
        await Reviews.TryResolveAsync(Account, resolved.Id, ReviewState.NotARevocation, "admin@example.com", era, null, cancellationToken);
        Assert.That(await Reviews.TryClaimDueAsync(Account, claimed.Id, era.AddDays(3), era.AddDays(2), cancellationToken), Is.True);

        var listed = (await Reviews.ListDueAsync(era.AddDays(2), 1_000, cancellationToken)).Where(i => i.AccountId == Account);

        Assert.That(listed.Select(i => i.Id), Is.EqualTo(new[] { due.Id }));
    }

    [Test]
    public async Task Should_let_exactly_one_of_20_concurrent_claimers_take_a_due_item(CancellationToken cancellationToken)
    {
        var era = new DateTimeOffset(1920, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var item = Item(Account, 790, era, era.AddDays(1));
        await Reviews.TryAddAsync(item, cancellationToken);
        var now = era.AddDays(1).AddMinutes(1);

        using var start = new SemaphoreSlim(0);
        var claimers = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync(cancellationToken);
            return await Reviews.TryClaimDueAsync(Account, item.Id, now.AddMinutes(5), now, cancellationToken);
        }, cancellationToken)).ToArray();
        start.Release(claimers.Length);
        var won = await Task.WhenAll(claimers);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(won.Count(w => w), Is.EqualTo(1));
            Assert.That((await Reviews.ListDueAsync(now, 1_000, cancellationToken)).Where(i => i.AccountId == Account), Is.Empty, "claimed");
        }
    }

    [Test]
    public async Task Should_let_a_claim_that_ran_out_be_taken_again(CancellationToken cancellationToken)
    {
        var era = new DateTimeOffset(1930, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var item = Item(Account, 795, era, era.AddDays(1));
        await Reviews.TryAddAsync(item, cancellationToken);
        var now = era.AddDays(1);

        var first = await Reviews.TryClaimDueAsync(Account, item.Id, now.AddMinutes(5), now, cancellationToken);
        var whileHeld = await Reviews.TryClaimDueAsync(Account, item.Id, now.AddMinutes(9), now.AddMinutes(5).AddTicks(-1), cancellationToken);
        var listedAtExpiry = (await Reviews.ListDueAsync(now.AddMinutes(5), 1_000, cancellationToken)).Where(i => i.AccountId == Account);
        var again = await Reviews.TryClaimDueAsync(Account, item.Id, now.AddMinutes(10), now.AddMinutes(5), cancellationToken);
        await Reviews.TryResolveAsync(Account, item.Id, ReviewState.AutoOptedOut, "service", now.AddMinutes(6), "deadline passed", cancellationToken);
        var afterResolve = await Reviews.TryClaimDueAsync(Account, item.Id, now.AddDays(1), now.AddDays(1).AddMinutes(-1), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(whileHeld, Is.False, "the claim holds until its end");
            Assert.That(listedAtExpiry.Select(i => i.Id), Is.EqualTo(new[] { item.Id }), "due again once the claim ran out");
            Assert.That(again, Is.True);
            Assert.That(afterResolve, Is.False, "a resolved item is never due");
            Assert.That(await Reviews.TryClaimDueAsync(Account, Guid.NewGuid(), now, now, cancellationToken), Is.False, "no such item");
        }
    }

    [Test]
    public async Task Should_not_let_an_item_be_claimed_before_its_deadline(CancellationToken cancellationToken)
    {
        var item = Item(Account, 798, Now.AddHours(-1), Now.AddDays(1));
        await Reviews.TryAddAsync(item, cancellationToken);

        Assert.That(await Reviews.TryClaimDueAsync(Account, item.Id, Now.AddDays(2), Now.AddDays(1).AddTicks(-1), cancellationToken), Is.False);
    }

    /// <summary>An open item of number <paramref name="phone"/> (<see cref="TestPhones.Us"/>) with a fresh id.</summary>
    private static ReviewItem Item(AccountId account, int phone, DateTimeOffset receivedAt, DateTimeOffset deadline) =>
        new(account, Guid.NewGuid(), TestPhones.Us(phone).E164, $"pls dont text me anymore ({phone})", Possible.Reason, Possible.Score, Possible,
            receivedAt, deadline);

    private static AccountId OtherAccount() => AccountId.Parse("acct-other-" + Guid.NewGuid().ToString("N")[..8]);
}
