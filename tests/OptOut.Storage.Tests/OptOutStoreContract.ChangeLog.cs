using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Tests;

/// <summary>
/// The bulk change log (<see cref="IBulkChangeLog"/>): the numbers each upload changed, listed in one order on every store
/// (stretches by position, each in the order it was recorded), paged by an opaque cursor.
/// </summary>
public abstract partial class OptOutStoreContract
{
    [Test]
    public async Task Should_list_recorded_numbers_in_recorded_order_stretch_by_stretch(CancellationToken cancellationToken)
    {
        // Not in phone order: the order is the recording's, whatever the numbers.
        var first = Enumerable.Range(0, 12).Select(i => $"+1555214{(12 - i) * 2:D4}").ToList();
        var second = Enumerable.Range(0, 13).Select(i => $"+1555213{(i * 7) % 13:D4}").ToList();
        await ChangeLog.RecordChangesAsync(Account, "bulk:A", 0, first, cancellationToken);
        await ChangeLog.RecordChangesAsync(Account, "bulk:A", 100, second, cancellationToken);
        // Another upload in the same account, and the same upload id in another account.
        AccountId other = Guid.NewGuid();
        var theirs = Enumerable.Range(0, 5).Select(i => $"+1555214{i * 2 + 1:D4}").ToList();
        await ChangeLog.RecordChangesAsync(Account, "bulk:B", 0, theirs, cancellationToken);
        await ChangeLog.RecordChangesAsync(other, "bulk:A", 0, theirs, cancellationToken);

        var pages = await AllPagesAsync(Account, "bulk:A", 10, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.Select(p => p.Phones.Count), Is.EqualTo(new[] { 10, 10, 5 }));
            Assert.That(pages.SelectMany(p => p.Phones), Is.EqualTo(first.Concat(second)));
            Assert.That((await ChangeLog.ListChangesAsync(other, "bulk:A", null, 100, cancellationToken)).Phones, Is.EqualTo(theirs));
            Assert.That((await ChangeLog.ListChangesAsync(Account, "bulk:B", null, 100, cancellationToken)).Phones, Is.EqualTo(theirs));
        }
    }

    [Test]
    public async Task Should_drop_the_stretches_after_an_earlier_position_recorded_again(CancellationToken cancellationToken)
    {
        // A resumed upload records from its checkpoint on, before the positions the crashed attempt reached.
        await ChangeLog.RecordChangesAsync(Account, "bulk:O", 50, ["+15552160050"], cancellationToken);
        await ChangeLog.RecordChangesAsync(Account, "bulk:O", 10, ["+15552160010"], cancellationToken);
        await ChangeLog.RecordChangesAsync(Account, "bulk:O", 30, ["+15552160030"], cancellationToken);

        var pages = await AllPagesAsync(Account, "bulk:O", 10, cancellationToken);

        Assert.That(pages.SelectMany(p => p.Phones), Is.EqualTo(new[] { "+15552160010", "+15552160030" }), "recording at 10 replaced 50");
    }

    [Test]
    public async Task Should_replace_a_stretch_recorded_again_and_every_stretch_after_it(CancellationToken cancellationToken)
    {
        // A resumed upload records its stretches again from its checkpoint on; what the crashed attempt recorded after
        // the checkpoint must not be listed twice (nor a number it changed that the resumed attempt finds it did not).
        var phones = Enumerable.Range(0, 2_500).Select(i => $"+1555217{i:D4}").ToList();
        await ChangeLog.RecordChangesAsync(Account, "bulk:R", 0, phones[..1_200], cancellationToken);
        await ChangeLog.RecordChangesAsync(Account, "bulk:R", 5_000, phones[1_200..2_000], cancellationToken);
        await ChangeLog.RecordChangesAsync(Account, "bulk:R", 9_000, phones[2_000..], cancellationToken);

        await ChangeLog.RecordChangesAsync(Account, "bulk:R", 5_000, phones[1_200..1_300], cancellationToken);
        // Recording the same stretch twice (a retry) leaves it once.
        await ChangeLog.RecordChangesAsync(Account, "bulk:R", 5_000, phones[1_200..1_300], cancellationToken);

        var pages = await AllPagesAsync(Account, "bulk:R", 700, cancellationToken);

        Assert.That(pages.SelectMany(p => p.Phones), Is.EqualTo(phones[..1_300]));
        Assert.That(pages[0].Phones, Has.Count.EqualTo(700), "a page takes part of a part");
        Assert.That(pages.Select(p => p.Phones.Count), Has.All.LessThanOrEqualTo(700), "pages of up to 700 across parts of up to 1,000");
    }

    [Test]
    public async Task Should_page_a_long_stretch_with_pages_longer_than_a_part(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 3_100).Select(i => $"+1555218{i:D4}").ToList();
        await ChangeLog.RecordChangesAsync(Account, "bulk:L", 0, phones, cancellationToken);

        var pages = await AllPagesAsync(Account, "bulk:L", 1_500, cancellationToken);

        Assert.That(pages.Select(p => p.Phones.Count).Where(n => n > 0), Is.EqualTo(new[] { 1_500, 1_500, 100 }));
        Assert.That(pages.SelectMany(p => p.Phones), Is.EqualTo(phones));
    }

    [Test]
    public async Task Should_list_nothing_for_an_upload_that_recorded_nothing(CancellationToken cancellationToken)
    {
        await ChangeLog.RecordChangesAsync(Account, "bulk:E", 0, [], cancellationToken);

        foreach (var causation in (string[])["bulk:E", "bulk:never"])
        {
            var page = await ChangeLog.ListChangesAsync(Account, causation, null, 10, cancellationToken);
            Assert.That(page.Phones, Is.Empty, causation);
            Assert.That(page.Next, Is.Null, causation);
        }
    }

    [Test]
    public void Should_reject_a_negative_stretch_position()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChangeLog.RecordChangesAsync(Account, "bulk:A", -1, ["+15552150000"]));
    }

    [Test]
    public void Should_reject_a_change_page_size_below_one()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChangeLog.ListChangesAsync(Account, "bulk:A", null, 0));
    }

    [Test]
    public void Should_refuse_a_cursor_it_did_not_give()
    {
        Assert.ThrowsAsync<ArgumentException>(() => ChangeLog.ListChangesAsync(Account, "bulk:R", "+15552170000", 10));
    }

    /// <summary>
    /// Every page of an upload's list, following the cursors (at most 20 pages). A page may hold fewer numbers than asked
    /// for and still have a cursor (the store read its parts up to one it could not tell was the last); the page after
    /// it may then be empty.
    /// </summary>
    private async Task<List<ChangedNumbers>> AllPagesAsync(AccountId accountId, string causationId, int limit, CancellationToken cancellationToken)
    {
        var pages = new List<ChangedNumbers>();
        string? after = null;
        do
        {
            pages.Add(await ChangeLog.ListChangesAsync(accountId, causationId, after, limit, cancellationToken));
            after = pages[^1].Next;
        }
        while (after is not null && pages.Count < 20);

        Assert.That(after, Is.Null, "the last page has no cursor");
        return pages;
    }
}
