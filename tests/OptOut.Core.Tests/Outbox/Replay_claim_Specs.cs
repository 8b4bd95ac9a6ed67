using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core.Outbox;

namespace OptOut.Core.Tests.Outbox;

/// <summary>
/// A transition stores its events as pending with its claim, and a replay of it (a duplicate, a retry, a redelivery)
/// publishes again only when it takes the claim: <see cref="ChangeKind.Replayed"/>; otherwise
/// <see cref="ChangeKind.AlreadyAnnounced"/>, which publishes nothing.
/// </summary>
[TestFixture]
public class When_a_change_with_a_claim_is_replayed
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly ConfirmationTarget Confirmation = new("+15559870000", "You are opted out. Reply START to resubscribe.");

    private InMemoryOptOutStore _store = null!;
    private FakeTimeProvider _clock = null!;
    private SentMarks _marks = null!;
    private OptOutService _service = null!;

    [SetUp]
    public void Create_the_service()
    {
        _store = new InMemoryOptOutStore();
        _clock = new FakeTimeProvider(Changes.Now);
        _marks = new SentMarks(_store);
        _service = new OptOutService(_store, _clock, _marks);
    }

    [TearDown]
    public async Task Stop_the_marks() => await _marks.DisposeAsync();

    private static PublishClaim Delivery(string messageId = "m1", bool redelivered = false) => new(messageId, Guid.NewGuid(), redelivered, Lease);

    private static OptChange Stop(PublishClaim? claim) => Changes.Stop(1, "inbound:SM1") with { Claim = claim, Reply = Confirmation };

    [Test]
    public async Task Should_store_the_events_of_a_transition_with_its_claim_and_reply()
    {
        var claim = Delivery();
        var decision = await _service.ApplyAsync(Stop(claim));

        var pending = _store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164);
        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(pending, Is.EqualTo(new PendingEvents("inbound:SM1", Confirmation, "m1", claim.Delivery, Changes.Now + Lease)));
        });
    }

    [Test]
    public async Task Should_store_nothing_pending_for_a_change_without_a_claim()
    {
        await _service.ApplyAsync(Stop(claim: null));

        Assert.That(_store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164), Is.Null);
    }

    [Test]
    public async Task Should_publish_again_on_a_retry_of_the_same_delivery()
    {
        var claim = Delivery();
        await _service.ApplyAsync(Stop(claim));

        var retried = await _service.ApplyAsync(Stop(claim));

        Assert.That(retried.Kind, Is.EqualTo(ChangeKind.Replayed));
    }

    [Test]
    public async Task Should_publish_nothing_for_a_copy_while_the_first_delivery_holds_the_claim()
    {
        await _service.ApplyAsync(Stop(Delivery("m1")));

        var copy = await _service.ApplyAsync(Stop(Delivery("m2")));

        Assert.Multiple(() =>
        {
            Assert.That(copy.Kind, Is.EqualTo(ChangeKind.AlreadyAnnounced));
            Assert.That(copy.Publishes, Is.False);
            Assert.That(copy.OutcomeFor(OptState.OptedOut), Is.EqualTo(OptOutOutcome.OptedOut), "a request still reports the number opted out");
        });
    }

    [Test]
    public async Task Should_publish_again_from_a_copy_once_the_claim_ran_out()
    {
        await _service.ApplyAsync(Stop(Delivery("m1")));
        _clock.Advance(Lease);

        var copy = await _service.ApplyAsync(Stop(Delivery("m2")));

        Assert.That(copy.Kind, Is.EqualTo(ChangeKind.Replayed));
    }

    [Test]
    public async Task Should_publish_again_from_a_redelivery_of_the_message_that_holds_the_claim()
    {
        await _service.ApplyAsync(Stop(Delivery("m1")));

        var redelivered = await _service.ApplyAsync(Stop(Delivery("m1", redelivered: true)));
        var otherRedelivered = await _service.ApplyAsync(Stop(Delivery("m2", redelivered: true)));

        Assert.Multiple(() =>
        {
            Assert.That(redelivered.Kind, Is.EqualTo(ChangeKind.Replayed), "its consumer died: the broker hands it on");
            Assert.That(otherRedelivered.Kind, Is.EqualTo(ChangeKind.AlreadyAnnounced), "a redelivered copy of another message doesn't own the claim");
        });
    }

    [Test]
    public async Task Should_publish_nothing_once_the_events_were_marked_sent()
    {
        var claim = Delivery("m1");
        await _service.ApplyAsync(Stop(claim));
        _marks.Add(PendingKey.Of(Stop(claim)));
        await WaitForMarksAsync();
        _clock.Advance(Lease * 2);

        var copy = await _service.ApplyAsync(Stop(Delivery("m2", redelivered: true)));
        var retry = await _service.ApplyAsync(Stop(claim));

        Assert.Multiple(() =>
        {
            Assert.That(_store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164), Is.Null);
            Assert.That(copy.Kind, Is.EqualTo(ChangeKind.AlreadyAnnounced));
            Assert.That(retry.Kind, Is.EqualTo(ChangeKind.AlreadyAnnounced), "even the delivery that sent them");
        });
    }

    [Test]
    public async Task Should_publish_nothing_while_the_mark_of_confirmed_events_is_still_unwritten()
    {
        var blocking = new BlockingOutbox(_store);
        var marks = new SentMarks(blocking);
        var service = new OptOutService(_store, _clock, marks);
        var claim = Delivery("m1");
        await service.ApplyAsync(Stop(claim));

        marks.Add(PendingKey.Of(Stop(claim)));
        var retry = await service.ApplyAsync(Stop(claim));
        var claimsBefore = _store.ClaimCalls;
        blocking.Release.SetResult();
        await marks.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(retry.Kind, Is.EqualTo(ChangeKind.AlreadyAnnounced), "the retry of a delivery whose events were confirmed");
            Assert.That(claimsBefore, Is.Zero, "decided in memory, without a claim");
            Assert.That(_store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164), Is.Null, "the mark is written once the store answers");
        });
    }

    [Test]
    public async Task Should_publish_every_replay_without_an_outbox()
    {
        var service = new OptOutService(_store, _clock);
        await service.ApplyAsync(Stop(Delivery("m1")));

        var copy = await service.ApplyAsync(Stop(Delivery("m2")));

        Assert.That(copy.Kind, Is.EqualTo(ChangeKind.Replayed));
    }

    [Test]
    public async Task Should_keep_the_entry_on_a_clock_advance_and_replace_it_on_the_next_transition()
    {
        var first = Delivery("m1");
        await _service.ApplyAsync(Stop(first));
        await _service.ApplyAsync(Changes.Stop(5, "inbound:SM2") with { Claim = Delivery("m2") });
        var afterAdvance = _store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164);

        await _service.ApplyAsync(Changes.OptIn(10, "request:1") with { Claim = Delivery("m3") });
        var afterOptIn = _store.PendingOf(Changes.AccountId, Changes.ValidNumber.E164);

        Assert.Multiple(() =>
        {
            Assert.That(afterAdvance?.CausationId, Is.EqualTo("inbound:SM1"), "a later STOP of an opted-out number is no transition");
            Assert.That(afterOptIn?.CausationId, Is.EqualTo("request:1"));
            Assert.That(afterOptIn?.Reply, Is.Null);
        });
    }

    private async Task WaitForMarksAsync()
    {
        for (var i = 0; i < 200 && _marks.Unwritten > 0; i++)
            await Task.Delay(10);
        Assert.That(_marks.Unwritten, Is.Zero, "the marks were written");
    }

    /// <summary>An outbox whose marks wait until the spec releases them.</summary>
    private sealed class BlockingOutbox(IOutbox inner) : IOutbox
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            inner.TryClaimAsync(key, claim, now, cancellationToken);

        public async Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken = default)
        {
            await Release.Task;
            await inner.MarkSentAsync(keys, cancellationToken);
        }

        public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
            inner.ListDueAsync(now, limit, cancellationToken);
    }
}
