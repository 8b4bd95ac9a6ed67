using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>A .NET producer referencing OptOut.Contracts publishes the MassTransit envelope.</summary>
[TestFixture]
public class When_a_dotnet_producer_publishes_the_envelope : RabbitMqServiceFixture
{
    private const string Contact = "+15552011234";
    private const string OurNumber = "+15559870000";

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_opt_out_the_sender_and_request_one_confirmation(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var receivedAt = new DateTimeOffset(2026, 11, 29, 11, 30, 0, TimeSpan.Zero);

        await Events.Bus.Publish(new InboundMessage
        {
            AccountId = account,
            From = "+1 (555) 201-1234",
            To = OurNumber,
            Body = "  Stop! 🛑",
            ReceivedAt = receivedAt,
            ProviderMessageId = "SM-envelope-1",
            ConversationId = "conv-1",
            CampaignId = "camp-1",
        }, cancellationToken);

        var changed = (await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout)).Single();
        var confirmation = (await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(changed.Message.PhoneNumber, Is.EqualTo(Contact));
            Assert.That(changed.Message.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.Message.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(changed.Message.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(changed.Message.CampaignId, Is.EqualTo("camp-1"));
            Assert.That(changed.Message.ChangedAt, Is.EqualTo(receivedAt));
            Assert.That(changed.MessageId, Is.EqualTo(MessageIds.Derive("inbound:SM-envelope-1", Contact, "state")));
            Assert.That(confirmation.Message.To, Is.EqualTo(Contact));
            Assert.That(confirmation.Message.From, Is.EqualTo(OurNumber));
            Assert.That(confirmation.Message.Body, Is.EqualTo(AccountSettings.DefaultOptOutMessage));
            Assert.That(confirmation.MessageId, Is.EqualTo(MessageIds.Derive("inbound:SM-envelope-1", Contact, "confirmation")));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_answer_a_request_client_and_confirm_a_messenger_opt_out(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var client = Events.Bus.CreateRequestClient<OptOutRequested>(RequestTimeout.After(s: 20));

        var response = await client.GetResponse<OptOutRequestCompleted>(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = account,
            PhoneNumbers = ["555-201-1234"],
            Source = OptOutRequestSource.Messenger,
            RequestedBy = "sender@example.com",
            ConversationId = "conv-9",
            ReplyFrom = OurNumber,
            RequestedAt = new DateTimeOffset(2026, 11, 29, 11, 0, 0, TimeSpan.Zero),
        }, cancellationToken);

        var confirmation = (await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedOut));
            Assert.That(confirmation.Message.To, Is.EqualTo(Contact));
            Assert.That(confirmation.Message.From, Is.EqualTo(OurNumber));
            Assert.That(confirmation.Message.ConversationId, Is.EqualTo("conv-9"));
        });
    }
}
