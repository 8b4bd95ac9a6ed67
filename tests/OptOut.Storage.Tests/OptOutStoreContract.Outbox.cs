using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;

namespace OptOut.Storage.Tests;

/// <summary>
/// The outbox (<see cref="IOutbox"/>): a transition's pending events stored by its own atomic write, at most one entry
/// per number; claims that let one publisher at a time re-send them; the marks that delete them once confirmed; and
/// the sweeper's list of entries whose claim ran out. Claims and marks never change a record's version.
/// </summary>
public abstract partial class OptOutStoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>Claims of the due-list specs run out here, long before any other spec's, so those never show up in it.</summary>
    private static readonly DateTimeOffset LongAgo = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConfirmationTarget Reply = new("+15550001111", "Vous êtes désinscrit — répondez START 🙂", ConfirmationKind.OptOut, "fr");

    private IOutbox Outbox => (IOutbox)Store;

    // ---------------------------------------------------------------- stored with the transition

    [Test]
    public async Task Should_store_the_pending_events_of_a_transition_in_its_write(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(500);
        var claim = Claim("bus:500");

        var decision = await Service.ApplyAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:500", claim, Reply), cancellationToken);

        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
        Assert.That(await DueAsync(Now + Lease - TimeSpan.FromTicks(1), cancellationToken), Is.Empty, "claimed until now + lease");
        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EqualTo(new[]
        {
            new PendingEntry(Account, phone.E164, new PendingEvents("inbound:500", Reply, "bus:500", claim.Delivery, Now + Lease)),
        }));
    }

    [Test]
    public async Task Should_store_pending_events_without_a_reply(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(501);
        var claim = Claim("admin:501");

        await Service.ApplyAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "request:501", claim), cancellationToken);

        var due = await DueAsync(Now + Lease, cancellationToken);
        Assert.That(due, Has.Count.EqualTo(1));
        Assert.That(due[0].Events, Is.EqualTo(new PendingEvents("request:501", null, "admin:501", claim.Delivery, Now + Lease)));
    }

    [Test]
    public async Task Should_store_the_pending_events_of_each_transition_of_a_batch(CancellationToken cancellationToken)
    {
        var claimed = Enumerable.Range(510, 3).Select(i =>
            OptOutStateMachine.Decide(null, Claimed(TestPhones.Us(i), OptState.OptedOut, Now.AddMinutes(-1), $"undo:{i}", Claim($"bus:{i}")), Now)).ToList();
        // A bulk upload's change carries no claim: it stores no entry.
        var bulk = OptOutStateMachine.Decide(null, Change(TestPhones.Us(513), OptState.OptedOut, Now.AddMinutes(-1), "bulk:513"), Now);

        var written = await Store.TryWriteManyAsync([.. claimed.Select(d => d.Write!), bulk.Write!], cancellationToken);

        Assert.That(written, Is.All.True);
        Assert.That(bulk.Write!.Pending, Is.Null);
        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EquivalentTo(
            claimed.Select(d => new PendingEntry(Account, d.Record!.Phone, d.Write!.Pending!))));
    }

    [Test]
    public async Task Should_store_no_pending_events_when_the_compare_and_swap_loses(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(520);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-10), "bulk:520"), cancellationToken);
        var read = await Store.FindAsync(Account, phone.E164, cancellationToken);
        var optIn = OptOutStateMachine.Decide(read, Claimed(phone, OptState.OptedIn, Now.AddMinutes(-1), "inbound:520", Claim("bus:520")), Now);
        // Another writer gets there first: a clock advance, so the transition's expected version is stale.
        var advance = OptOutStateMachine.Decide(read, Change(phone, OptState.OptedOut, Now.AddMinutes(-5), "bulk:520b"), Now);
        Assert.That(await Store.TryWriteAsync(advance.Write!, cancellationToken), Is.True);

        Assert.That(optIn.Write!.Pending, Is.Not.Null);
        Assert.That(await Store.TryWriteAsync(optIn.Write, cancellationToken), Is.False);
        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.Empty);
    }

    [Test]
    public async Task Should_store_no_pending_events_when_an_insert_loses(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(521);
        var first = OptOutStateMachine.Decide(null, Claimed(phone, OptState.OptedOut, Now.AddMinutes(-2), "inbound:521a", Claim("bus:521a")), Now);
        var second = OptOutStateMachine.Decide(null, Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:521b", Claim("bus:521b")), Now);

        Assert.That(await Store.TryWriteAsync(first.Write!, cancellationToken), Is.True);
        Assert.That(await Store.TryWriteAsync(second.Write!, cancellationToken), Is.False);

        Assert.That((await DueAsync(Now + Lease, cancellationToken)).Select(e => e.Key),
            Is.EqualTo(new[] { new PendingKey(Account, phone.E164, "inbound:521a") }), "the winner's entry only");
    }

    [Test]
    public async Task Should_leave_the_entry_when_the_clock_advances(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(530);
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-10), "inbound:530", Claim("bus:530"), Reply), Now, cancellationToken);
        var read = await Store.FindAsync(Account, phone.E164, cancellationToken);

        // A newer STOP of the same number: the state stays, only its clock moves (a write without pending events).
        var advance = OptOutStateMachine.Decide(read, Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:530b", Claim("bus:530b")), Now);
        Assert.That((advance.Kind, advance.Write?.Pending), Is.EqualTo((ChangeKind.Unchanged, (PendingEvents?)null)));
        Assert.That(await Store.TryWriteAsync(advance.Write!, cancellationToken), Is.True);

        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending) }));
    }

    [Test]
    public async Task Should_leave_the_entry_when_a_bulk_upload_changes_the_number(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(531);
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-10), "inbound:531", Claim("bus:531"), Reply), Now, cancellationToken);
        var read = await Store.FindAsync(Account, phone.E164, cancellationToken);

        var bulk = OptOutStateMachine.Decide(read, Change(phone, OptState.OptedIn, Now.AddMinutes(-1), "bulk:531", OptOutSource.BulkUpload), Now);
        Assert.That(await Store.TryWriteManyAsync([bulk.Write!], cancellationToken), Is.All.True);

        Assert.That((await Store.FindAsync(Account, phone.E164, cancellationToken))!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending) }),
            "the sweeper finds it stale and deletes it unsent");
    }

    [Test]
    public async Task Should_replace_the_entry_when_a_newer_transition_is_written(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(532);
        await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-10), "inbound:532a", Claim("bus:532a"), Reply), Now, cancellationToken);
        var later = Now.AddSeconds(5);
        var optIn = new ConfirmationTarget("+15550002222", "You're subscribed again.", ConfirmationKind.OptIn, "en");
        var claim = Claim("bus:532b");

        var pending = await TransitionAsync(Claimed(phone, OptState.OptedIn, Now.AddMinutes(-1), "inbound:532b", claim, optIn), later, cancellationToken);

        Assert.That(pending, Is.EqualTo(new PendingEvents("inbound:532b", optIn, "bus:532b", claim.Delivery, later + Lease)));
        Assert.That(await DueAsync(later + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending) }),
            "one entry per number: the newer transition's");
        Assert.That(await Outbox.TryClaimAsync(new PendingKey(Account, phone.E164, "inbound:532a"), Claim("sweeper"), later + Lease, cancellationToken),
            Is.False, "the older causation has no entry left");
    }

    // ---------------------------------------------------------------- marks

    [Test]
    public async Task Should_delete_only_the_entries_of_the_marked_causations(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        var (sent, kept, untouched) = (TestPhones.Us(540), TestPhones.Us(541), TestPhones.Us(542));
        await TransitionAsync(Claimed(sent, OptState.OptedOut, Now.AddMinutes(-1), "inbound:540", Claim("bus:540")), Now, cancellationToken);
        await TransitionAsync(Claimed(kept, OptState.OptedOut, Now.AddMinutes(-1), "inbound:541", Claim("bus:541")), Now, cancellationToken);
        await TransitionAsync(Claimed(untouched, OptState.OptedOut, Now.AddMinutes(-1), "inbound:542", Claim("bus:542")), Now, cancellationToken);
        // The same number and causation in another account is another entry.
        await TransitionAsync(Claimed(sent, OptState.OptedOut, Now.AddMinutes(-1), "inbound:540", Claim("bus:540"), account: other), Now, cancellationToken);

        await Outbox.MarkSentAsync(
        [
            new PendingKey(Account, sent.E164, "inbound:540"),
            new PendingKey(Account, kept.E164, "inbound:older"),
            new PendingKey(Account, TestPhones.Us(543).E164, "inbound:543"),
        ], cancellationToken);

        Assert.That((await DueAsync(Now + Lease, cancellationToken)).Select(e => e.Phone), Is.EquivalentTo(new[] { kept.E164, untouched.E164 }));
        Assert.That((await Outbox.ListDueAsync(Now + Lease, 1_000, cancellationToken)).Where(e => e.AccountId == other).Select(e => e.Key),
            Is.EqualTo(new[] { new PendingKey(other, sent.E164, "inbound:540") }));
        Assert.That(await Outbox.TryClaimAsync(new PendingKey(Account, sent.E164, "inbound:540"), Claim("bus:540"), Now + Lease, cancellationToken),
            Is.False, "confirmed: nothing left to re-send");
    }

    [Test]
    public void Should_accept_an_empty_list_of_marks()
    {
        Assert.DoesNotThrowAsync(() => Outbox.MarkSentAsync([]));
    }

    // ---------------------------------------------------------------- claims

    [Test]
    public async Task Should_let_the_same_delivery_retake_its_live_claim(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(550);
        var claim = Claim("bus:550");
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:550", claim), Now, cancellationToken);
        var retry = Now.AddSeconds(10);

        Assert.That(await Outbox.TryClaimAsync(KeyOf(phone, pending), claim, retry, cancellationToken), Is.True);

        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.Empty, "each retry renews the claim");
        Assert.That(await DueAsync(retry + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending with { ClaimedUntil = retry + Lease }) }));
    }

    [Test]
    public async Task Should_not_let_another_delivery_take_a_live_claim(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(551);
        var claim = Claim("bus:551");
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:551", claim), Now, cancellationToken);
        var key = KeyOf(phone, pending);

        // A gateway's second copy of the STOP (another message id), and a copy under the same id the broker did not redeliver.
        Assert.That(await Outbox.TryClaimAsync(key, Claim("bus:551-copy"), Now.AddSeconds(1), cancellationToken), Is.False);
        Assert.That(await Outbox.TryClaimAsync(key, Claim("bus:551"), Now.AddSeconds(1), cancellationToken), Is.False);
        Assert.That(await Outbox.TryClaimAsync(key, Claim("bus:551-copy"), Now + Lease - TimeSpan.FromTicks(1), cancellationToken), Is.False,
            "live until the tick it runs out");

        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending) }), "the claim is unchanged");
    }

    [Test]
    public async Task Should_let_anyone_take_over_a_claim_that_ran_out(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(552);
        var first = Claim("bus:552");
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:552", first), Now, cancellationToken);
        var key = KeyOf(phone, pending);
        var expired = Now + Lease;
        var sweeper = Claim("sweeper:552");

        Assert.That(await Outbox.TryClaimAsync(key, sweeper, expired, cancellationToken), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Outbox.TryClaimAsync(key, Claim("sweeper:other"), expired, cancellationToken), Is.False, "the new claim holds");
            Assert.That(await Outbox.TryClaimAsync(key, first, expired, cancellationToken), Is.False, "the first delivery lost it");
            Assert.That(await DueAsync(expired + Lease, cancellationToken), Is.EqualTo(new[]
            {
                new PendingEntry(Account, phone.E164, pending with { ClaimMessage = "sweeper:552", ClaimDelivery = sweeper.Delivery, ClaimedUntil = expired + Lease }),
            }));
        }
    }

    [Test]
    public async Task Should_let_a_redelivery_of_the_holding_message_take_over_its_live_claim(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(553);
        var died = Claim("bus:553");
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:553", died), Now, cancellationToken);
        var key = KeyOf(phone, pending);
        var redelivered = Claim("bus:553", redelivered: true);

        Assert.That(await Outbox.TryClaimAsync(key, redelivered, Now.AddSeconds(5), cancellationToken), Is.True);

        Assert.That(await Outbox.TryClaimAsync(key, died, Now.AddSeconds(6), cancellationToken), Is.False, "the dead consumer's delivery lost it");
        Assert.That(await Outbox.TryClaimAsync(key, redelivered, Now.AddSeconds(7), cancellationToken), Is.True, "its own retry retakes it");
    }

    [Test]
    public async Task Should_not_let_a_redelivery_of_another_message_take_a_live_claim(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(554);
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:554", Claim("bus:554")), Now, cancellationToken);

        var taken = await Outbox.TryClaimAsync(KeyOf(phone, pending), Claim("bus:554-copy", redelivered: true), Now.AddSeconds(5), cancellationToken);

        Assert.That(taken, Is.False);
        Assert.That(await DueAsync(Now + Lease, cancellationToken), Is.EqualTo(new[] { new PendingEntry(Account, phone.E164, pending) }));
    }

    [Test]
    public async Task Should_not_claim_without_an_entry_of_that_causation(CancellationToken cancellationToken)
    {
        var (claimed, unclaimed) = (TestPhones.Us(555), TestPhones.Us(556));
        await TransitionAsync(Claimed(claimed, OptState.OptedOut, Now.AddMinutes(-1), "inbound:555", Claim("bus:555")), Now, cancellationToken);
        await Service.ApplyAsync(Change(unclaimed, OptState.OptedOut, Now.AddMinutes(-1), "bulk:556"), cancellationToken);
        var expired = Now + Lease;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Outbox.TryClaimAsync(new PendingKey(Account, claimed.E164, "inbound:other"), Claim("bus:x"), expired, cancellationToken), Is.False,
                "another causation");
            Assert.That(await Outbox.TryClaimAsync(new PendingKey(Account, unclaimed.E164, "bulk:556"), Claim("bus:x"), expired, cancellationToken), Is.False,
                "a record without pending events");
            Assert.That(await Outbox.TryClaimAsync(new PendingKey(Account, TestPhones.Us(557).E164, "inbound:557"), Claim("bus:x"), expired, cancellationToken),
                Is.False, "no record");
            Assert.That(await Outbox.TryClaimAsync(new PendingKey(Guid.NewGuid(), claimed.E164, "inbound:555"), Claim("bus:x"), expired, cancellationToken),
                Is.False, "another account");
        }

        Assert.That((await DueAsync(expired, cancellationToken)).Select(e => e.Events.ClaimMessage), Is.EqualTo(new[] { "bus:555" }), "no claim was taken");
    }

    [Test]
    public async Task Should_let_exactly_one_of_20_concurrent_claimers_take_an_expired_claim(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(560);
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:560", Claim("bus:560")), Now, cancellationToken);
        var key = KeyOf(phone, pending);
        var expired = Now + Lease + TimeSpan.FromSeconds(1);
        var claimers = Enumerable.Range(0, 20).Select(i => Claim($"sweeper:{i}")).ToList();

        var taken = await Task.WhenAll(claimers.Select(c => Task.Run(() => Outbox.TryClaimAsync(key, c, expired, cancellationToken), cancellationToken)));

        Assert.That(taken.Count(t => t), Is.EqualTo(1));
        var winner = claimers[Array.IndexOf(taken, true)];
        var due = await DueAsync(expired + Lease, cancellationToken);
        Assert.That(due.Select(e => (e.Events.ClaimMessage, e.Events.ClaimDelivery)), Is.EqualTo(new[] { (winner.MessageId, winner.Delivery) }));
    }

    // ---------------------------------------------------------------- the sweeper's due list and versions

    [Test]
    public async Task Should_list_due_entries_of_every_account_oldest_claim_first(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        var mineLater = await TransitionAsync(ClaimedAt(TestPhones.Us(570), "inbound:570", TimeSpan.FromMinutes(3)), LongAgo, cancellationToken);
        var theirsFirst = await TransitionAsync(ClaimedAt(TestPhones.Us(571), "inbound:571", TimeSpan.FromMinutes(1), other), LongAgo, cancellationToken);
        var mineSecond = await TransitionAsync(ClaimedAt(TestPhones.Us(572), "inbound:572", TimeSpan.FromMinutes(2)), LongAgo, cancellationToken);
        await TransitionAsync(ClaimedAt(TestPhones.Us(573), "inbound:573", TimeSpan.FromMinutes(10), other), LongAgo, cancellationToken);
        var now = LongAgo.AddMinutes(5);

        var due = await Outbox.ListDueAsync(now, 10, cancellationToken);
        var firstTwo = await Outbox.ListDueAsync(now, 2, cancellationToken);

        PendingEntry[] expected =
        [
            new(other, TestPhones.Us(571).E164, theirsFirst),
            new(Account, TestPhones.Us(572).E164, mineSecond),
            new(Account, TestPhones.Us(570).E164, mineLater),
        ];
        Assert.That(due, Is.EqualTo(expected), "the live claim (10 minutes) is not due");
        Assert.That(firstTwo, Is.EqualTo(expected[..2]));
    }

    [Test]
    public void Should_reject_a_due_list_limit_below_one()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Outbox.ListDueAsync(Now, 0));
    }

    [Test]
    public async Task Should_leave_the_version_as_it_is_when_claiming_and_marking(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(580);
        var pending = await TransitionAsync(Claimed(phone, OptState.OptedOut, Now.AddMinutes(-10), "inbound:580", Claim("bus:580")), Now, cancellationToken);
        var read = await Store.FindAsync(Account, phone.E164, cancellationToken);
        // Decided against version 1 before the claim: it must still win its compare-and-swap after it.
        var advance = OptOutStateMachine.Decide(read, Change(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:580b"), Now);

        Assert.That(await Outbox.TryClaimAsync(KeyOf(phone, pending), Claim("sweeper:580"), Now + Lease, cancellationToken), Is.True);
        Assert.That(await Store.TryWriteAsync(advance.Write!, cancellationToken), Is.True, "the claim left version 1");
        await Outbox.MarkSentAsync([KeyOf(phone, pending)], cancellationToken);

        var after = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That((after!.Version, after.StateAt), Is.EqualTo((2L, advance.Record!.StateAt)), "the mark left version 2");
        Assert.That(await DueAsync(Now + 2 * Lease, cancellationToken), Is.Empty);
    }

    // ---------------------------------------------------------------- helpers

    private static PublishClaim Claim(string messageId, bool redelivered = false, TimeSpan? lease = null) =>
        new(messageId, Guid.NewGuid(), redelivered, lease ?? Lease);

    private OptChange Claimed(PhoneNumber phone, OptState state, DateTimeOffset at, string causationId, PublishClaim claim,
        ConfirmationTarget? reply = null, AccountId? account = null) =>
        Change(phone, state, at, causationId, account: account) with { Claim = claim, Reply = reply };

    /// <summary>An opt-out at <see cref="LongAgo"/> whose claim runs out <paramref name="lease"/> later.</summary>
    private OptChange ClaimedAt(PhoneNumber phone, string causationId, TimeSpan lease, AccountId? account = null) =>
        Claimed(phone, OptState.OptedOut, LongAgo.AddMinutes(-1), causationId, Claim("bus:" + causationId, lease: lease), Reply, account);

    /// <summary>Decides <paramref name="change"/> (a claimed transition) against the stored record at <paramref name="now"/> and writes it; its pending events.</summary>
    private async Task<PendingEvents> TransitionAsync(OptChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = await Store.FindAsync(change.AccountId, change.Phone.E164, cancellationToken);
        var decision = OptOutStateMachine.Decide(current, change, now);
        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed), change.CausationId);
        Assert.That(await Store.TryWriteAsync(decision.Write!, cancellationToken), Is.True, change.CausationId);
        Assert.That(decision.Write!.Pending, Is.Not.Null, change.CausationId);
        return decision.Write.Pending!;
    }

    private PendingKey KeyOf(PhoneNumber phone, PendingEvents pending) => new(Account, phone.E164, pending.CausationId);

    /// <summary>This test's account's due entries (other specs' entries, of other accounts, may be due too).</summary>
    private async Task<List<PendingEntry>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        [.. (await Outbox.ListDueAsync(now, 1_000, cancellationToken)).Where(e => e.AccountId == Account)];
}
