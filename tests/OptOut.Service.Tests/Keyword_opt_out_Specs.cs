using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

public static class Messages
{
    public const string OurNumber = "+15559870000";

    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static InboundMessage Text(AccountId account, string from, string body, DateTimeOffset? at = null, string? providerId = null) => new()
    {
        AccountId = account,
        From = from,
        To = OurNumber,
        Body = body,
        ReceivedAt = at ?? T0,
        ProviderMessageId = providerId ?? "SM" + Guid.NewGuid().ToString("N"),
        ConversationId = "conv-1",
        CampaignId = "camp-1",
    };
}

[TestFixture]
public class When_a_stop_keyword_is_received
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, "(555) 201-1234", "  Stop! 🛑"));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_publish_the_opted_out_state_change()
    {
        var changed = _service.Published<ConversationOptStateChanged>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(changed.AccountId, Is.EqualTo(_account));
            Assert.That(changed.PhoneNumber, Is.EqualTo("+15552011234"));
            Assert.That(changed.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(changed.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(changed.ChangedAt, Is.EqualTo(Messages.T0));
        });
    }

    [Test]
    public void Should_publish_one_confirmation_from_the_number_the_contact_texted()
    {
        var confirmation = _service.Published<ConfirmationMessageRequested>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(confirmation.To, Is.EqualTo("+15552011234"));
            Assert.That(confirmation.From, Is.EqualTo(Messages.OurNumber));
            Assert.That(confirmation.Body, Is.EqualTo(AccountSettings.DefaultOptOutMessage));
        });
    }

    [Test]
    public async Task Should_record_the_transition_in_the_history()
    {
        var store = _service.Services.GetRequiredService<IOptOutStore>();
        var record = await store.FindAsync(_account, "+15552011234");
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.History, Has.Count.EqualTo(1));
            Assert.That(record.History[0].Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.History[0].CausationId, Does.StartWith("inbound:SM"));
            Assert.That(record.History[0].Note, Does.Contain("STOP"));
        });
    }

    [Test]
    public async Task Should_send_no_second_confirmation_for_a_second_stop()
    {
        await _service.PublishAndWait(Messages.Text(_account, "+1 555 201 1234", "STOP", Messages.T0.AddMinutes(1)));

        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConfirmationMessageRequested>(), Has.Count.EqualTo(1));
            Assert.That(_service.Published<ConversationOptStateChanged>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_keep_another_account_with_the_same_number_independent()
    {
        var other = Guid.NewGuid();
        await _service.PublishAndWait(Messages.Text(other, "5552011234", "hello"));

        var store = _service.Services.GetRequiredService<IOptOutStore>();
        Assert.That(await store.FindAsync(other, "+15552011234"), Is.Null);

        await _service.PublishAndWait(Messages.Text(other, "5552011234", "unsubscribe"));
        Assert.That(_service.Published<ConversationOptStateChanged>(m => m.AccountId == other), Has.Count.EqualTo(1));
    }
}

[TestFixture]
public class When_the_same_text_is_delivered_twice
{
    [Test]
    public async Task Should_change_state_once_and_publish_once()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        var text = Messages.Text(account, "+15552011234", "STOP", providerId: "SM-dup-1");

        await service.PublishAndWait(text);
        // The gateway re-sends it (a new bus message, same provider id), as after a crash before the ack.
        await service.PublishAndWait(text);

        var changes = service.PublishedContexts<ConversationOptStateChanged>();
        var store = service.Services.GetRequiredService<IOptOutStore>();
        var record = await store.FindAsync(account, "+15552011234");
        Assert.Multiple(() =>
        {
            Assert.That(record!.History, Has.Count.EqualTo(1), "one transition");
            Assert.That(changes, Has.Count.EqualTo(1), "the copy finds the events confirmed and publishes nothing");
            Assert.That(service.Published<ConfirmationMessageRequested>(m => m.AccountId == account), Has.Count.EqualTo(1), "one confirmation text");
        });
    }
}

[TestFixture]
public class When_ordinary_replies_are_received
{
    [TestCase("Yes, I'll be there")]
    [TestCase("Can you stop by at 5?")]
    [TestCase("Who is this?")]
    [TestCase("")]
    public async Task Should_change_nothing(string body)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(Messages.Text(account, "+15552011234", body));

        Assert.That(service.Published<ConversationOptStateChanged>(), Is.Empty);
        Assert.That(await service.Services.GetRequiredService<IOptOutStore>().FindAsync(account, "+15552011234"), Is.Null);
    }
}

[TestFixture]
public class When_texts_arrive_out_of_order
{
    [Test]
    public async Task Should_not_let_an_older_opt_in_undo_a_newer_stop()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Messages.Text(account, "+15552011234", "STOP", Messages.T0));
        await service.PublishAndWait(Messages.Text(account, "+15552011234", "STOP", Messages.T0.AddMinutes(10)));

        var client = service.Harness.GetRequestClient<OptInRequested>();
        var response = await client.GetResponse<OptOutRequestCompleted>(new OptInRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = account,
            PhoneNumber = "5552011234",
            RequestedBy = "admin@example.com",
            RequestedAt = Messages.T0.AddMinutes(5),
        });

        Assert.That(response.Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.Superseded));
        var record = await service.Services.GetRequiredService<IOptOutStore>().FindAsync(account, "+15552011234");
        Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
    }
}
