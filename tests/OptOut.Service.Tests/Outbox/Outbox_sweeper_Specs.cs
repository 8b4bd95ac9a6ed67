using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;
using OptOut.Service.Messaging;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Outbox;

/// <summary>
/// Events left pending with no message to re-send them (an admin write whose instance died, a message that went to
/// its error queue): the sweeper publishes them from the store once their claim ran out, with the ids they first had.
/// The entries are written straight into the harness's SQLite store, as the instance that died left them.
/// </summary>
[TestFixture]
public class When_a_change_is_left_unannounced
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private const string Number = "+15552019001";

    private FakeTimeProvider _clock = null!;
    private ServiceHarness _service = null!;
    private AccountId _account;

    [SetUp]
    public async Task Start()
    {
        _clock = new FakeTimeProvider(Now);
        _service = await ServiceHarness.StartAsync(_clock);
        _account = AccountId.Parse("sweep-" + Guid.NewGuid().ToString("N")[..10]);
    }

    [TearDown]
    public async Task Stop() => await _service.DisposeAsync();

    private IOptOutStore Store => _service.Services.GetRequiredService<IOptOutStore>();

    private IOutbox Outbox => _service.Services.GetRequiredService<IOutbox>();

    private OutboxSweeper Sweeper() => new(Outbox, Store, _service.Services.GetRequiredService<EventPublisher>(), _service.Bus,
        _service.Services.GetRequiredService<PublishClaims>(), Options.Create(new OutboxOptions()), _clock, NullLogger<OutboxSweeper>.Instance);

    // What a consumer that died after the store write left: the transition, its pending events and the dead delivery's claim.
    private async Task<OptChange> LeaveStopAsync(string causationId, int minute = 0)
    {
        var change = new OptChange
        {
            AccountId = _account, Phone = PhoneNumber.FromStored(Number, true), State = OptState.OptedOut, Source = OptOutSource.Keyword,
            At = Now.AddMinutes(-10 + minute), CausationId = causationId, Actor = "contact", Note = "Contact texted \"STOP\"", ConversationId = "conv-1",
            Reply = new ConfirmationTarget(Messages.OurNumber, "You are opted out.", ConfirmationKind.OptOut, "en"),
            Claim = new PublishClaim("dead-delivery", Guid.NewGuid(), false, Lease),
        };
        var current = await Store.FindAsync(_account, Number);
        Assert.That(await Store.TryWriteAsync(OptOutStateMachine.Decide(current, change, _clock.GetUtcNow()).Write!), Is.True);
        return change;
    }

    [Test]
    public async Task Should_publish_its_events_once_with_the_ids_they_first_had()
    {
        var stop = await LeaveStopAsync("inbound:SM-left-1");
        _clock.Advance(Lease);

        var sent = await Sweeper().SweepAsync(CancellationToken.None);
        await _service.Quiet();
        var again = await Sweeper().SweepAsync(CancellationToken.None);

        var changes = _service.PublishedContexts<ConversationOptStateChanged>().Where(c => c.Context.Message.AccountId == _account).ToList();
        var confirmations = _service.PublishedContexts<ConfirmationMessageRequested>().Where(c => c.Context.Message.AccountId == _account).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(1));
            Assert.That(again, Is.Zero, "marked sent: the next sweep finds nothing");
            Assert.That(changes.Select(c => c.Context.MessageId), Is.EqualTo(new Guid?[] { MessageIds.Derive(stop.CausationId, Number, "state") }));
            Assert.That(changes.Single().Context.Message.Note, Is.EqualTo(stop.Note), "rebuilt from the stored transition");
            Assert.That(changes.Single().Context.Message.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(changes.Single().Context.Message.ChangedAt, Is.EqualTo(stop.At));
            Assert.That(confirmations.Select(c => c.Context.MessageId), Is.EqualTo(new Guid?[] { MessageIds.Derive(stop.CausationId, Number, "confirmation") }));
            Assert.That(confirmations.Single().Context.Message.Body, Is.EqualTo("You are opted out."));
            Assert.That(confirmations.Single().Context.Message.From, Is.EqualTo(Messages.OurNumber));
        });
    }

    [Test]
    public async Task Should_leave_events_whose_claim_still_holds()
    {
        await LeaveStopAsync("inbound:SM-left-2");
        _clock.Advance(Lease - TimeSpan.FromSeconds(1));

        var sent = await Sweeper().SweepAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.Zero, "the publisher may still be alive");
            Assert.That(_service.Published<ConversationOptStateChanged>(m => m.AccountId == _account), Is.Empty);
        });
    }

    [Test]
    public async Task Should_drop_the_events_of_a_transition_a_newer_one_superseded()
    {
        await LeaveStopAsync("inbound:SM-left-3");
        // A bulk undo opts the number back in: its own dispatch announces that, and it stores no pending events.
        var undo = new OptChange
        {
            AccountId = _account, Phone = PhoneNumber.FromStored(Number, true), State = OptState.OptedIn, Source = OptOutSource.BulkUpload,
            At = Now.AddMinutes(-5), CausationId = "bulk:undo", Actor = "admin@example.com",
        };
        Assert.That(await Store.TryWriteAsync(OptOutStateMachine.Decide(await Store.FindAsync(_account, Number), undo, Now).Write!), Is.True);
        _clock.Advance(Lease);

        var sent = await Sweeper().SweepAsync(CancellationToken.None);

        var left = (await Outbox.ListDueAsync(DateTimeOffset.MaxValue, 1000)).Where(e => e.AccountId == _account);
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.Zero);
            Assert.That(_service.Published<ConversationOptStateChanged>(m => m.AccountId == _account), Is.Empty, "an opt-out announced after its undo would be wrong");
            Assert.That(left, Is.Empty, "the stale entry is deleted");
        });
    }

    [Test]
    public async Task Should_publish_once_when_two_instances_sweep_at_the_same_time()
    {
        await LeaveStopAsync("inbound:SM-left-4");
        _clock.Advance(Lease);

        var sent = await Task.WhenAll(Sweeper().SweepAsync(CancellationToken.None), Sweeper().SweepAsync(CancellationToken.None));
        await _service.Quiet();

        Assert.Multiple(() =>
        {
            Assert.That(sent.Sum(), Is.EqualTo(1), "one claim wins");
            Assert.That(_service.Published<ConversationOptStateChanged>(m => m.AccountId == _account), Has.Count.EqualTo(1));
            Assert.That(_service.Published<ConfirmationMessageRequested>(m => m.AccountId == _account), Has.Count.EqualTo(1));
        });
    }
}
