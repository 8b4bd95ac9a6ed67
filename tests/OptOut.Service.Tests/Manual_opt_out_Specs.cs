using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

[TestFixture]
public class When_an_admin_opts_out_a_list_of_numbers
{
    private ServiceHarness _service = null!;
    private OptOutRequestCompleted _completed = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        var client = _service.Harness.GetRequestClient<OptOutRequested>();
        var response = await client.GetResponse<OptOutRequestCompleted>(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = _account,
            PhoneNumbers = ["(555) 201-1234, 555.201.5678", "201-1234", "abc", "1-555-201-1234"],
            Source = OptOutRequestSource.Manual,
            RequestedBy = "alice@example.com",
            Note = "asked on the phone",
            RequestedAt = Messages.T0,
        });
        _completed = response.Message;
        await _service.Quiet();
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_answer_with_one_result_per_input_in_order()
    {
        var results = _completed.Results;
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Input), Is.EqualTo(new[] { "(555) 201-1234", "555.201.5678", "201-1234", "abc", "1-555-201-1234" }));
            Assert.That(results[0].Outcome, Is.EqualTo(OptOutOutcome.OptedOut));
            Assert.That(results[0].PhoneNumber, Is.EqualTo("+15552011234"));
            Assert.That(results[1].Outcome, Is.EqualTo(OptOutOutcome.OptedOut));
            Assert.That(results[2].Outcome, Is.EqualTo(OptOutOutcome.Rejected));
            Assert.That(results[2].Reason, Is.Not.Empty);
            Assert.That(results[3].Outcome, Is.EqualTo(OptOutOutcome.Rejected));
            Assert.That(results[4].PhoneNumber, Is.EqualTo("+15552011234"), "the same number typed twice");
        });
    }

    [Test]
    public void Should_publish_one_state_change_per_number_and_no_confirmation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => c.PhoneNumber),
                Is.EquivalentTo(new[] { "+15552011234", "+15552015678" }));
            Assert.That(_service.Published<ConversationOptStateChanged>().All(c => c.Source == OptOutSource.Manual));
            Assert.That(_service.Published<ConfirmationMessageRequested>(), Is.Empty, "manual opt-outs have no conversation");
        });
    }

    [Test]
    public async Task Should_keep_the_note_saying_how_and_by_whom()
    {
        var record = await _service.Services.GetRequiredService<IOptOutStore>().FindAsync(_account, "+15552015678");
        Assert.That(record!.Note, Does.Contain("alice@example.com").And.Contain("asked on the phone"));
        Assert.That(record.Actor, Is.EqualTo("alice@example.com"));
    }

    [Test]
    public async Task Should_report_already_opted_out_the_second_time()
    {
        var client = _service.Harness.GetRequestClient<OptOutRequested>();
        var again = await client.GetResponse<OptOutRequestCompleted>(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = _account,
            PhoneNumbers = ["5552011234"],
            Source = OptOutRequestSource.Manual,
            RequestedBy = "bob@example.com",
            RequestedAt = Messages.T0.AddHours(1),
        });

        Assert.That(again.Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.AlreadyOptedOut));
    }

    [Test]
    public async Task Should_opt_a_number_back_in_when_its_opt_out_is_deleted()
    {
        var response = await OptIn("+1 555 201 1234", reason: "contact asked to resume");
        await _service.Quiet();

        var record = await _service.Services.GetRequiredService<IOptOutStore>().FindAsync(_account, "+15552011234");
        Assert.Multiple(() =>
        {
            Assert.That(response.Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedIn));
            Assert.That(_service.Published<ConversationOptStateChanged>(c => c.State == OptState.OptedIn).Single().PhoneNumber, Is.EqualTo("+15552011234"));
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.History.Select(h => h.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn }));
            Assert.That(record.History[1].Note, Does.Contain("contact asked to resume"));
        });
    }

    [Test]
    public async Task Should_reject_an_opt_in_that_lists_several_numbers_and_opt_none_back_in()
    {
        var response = await OptIn("+1 555 201 1234; 555.201.5678");
        await _service.Quiet();

        var store = _service.Services.GetRequiredService<IOptOutStore>();
        var first = await store.FindAsync(_account, "+15552011234");
        var second = await store.FindAsync(_account, "+15552015678");
        var result = response.Message.Results.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(OptOutOutcome.Rejected));
            Assert.That(result.Input, Is.EqualTo("+1 555 201 1234; 555.201.5678"));
            Assert.That(result.Reason, Does.Contain("exactly one number").And.Contain("lists 2"));
            Assert.That(_service.Published<ConversationOptStateChanged>(c => c.State == OptState.OptedIn), Is.Empty);
            Assert.That(first!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(second!.State, Is.EqualTo(OptState.OptedOut));
        });
    }

    [Test]
    public async Task Should_say_not_opted_out_for_a_number_never_opted_out()
    {
        var response = await OptIn("5552019999");

        Assert.That(response.Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.NotOptedOut));
    }

    // "Delete Opt Out" by alice, an hour after the opt-outs of the set-up.
    private Task<Response<OptOutRequestCompleted>> OptIn(string phone, string? reason = null) =>
        _service.Harness.GetRequestClient<OptInRequested>().GetResponse<OptOutRequestCompleted>(new OptInRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = _account,
            PhoneNumber = phone,
            RequestedBy = "alice@example.com",
            Reason = reason,
            RequestedAt = Messages.T0.AddHours(1),
        });
}

[TestFixture]
public class When_a_message_sender_opts_out_a_contact
{
    [Test]
    public async Task Should_publish_one_confirmation_from_the_reply_number()
    {
        await using var service = await ServiceHarness.StartAsync();
        var request = new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = Guid.NewGuid(),
            PhoneNumbers = ["555-201-1234"],
            Source = OptOutRequestSource.Messenger,
            RequestedBy = "sender-7",
            ConversationId = "conv-42",
            ReplyFrom = Messages.OurNumber,
            RequestedAt = Messages.T0,
        };

        await service.PublishAndWait(request);
        await service.PublishAndWait(request); // redelivered

        var confirmations = service.PublishedContexts<ConfirmationMessageRequested>();
        Assert.Multiple(() =>
        {
            Assert.That(confirmations, Has.Count.EqualTo(1), "the copy of the request publishes no second confirmation");
            Assert.That(service.Published<ConversationOptStateChanged>(), Has.Count.EqualTo(1));
            Assert.That(confirmations[0].Context.Message.From, Is.EqualTo(Messages.OurNumber));
            Assert.That(confirmations[0].Context.Message.ConversationId, Is.EqualTo("conv-42"));
            Assert.That(service.Published<ConversationOptStateChanged>().First().Source, Is.EqualTo(OptOutSource.Messenger));
        });
    }
}
