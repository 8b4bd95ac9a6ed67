using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_an_upload_lists_the_account_s_numbers
{
    [Test]
    public async Task Should_give_their_digits_sorted_and_nothing_of_another_account()
    {
        var fixture = new StageFixture();
        foreach (var i in new[] { 7, 3, 9 })
            await fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(i)));
        await fixture.Seed(Changes.Stop(-60, "inbound:other", StageFixture.Number(5)) with { AccountId = Guid.NewGuid() });

        await using var listing = KnownNumbersListing.Start(fixture.Store, Changes.AccountId, 2_000_000, CancellationToken.None);
        var known = await listing.FinishAsync(fileNumbers: 10);

        Assert.That(known, Is.EqualTo(new[] { 12012000003UL, 12012000007UL, 12012000009UL }));
    }

    [Test]
    public async Task Should_give_up_on_an_account_with_more_numbers_than_the_limit_whatever_the_file()
    {
        var fixture = new StageFixture();
        foreach (var i in Enumerable.Range(0, 10))
            await fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(i)));

        await using var listing = KnownNumbersListing.Start(fixture.Store, Changes.AccountId, 5, CancellationToken.None);

        Assert.That(await listing.FinishAsync(fileNumbers: 1_000_000), Is.Null, "a large file never raises the limit");
    }

    [Test]
    public async Task Should_skip_a_stored_number_that_is_not_e164()
    {
        var fixture = new StageFixture();
        await fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        await fixture.Seed(Changes.Stop(-60, "inbound:odd", PhoneNumber.FromStored("12012000002", true)));

        await using var listing = KnownNumbersListing.Start(fixture.Store, Changes.AccountId, 2_000_000, CancellationToken.None);

        Assert.That(await listing.FinishAsync(fileNumbers: 10), Is.EqualTo(new[] { 12012000001UL }));
    }
}

[TestFixture]
public class When_an_upload_looks_up_its_numbers_in_the_listing
{
    [Test]
    public async Task Should_find_the_stored_ones_among_both_the_valid_and_the_flagged_numbers()
    {
        // Sorted as the scan sorts them: valid ones, then flagged ones (each run in phone order).
        var scan = await new StageFixture().Scan("phone\n+12012000001\n+12012000005\n+12012000009\n+15552010001\n+15552010005\n");
        ulong[] known = [12012000005, 15552010001, 15552010009];

        var existed = KnownNumbersListing.Existed(scan.Numbers, known);

        Assert.Multiple(() =>
        {
            Assert.That(scan.Numbers.Select(n => n.IsFlagged), Is.EqualTo(new[] { false, false, false, true, true }));
            Assert.That(existed, Is.EqualTo(new[] { false, true, false, true, false }));
        });
    }

    [Test]
    public async Task Should_take_every_number_as_stored_when_the_account_was_not_listed()
    {
        var scan = await new StageFixture().Scan("phone\n+12012000001\n+15552010001\n");

        Assert.That(KnownNumbersListing.Existed(scan.Numbers, known: null), Is.EqualTo(new[] { true, true }));
    }
}
