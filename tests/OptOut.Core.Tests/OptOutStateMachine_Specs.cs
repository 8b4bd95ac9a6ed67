using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Core.Tests;

/// <summary>Builds changes at minute offsets and plays them through the state machine like a store would.</summary>
internal static class Changes
{
    public static readonly AccountId AccountId = Guid.Parse("0b7e6c1a-3f0d-4e7b-9c59-8a1d2e3f4a5b");

    public static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>When the service records decisions: after every event time used here.</summary>
    public static readonly DateTimeOffset Now = T0.AddHours(1);

    public static readonly PhoneNumber ValidNumber = new("+12015550123", isValid: true);

    public static readonly PhoneNumber UnassignedNumber = new("+15552011234", isValid: false);

    public static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    public static OptChange Stop(int minute, string causationId, PhoneNumber? phone = null) => new()
    {
        AccountId = AccountId,
        Phone = phone ?? ValidNumber,
        State = OptState.OptedOut,
        Source = OptOutSource.Keyword,
        At = At(minute),
        CausationId = causationId,
        Actor = "contact",
        Note = "Texted STOP",
        ConversationId = "conv-1",
        CampaignId = "camp-1",
    };

    public static OptChange OptIn(int minute, string causationId, PhoneNumber? phone = null) => new()
    {
        AccountId = AccountId,
        Phone = phone ?? ValidNumber,
        State = OptState.OptedIn,
        Source = OptOutSource.Manual,
        At = At(minute),
        CausationId = causationId,
        Actor = "admin@example.com",
        Note = "Deleted by admin@example.com",
    };

    /// <summary>Decides a change and, like a store, keeps what the decision wrote.</summary>
    public static OptDecision Apply(ref OptOutRecord? record, OptChange change)
    {
        var decision = OptOutStateMachine.Decide(record, change, Now);
        if (decision.Write is not null)
        {
            Assert.That(decision.Write.ExpectedVersion, Is.EqualTo(record?.Version ?? 0), "a write must expect the version it read");
            record = decision.Write.Record;
        }

        return decision;
    }

    public static OptOutRecord? Play(params OptChange[] changes)
    {
        OptOutRecord? record = null;
        foreach (var change in changes)
            Apply(ref record, change);
        return record;
    }
}

[TestFixture]
public class When_a_number_sends_its_first_stop
{
    private OptDecision _decision = null!;

    [SetUp]
    public void Decide() => _decision = OptOutStateMachine.Decide(null, Changes.Stop(1, "inbound:SM1"), Changes.Now);

    [Test]
    public void Should_change_the_state_and_publish()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(_decision.Publishes, Is.True);
            Assert.That(_decision.OutcomeFor(OptState.OptedOut), Is.EqualTo(OptOutOutcome.OptedOut));
        });
    }

    [Test]
    public void Should_create_an_opted_out_record()
    {
        var record = _decision.Record!;

        Assert.Multiple(() =>
        {
            Assert.That(record.AccountId, Is.EqualTo(Changes.AccountId));
            Assert.That(record.Phone, Is.EqualTo("+12015550123"));
            Assert.That(record.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.Note, Is.EqualTo("Texted STOP"));
            Assert.That(record.Actor, Is.EqualTo("contact"));
            Assert.That(record.StateAt, Is.EqualTo(Changes.At(1)));
            Assert.That(record.CreatedAt, Is.EqualTo(Changes.At(1)));
            Assert.That(record.UpdatedAt, Is.EqualTo(Changes.Now));
            Assert.That(record.Flagged, Is.False);
            Assert.That(record.Version, Is.EqualTo(1));
        });
    }

    [Test]
    public void Should_insert_expecting_no_record()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_decision.Write, Is.Not.Null);
            Assert.That(_decision.Write!.ExpectedVersion, Is.EqualTo(0));
            Assert.That(_decision.Write.Record, Is.SameAs(_decision.Record));
        });
    }

    [Test]
    public void Should_record_the_transition_in_the_history()
    {
        var entry = _decision.Write!.Appended!;

        Assert.Multiple(() =>
        {
            Assert.That(_decision.Record!.History, Is.EqualTo(new[] { entry }));
            Assert.That(entry.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(entry.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(entry.At, Is.EqualTo(Changes.At(1)));
            Assert.That(entry.RecordedAt, Is.EqualTo(Changes.Now));
            Assert.That(entry.CausationId, Is.EqualTo("inbound:SM1"));
            Assert.That(entry.Actor, Is.EqualTo("contact"));
            Assert.That(entry.Note, Is.EqualTo("Texted STOP"));
            Assert.That(entry.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(entry.CampaignId, Is.EqualTo("camp-1"));
        });
    }
}

[TestFixture]
public class When_an_opted_out_number_sends_stop_again
{
    private OptOutRecord _record = null!;

    [SetUp]
    public void Opt_out() => _record = Changes.Play(Changes.Stop(1, "inbound:SM1"))!;

    [Test]
    public void Should_not_change_the_state_or_publish()
    {
        var decision = OptOutStateMachine.Decide(_record, Changes.Stop(5, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(decision.Publishes, Is.False);
            Assert.That(decision.OutcomeFor(OptState.OptedOut), Is.EqualTo(OptOutOutcome.AlreadyOptedOut));
        });
    }

    [Test]
    public void Should_add_no_history_entry()
    {
        var decision = OptOutStateMachine.Decide(_record, Changes.Stop(5, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Write?.Appended, Is.Null);
            Assert.That(decision.Record!.History, Has.Count.EqualTo(1));
            Assert.That(decision.Record.History[0].CausationId, Is.EqualTo("inbound:SM1"));
        });
    }

    [Test]
    public void Should_advance_the_clock_when_newer()
    {
        var decision = OptOutStateMachine.Decide(_record, Changes.Stop(5, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Write, Is.Not.Null);
            Assert.That(decision.Write!.ExpectedVersion, Is.EqualTo(1));
            Assert.That(decision.Record!.StateAt, Is.EqualTo(Changes.At(5)));
            Assert.That(decision.Record.Version, Is.EqualTo(2));
            Assert.That(decision.Record.CreatedAt, Is.EqualTo(Changes.At(1)));
            Assert.That(decision.Record.Source, Is.EqualTo(_record.Source));
            Assert.That(decision.Record.Note, Is.EqualTo(_record.Note));
        });
    }

    [TestCase(1)]
    [TestCase(0)]
    public void Should_write_nothing_when_not_newer(int minute)
    {
        var decision = OptOutStateMachine.Decide(_record, Changes.Stop(minute, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(decision.Write, Is.Null);
            Assert.That(decision.Record, Is.SameAs(_record));
        });
    }
}

[TestFixture]
public class When_an_opted_out_number_is_opted_back_in
{
    private OptOutRecord _record = null!;
    private OptDecision _decision = null!;

    [SetUp]
    public void Opt_out_then_in()
    {
        _record = Changes.Play(Changes.Stop(1, "inbound:SM1"))!;
        _decision = OptOutStateMachine.Decide(_record, Changes.OptIn(3, "request:r1"), Changes.Now);
    }

    [Test]
    public void Should_change_the_state_and_publish()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(_decision.Publishes, Is.True);
            Assert.That(_decision.OutcomeFor(OptState.OptedIn), Is.EqualTo(OptOutOutcome.OptedIn));
            Assert.That(_decision.Record!.State, Is.EqualTo(OptState.OptedIn));
        });
    }

    [Test]
    public void Should_append_a_second_history_entry()
    {
        var history = _decision.Record!.History;

        Assert.Multiple(() =>
        {
            Assert.That(history.Select(h => h.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn }));
            Assert.That(history.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:SM1", "request:r1" }));
            Assert.That(_decision.Write!.Appended, Is.SameAs(history[1]));
        });
    }

    [Test]
    public void Should_take_the_source_note_and_actor_of_the_opt_in()
    {
        var record = _decision.Record!;

        Assert.Multiple(() =>
        {
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Manual));
            Assert.That(record.Actor, Is.EqualTo("admin@example.com"));
            Assert.That(record.Note, Is.EqualTo("Deleted by admin@example.com"));
            Assert.That(record.StateAt, Is.EqualTo(Changes.At(3)));
            Assert.That(record.CreatedAt, Is.EqualTo(Changes.At(1)));
            Assert.That(record.Version, Is.EqualTo(2));
            Assert.That(_decision.Write!.ExpectedVersion, Is.EqualTo(1));
        });
    }

    [Test]
    public void Should_leave_the_record_it_read_untouched()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_record.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(_record.History, Has.Count.EqualTo(1));
            Assert.That(_record.Version, Is.EqualTo(1));
        });
    }
}

[TestFixture]
public class When_a_late_opt_in_is_older_than_the_opt_out
{
    [Test]
    public void Should_be_superseded_and_write_nothing()
    {
        var record = Changes.Play(Changes.Stop(5, "inbound:SM1"));

        var decision = OptOutStateMachine.Decide(record, Changes.OptIn(3, "request:r1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That(decision.Publishes, Is.False);
            Assert.That(decision.OutcomeFor(OptState.OptedIn), Is.EqualTo(OptOutOutcome.Superseded));
            Assert.That(decision.Write, Is.Null);
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedOut));
        });
    }

    [Test]
    public void Should_not_undo_a_newer_opt_in_with_an_older_stop()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(5, "request:r1"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(3, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That(decision.OutcomeFor(OptState.OptedOut), Is.EqualTo(OptOutOutcome.Superseded));
            Assert.That(decision.Write, Is.Null);
        });
    }
}

[TestFixture]
public class When_an_opt_out_and_an_opt_in_have_the_same_time
{
    [Test]
    public void Should_let_the_opt_out_win_over_an_opt_in()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(5, "request:r1"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(5, "inbound:SM2"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(decision.Record.History, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public void Should_let_the_opt_in_lose_to_an_opt_out()
    {
        var record = Changes.Play(Changes.Stop(5, "inbound:SM1"));

        var decision = OptOutStateMachine.Decide(record, Changes.OptIn(5, "request:r1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That(decision.Write, Is.Null);
        });
    }

    [Test]
    public void Should_end_opted_out_in_either_order()
    {
        var stopFirst = Changes.Play(Changes.Stop(1, "inbound:SM0"), Changes.Stop(5, "inbound:SM1"), Changes.OptIn(5, "request:r1"));
        var optInFirst = Changes.Play(Changes.Stop(1, "inbound:SM0"), Changes.OptIn(5, "request:r1"), Changes.Stop(5, "inbound:SM1"));

        Assert.Multiple(() =>
        {
            Assert.That(stopFirst!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(optInFirst!.State, Is.EqualTo(OptState.OptedOut));
        });
    }
}

[TestFixture]
public class When_a_message_is_redelivered
{
    [Test]
    public void Should_replay_a_stop_that_is_still_current()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(1, "inbound:SM1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Replayed));
            Assert.That(decision.Publishes, Is.True);
            Assert.That(decision.OutcomeFor(OptState.OptedOut), Is.EqualTo(OptOutOutcome.OptedOut));
            Assert.That(decision.Write, Is.Null);
            Assert.That(decision.Record, Is.SameAs(record));
        });
    }

    [Test]
    public void Should_replay_an_opt_in_that_is_still_current()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(3, "request:r1"));

        var decision = OptOutStateMachine.Decide(record, Changes.OptIn(3, "request:r1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Replayed));
            Assert.That(decision.OutcomeFor(OptState.OptedIn), Is.EqualTo(OptOutOutcome.OptedIn));
            Assert.That(decision.Write, Is.Null);
        });
    }

    [Test]
    public void Should_still_replay_after_a_later_stop_only_moved_the_clock()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.Stop(5, "inbound:SM2"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(1, "inbound:SM1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Replayed));
            Assert.That(decision.Write, Is.Null);
        });
    }

    [Test]
    public void Should_supersede_a_stop_redelivered_after_a_later_opt_in_and_write_nothing()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(3, "request:r1"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(1, "inbound:SM1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That(decision.Publishes, Is.False);
            Assert.That(decision.Write, Is.Null);
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedIn));
        });
    }

    [Test]
    public void Should_not_republish_a_stop_that_a_later_transition_replaced()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(3, "request:r1"), Changes.Stop(5, "inbound:SM2"));

        var decision = OptOutStateMachine.Decide(record, Changes.Stop(1, "inbound:SM1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(decision.Write, Is.Null);
        });
    }

    [Test]
    public void Should_not_apply_the_same_message_twice_even_with_a_different_time()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(3, "request:r1"));

        // A producer that restamps a retry must not turn the old STOP into a new transition.
        var decision = OptOutStateMachine.Decide(record, Changes.Stop(9, "inbound:SM1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Superseded));
            Assert.That(decision.Write, Is.Null);
        });
    }
}

[TestFixture]
public class When_an_opt_in_arrives_for_a_number_that_was_never_opted_out
{
    [Test]
    public void Should_publish_nothing_but_remember_its_time()
    {
        var decision = OptOutStateMachine.Decide(null, Changes.OptIn(3, "request:r1"), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Unchanged));
            Assert.That(decision.Publishes, Is.False);
            Assert.That(decision.OutcomeFor(OptState.OptedIn), Is.EqualTo(OptOutOutcome.NotOptedOut));
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(decision.Record.StateAt, Is.EqualTo(Changes.At(3)));
            Assert.That(decision.Record.History, Is.Empty, "not a transition");
            Assert.That(decision.Write!.ExpectedVersion, Is.EqualTo(0));
        });
    }

    [Test]
    public void Should_supersede_a_later_arriving_older_stop()
    {
        // Event-time order: the opt-in is newer than the STOP, whatever order they arrive in.
        var record = Changes.Play(Changes.OptIn(3, "request:r1"), Changes.Stop(1, "inbound:SM1"));

        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
    }

    [Test]
    public void Should_let_a_newer_stop_opt_the_number_out()
    {
        var record = Changes.Play(Changes.OptIn(3, "request:r1"), Changes.Stop(5, "inbound:SM1"));

        Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
        Assert.That(record.History, Has.Count.EqualTo(1));
    }
}

[TestFixture]
public class When_messages_arrive_out_of_order
{
    [Test]
    public void Should_keep_the_number_opted_out_when_an_older_opt_in_arrives_between_two_stops()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.Stop(5, "inbound:SM2"), Changes.OptIn(3, "request:r1"));

        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.StateAt, Is.EqualTo(Changes.At(5)));
            Assert.That(record.History, Has.Count.EqualTo(1));
        });
    }

    private static IEnumerable<TestCaseData> Orders()
    {
        var stop1 = Changes.Stop(1, "inbound:SM1");
        var optIn3 = Changes.OptIn(3, "request:r1");
        var stop5 = Changes.Stop(5, "inbound:SM2");
        var optIn7 = Changes.OptIn(7, "request:r2");

        // Every arrival order of each set ends in the state of its newest message.
        foreach (var (set, expected) in new[] { (new[] { stop1, optIn3, stop5 }, OptState.OptedOut), (new[] { stop1, optIn3, stop5, optIn7 }, OptState.OptedIn) })
        {
            foreach (var order in Permutations(set))
                yield return new TestCaseData(order, expected).SetArgDisplayNames(string.Join(",", order.Select(c => c.At.Minute)));
        }
    }

    private static IEnumerable<OptChange[]> Permutations(OptChange[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            foreach (var rest in Permutations([.. items[..i], .. items[(i + 1)..]]))
                yield return [items[i], .. rest];
        }
    }

    [TestCaseSource(nameof(Orders))]
    public void Should_end_in_the_state_of_the_newest_message(OptChange[] changes, OptState expected)
    {
        Assert.That(Changes.Play(changes)!.State, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Orders))]
    public void Should_survive_every_message_being_delivered_twice(OptChange[] changes, OptState expected)
    {
        var record = Changes.Play([.. changes, .. changes]);

        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(expected));
            Assert.That(record.History, Is.EqualTo(Changes.Play(changes)!.History));
        });
    }
}

[TestFixture]
public class When_the_number_is_possible_but_not_valid
{
    [Test]
    public void Should_opt_it_out_and_flag_it()
    {
        var decision = OptOutStateMachine.Decide(null, Changes.Stop(1, "inbound:SM1", Changes.UnassignedNumber), Changes.Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(decision.Record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(decision.Record.Phone, Is.EqualTo("+15552011234"));
            Assert.That(decision.Record.Flagged, Is.True);
        });
    }

    [Test]
    public void Should_stay_flagged_through_transitions()
    {
        var record = Changes.Play(
            Changes.Stop(1, "inbound:SM1", Changes.UnassignedNumber),
            Changes.OptIn(3, "request:r1", Changes.UnassignedNumber),
            Changes.Stop(5, "inbound:SM2", Changes.UnassignedNumber));

        Assert.That(record!.Flagged, Is.True);
    }

    [Test]
    public void Should_not_flag_a_valid_number()
    {
        var record = Changes.Play(Changes.Stop(1, "inbound:SM1"), Changes.OptIn(3, "request:r1"));

        Assert.That(record!.Flagged, Is.False);
    }
}
