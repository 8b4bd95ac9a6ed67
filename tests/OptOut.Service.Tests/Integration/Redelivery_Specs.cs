using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// At-least-once in, once out (docs/architecture.md), over the real broker: a message delivered twice changes the state
/// once, and its events are published once, with message ids derived from the message (the copy finds them confirmed,
/// or being published by the first delivery).
/// </summary>
[TestFixture]
public class When_the_same_message_is_delivered_twice_over_the_wire : RabbitMqServiceFixture
{
    private const string Contact = "+15552011234";

    public enum Producer
    {
        /// <summary>Raw JSON, the same AMQP message_id both times, no providerMessageId.</summary>
        RawSameMessageId,

        /// <summary>Raw JSON, the same providerMessageId, a new message_id each time (the gateway re-sent it).</summary>
        RawSameProviderMessageId,

        /// <summary>The MassTransit envelope, the same MessageId both times, no providerMessageId.</summary>
        EnvelopeSameMessageId,
    }

    [TestCase(Producer.RawSameMessageId, TestName = "Should_change_state_once_for_a_raw_message_with_the_same_message_id")]
    [TestCase(Producer.RawSameProviderMessageId, TestName = "Should_change_state_once_for_a_raw_message_with_the_same_provider_id")]
    [TestCase(Producer.EnvelopeSameMessageId, TestName = "Should_change_state_once_for_an_envelope_with_the_same_message_id")]
    [CancelAfter(60_000)]
    public async Task Should_change_state_once_and_publish_once(Producer producer, CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var providerId = "SM-" + Guid.NewGuid().ToString("N");
        var expectedCausation = producer == Producer.RawSameProviderMessageId ? "inbound:" + providerId : $"inbound:{messageId:N}";

        for (var delivery = 0; delivery < 2; delivery++)
        {
            switch (producer)
            {
                case Producer.RawSameMessageId:
                    await Rabbit.PublishJsonAsync(InboundExchange, Text(account, providerId: null), messageId.ToString(), cancellationToken);
                    break;
                case Producer.RawSameProviderMessageId:
                    await Rabbit.PublishJsonAsync(InboundExchange, Text(account, providerId), Guid.NewGuid().ToString(), cancellationToken);
                    break;
                case Producer.EnvelopeSameMessageId:
                    await Events.Bus.Publish(new InboundMessage
                    {
                        AccountId = account,
                        From = Contact,
                        To = "+15559870000",
                        Body = "STOP",
                        ReceivedAt = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero),
                    }, context => context.MessageId = messageId, cancellationToken);
                    break;
            }
        }

        // The first delivery publishes the events; the copy publishes nothing. Wait for them, then for quiet.
        await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout);
        await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout);
        await SettleAsync();

        var changes = Events.Received<ConversationOptStateChanged>(m => m.AccountId == account);
        var confirmations = Events.Received<ConfirmationMessageRequested>(m => m.AccountId == account);
        var record = await Service.Store.FindAsync(account, Contact, cancellationToken);
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.History, Has.Count.EqualTo(1), "one transition in the compliance history");
            Assert.That(record.History[0].CausationId, Is.EqualTo(expectedCausation));
            Assert.That(changes, Has.Count.EqualTo(1), "published once, whichever delivery came first");
            Assert.That(confirmations, Has.Count.EqualTo(1), "the contact gets one confirmation text");
            Assert.That(changes.Select(c => c.MessageId).Distinct(), Is.EqualTo(new Guid?[] { MessageIds.Derive(expectedCausation, Contact, "state") }),
                "every copy carries the same message id, so downstream discards the duplicate");
            Assert.That(confirmations.Select(c => c.MessageId).Distinct(), Is.EqualTo(new Guid?[] { MessageIds.Derive(expectedCausation, Contact, "confirmation") }));
        });
    }

    private static string Text(AccountId account, string? providerId) => providerId is null
        ? $$"""{"accountId": "{{account}}", "from": "{{Contact}}", "to": "+15559870000", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z"}"""
        : $$"""{"accountId": "{{account}}", "from": "{{Contact}}", "to": "+15559870000", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "{{providerId}}"}""";
}
