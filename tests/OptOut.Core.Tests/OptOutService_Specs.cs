using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Core.Tests;

[TestFixture]
public class When_the_service_applies_changes
{
    private InMemoryOptOutStore _store = null!;
    private OptOutService _service = null!;

    [SetUp]
    public void Create_the_service()
    {
        _store = new InMemoryOptOutStore();
        _service = new OptOutService(_store, new FakeTimeProvider(Changes.Now));
    }

    [Test]
    public async Task Should_store_the_first_stop()
    {
        var decision = await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        var stored = await _store.FindAsync(Changes.AccountId, "+12015550123");
        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(stored, Is.Not.Null);
            Assert.That(stored!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(stored.UpdatedAt, Is.EqualTo(Changes.Now));
            Assert.That(stored.History, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_store_a_number_never_seen_without_reading_it()
    {
        var decision = await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(_store.Reads, Is.Zero);
            Assert.That(_store.Writes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_read_and_decide_when_the_insert_finds_the_number_stored()
    {
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        var second = await _service.ApplyAsync(Changes.Stop(1, "inbound:SM2"));

        Assert.Multiple(() =>
        {
            Assert.That(second.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(_store.Reads, Is.EqualTo(1));
            Assert.That(_store.RejectedWrites, Is.EqualTo(1), "the insert tried first, refused: the number is stored");
            Assert.That(second.Record!.History, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_change_nothing_on_a_second_stop()
    {
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        var decision = await _service.ApplyAsync(Changes.Stop(5, "inbound:SM2"));

        var stored = await _store.FindAsync(Changes.AccountId, "+12015550123");
        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(stored!.History, Has.Count.EqualTo(1));
            Assert.That(stored.StateAt, Is.EqualTo(Changes.At(5)));
        });
    }

    [Test]
    public async Task Should_replay_a_redelivered_message_without_writing()
    {
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));
        var writes = _store.Writes;

        var decision = await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Replayed));
            Assert.That(_store.Writes, Is.EqualTo(writes));
        });
    }

    [Test]
    public async Task Should_store_the_history_the_state_machine_decided()
    {
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));
        var decision = await _service.ApplyAsync(Changes.OptIn(3, "request:r1"));

        var stored = await _store.FindAsync(Changes.AccountId, "+12015550123");
        Assert.That(stored!.History, Is.EqualTo(decision.Record!.History));
    }

    [Test]
    public async Task Should_keep_accounts_apart()
    {
        AccountId otherAccount = Guid.NewGuid();
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        var decision = await _service.ApplyAsync(Changes.OptIn(3, "request:r1") with { AccountId = otherAccount });

        Assert.Multiple(async () =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That((await _store.FindAsync(Changes.AccountId, "+12015550123"))!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That((await _store.FindAsync(otherAccount, "+12015550123"))!.State, Is.EqualTo(OptState.OptedIn), "its own record, untouched by the other account");
        });
    }
}

[TestFixture]
public class When_an_event_time_is_ahead_of_the_clock
{
    private InMemoryOptOutStore _store = null!;
    private FakeTimeProvider _clock = null!;
    private OptOutService _service = null!;

    [SetUp]
    public void Create_the_service()
    {
        _store = new InMemoryOptOutStore();
        _clock = new FakeTimeProvider(Changes.Now);
        _service = new OptOutService(_store, _clock);
    }

    [Test]
    public async Task Should_treat_a_time_too_far_ahead_as_now()
    {
        var decision = await _service.ApplyAsync(Changes.Stop(0, "inbound:SM1") with { At = Changes.Now.AddHours(6) });

        Assert.Multiple(() =>
        {
            Assert.That(decision.Record!.StateAt, Is.EqualTo(Changes.Now));
            Assert.That(decision.Record.CreatedAt, Is.EqualTo(Changes.Now));
            Assert.That(decision.Record.History[0].At, Is.EqualTo(Changes.Now));
        });
    }

    [Test]
    public async Task Should_clamp_just_past_the_allowed_skew()
    {
        var decision = await _service.ApplyAsync(
            Changes.Stop(0, "inbound:SM1") with { At = Changes.Now + OptOutService.MaxClockSkew + TimeSpan.FromTicks(1) });

        Assert.That(decision.Record!.StateAt, Is.EqualTo(Changes.Now));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(5)]
    public async Task Should_keep_a_time_within_the_allowed_skew(int minutesAhead)
    {
        var at = Changes.Now.AddMinutes(minutesAhead);

        var decision = await _service.ApplyAsync(Changes.Stop(0, "inbound:SM1") with { At = at });

        Assert.That(decision.Record!.StateAt, Is.EqualTo(at));
    }

    [Test]
    public async Task Should_let_a_later_opt_in_win_over_a_stop_from_the_far_future()
    {
        await _service.ApplyAsync(Changes.Stop(0, "inbound:SM1") with { At = Changes.Now.AddYears(10) });
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = await _service.ApplyAsync(Changes.OptIn(0, "request:r1") with { At = _clock.GetUtcNow() });

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedIn));
        });
    }
}

[TestFixture]
public class When_another_writer_wins_the_race
{
    private InMemoryOptOutStore _store = null!;
    private OptOutService _service = null!;

    [SetUp]
    public void Create_the_service()
    {
        _store = new InMemoryOptOutStore();
        _service = new OptOutService(_store, new FakeTimeProvider(Changes.Now));
    }

    [Test]
    public async Task Should_read_again_and_decide_on_what_the_other_writer_stored()
    {
        // Another instance inserts the same number between this one's read and its write.
        var raced = false;
        _store.BeforeWrite = _ =>
        {
            if (raced)
                return;
            raced = true;
            _store.Put(OptOutStateMachine.Decide(null, Changes.Stop(0, "inbound:SM0"), Changes.Now).Record!);
        };

        var decision = await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));

        var stored = await _store.FindAsync(Changes.AccountId, "+12015550123");
        Assert.Multiple(() =>
        {
            Assert.That(_store.RejectedWrites, Is.EqualTo(1));
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(stored!.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:SM0" }));
            Assert.That(stored.StateAt, Is.EqualTo(Changes.At(1)));
            Assert.That(stored.Version, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Should_let_a_newer_stop_that_got_there_first_supersede_an_opt_in()
    {
        await _service.ApplyAsync(Changes.Stop(1, "inbound:SM1"));
        var raced = false;
        _store.BeforeWrite = _ =>
        {
            if (raced)
                return;
            raced = true;
            var current = _store.FindAsync(Changes.AccountId, "+12015550123").Result;
            _store.Put(OptOutStateMachine.Decide(current, Changes.Stop(5, "inbound:SM2"), Changes.Now).Record!);
        };

        var decision = await _service.ApplyAsync(Changes.OptIn(3, "request:r1"));

        Assert.Multiple(async () =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That((await _store.FindAsync(Changes.AccountId, "+12015550123"))!.State, Is.EqualTo(OptState.OptedOut));
        });
    }

    [Test]
    public void Should_give_up_after_repeated_conflicts_without_logging_the_number()
    {
        // Every time, another writer opts the number back in (older, but a new version) just before this write.
        var attempts = 0;
        _store.BeforeWrite = write =>
        {
            attempts++;
            _store.Put(write.Record with
            {
                State = OptState.OptedIn,
                StateAt = Changes.At(0),
                History = [],
                Version = write.ExpectedVersion + 1,
            });
        };

        var exception = Assert.ThrowsAsync<ConcurrencyConflictException>(() => _service.ApplyAsync(Changes.Stop(1, "inbound:SM1")));

        Assert.Multiple(() =>
        {
            // The insert tried first (the number looked unseen), then 50 rounds of read, decide, write.
            Assert.That(attempts, Is.EqualTo(51));
            Assert.That(exception!.Message, Does.Contain("0123"));
            Assert.That(exception.Message, Does.Not.Contain("2015550123"));
        });
    }
}

/// <summary>Changes decided against records read in bulk (a bulk upload's batch, an undo's page) go through the same loop.</summary>
[TestFixture]
public class When_the_service_writes_changes_decided_elsewhere
{
    private static readonly PhoneNumber Other = PhoneNumber.FromStored("+12015550199", true);

    private InMemoryOptOutStore _store = null!;
    private OptOutService _service = null!;

    [SetUp]
    public void Create_the_service()
    {
        _store = new InMemoryOptOutStore();
        _service = new OptOutService(_store, new FakeTimeProvider(Changes.Now));
    }

    [Test]
    public async Task Should_write_them_as_decided_without_reading()
    {
        var decided = Decided(Changes.Stop(1, "bulk:u1"), Changes.Stop(1, "bulk:u1", Other));

        var written = await _service.WriteDecidedAsync(decided);

        Assert.Multiple(() =>
        {
            Assert.That(written.Select(d => d.Decision.Kind), Is.EqualTo(new[] { ChangeKind.Changed, ChangeKind.Changed }));
            Assert.That((_store.Writes, _store.Reads), Is.EqualTo((2, 0)));
        });
    }

    [Test]
    public async Task Should_apply_one_that_lost_its_race_again_against_what_the_winner_stored()
    {
        var decided = Decided(Changes.Stop(1, "bulk:u1"), Changes.Stop(1, "bulk:u1", Other));
        // A newer opt-in lands on the first number between the decision and the write.
        await _service.ApplyAsync(Changes.OptIn(10, "api:racer"));

        var written = await _service.WriteDecidedAsync(decided);

        Assert.Multiple(async () =>
        {
            Assert.That(written.Select(d => d.Decision.Kind), Is.EqualTo(new[] { ChangeKind.Superseded, ChangeKind.Changed }));
            Assert.That((await _store.FindAsync(Changes.AccountId, Changes.ValidNumber.E164))!.State, Is.EqualTo(OptState.OptedIn));
        });
    }

    [Test]
    public async Task Should_not_call_the_store_when_no_decision_writes()
    {
        await _service.ApplyAsync(Changes.Stop(0, "inbound:SM1"));
        var record = await _store.FindAsync(Changes.AccountId, Changes.ValidNumber.E164);
        var change = Changes.Stop(0, "inbound:SM1");
        var decided = new List<(OptChange Change, OptDecision Decision)> { (change, OptOutStateMachine.Decide(record, change, Changes.Now)) };
        var writes = _store.Writes;

        var written = await _service.WriteDecidedAsync(decided);

        Assert.Multiple(() =>
        {
            Assert.That(decided[0].Decision.Write, Is.Null, "a redelivery changes nothing");
            Assert.That(written.Single().Decision.Kind, Is.EqualTo(ChangeKind.Replayed).Or.EqualTo(ChangeKind.Unchanged));
            Assert.That(_store.Writes, Is.EqualTo(writes));
        });
    }

    [TestCase(6, 0)]
    [TestCase(5, 5)]
    [TestCase(-60, -60)]
    public void Should_clamp_only_an_event_time_more_than_the_allowed_skew_ahead(int minutesAhead, int expectedMinutes) =>
        Assert.That(OptOutService.ClampEventTime(Changes.Now.AddMinutes(minutesAhead), Changes.Now), Is.EqualTo(Changes.Now.AddMinutes(expectedMinutes)));

    private static List<(OptChange Change, OptDecision Decision)> Decided(params OptChange[] changes) =>
        [.. changes.Select(c => (c, OptOutStateMachine.Decide(null, c, Changes.Now)))];
}
