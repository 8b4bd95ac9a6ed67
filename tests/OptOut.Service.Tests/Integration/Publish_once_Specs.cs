using System.Text.Json;
using OptOut.Contracts;
using OptOut.Core.Outbox;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// Each event on the bus once (the outbox), seen as a plain subscriber sees it: a raw queue bound to the event
/// exchanges, read without de-duplication. A gateway's webhook retries deliver one STOP three times (same
/// providerMessageId, a new bus message id each): one state change and one confirmation, whether the copies arrive
/// together or after the events were confirmed.
/// </summary>
[TestFixture]
public class When_copies_of_one_stop_arrive : RabbitMqServiceFixture
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private static readonly string[] EventExchanges =
        [$"{typeof(ConversationOptStateChanged).Namespace}:{nameof(ConversationOptStateChanged)}", $"{typeof(ConfirmationMessageRequested).Namespace}:{nameof(ConfirmationMessageRequested)}"];

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_publish_one_state_change_and_one_confirmation_for_three_copies_at_once(CancellationToken cancellationToken)
    {
        var (account, phone, providerId) = NewStop();
        var queue = await BindAsync(cancellationToken);
        try
        {
            for (var copy = 0; copy < 3; copy++)
                await Rabbit.PublishJsonAsync(InboundExchange, Stop(account, phone, providerId), Guid.NewGuid().ToString(), cancellationToken);

            var received = Ours(await Rabbit.DrainAsync(queue, Quiet, EventTimeout, cancellationToken), account);
            await AssertPublishedOnceAsync(received, account, phone, providerId, cancellationToken);
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue, CancellationToken.None);
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_publish_nothing_for_a_copy_that_arrives_after_the_events_were_confirmed(CancellationToken cancellationToken)
    {
        var (account, phone, providerId) = NewStop();
        var queue = await BindAsync(cancellationToken);
        try
        {
            await Rabbit.PublishJsonAsync(InboundExchange, Stop(account, phone, providerId), Guid.NewGuid().ToString(), cancellationToken);
            var first = Ours(await Rabbit.DrainAsync(queue, Quiet, EventTimeout, cancellationToken), account);
            Assert.That(first, Has.Count.EqualTo(2), "the first delivery's state change and confirmation");

            // The gateway retries its webhook a minute later, and the broker redelivers a copy once more.
            await Rabbit.PublishJsonAsync(InboundExchange, Stop(account, phone, providerId), Guid.NewGuid().ToString(), cancellationToken);
            await Rabbit.PublishJsonAsync(InboundExchange, Stop(account, phone, providerId), Guid.NewGuid().ToString(), cancellationToken);
            await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout);
            var later = Ours(await Rabbit.DrainAsync(queue, Quiet, EventTimeout, cancellationToken), account);

            Assert.That(later, Is.Empty, "the copies find the events confirmed and publish nothing");
            await AssertPublishedOnceAsync(first, account, phone, providerId, cancellationToken);
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue, CancellationToken.None);
        }
    }

    private async Task AssertPublishedOnceAsync(IReadOnlyList<(string Type, Guid? MessageId)> received, AccountId account, string phone, string providerId,
        CancellationToken cancellationToken)
    {
        var causation = "inbound:" + providerId;
        var record = await Service.Store.FindAsync(account, phone, cancellationToken);
        var stillPending = await PendingAsync(account, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(received.Where(r => r.Type == nameof(ConversationOptStateChanged)).Select(r => r.MessageId),
                Is.EqualTo(new Guid?[] { MessageIds.Derive(causation, phone, "state") }), "one state change");
            Assert.That(received.Where(r => r.Type == nameof(ConfirmationMessageRequested)).Select(r => r.MessageId),
                Is.EqualTo(new Guid?[] { MessageIds.Derive(causation, phone, "confirmation") }), "one confirmation text");
            Assert.That(record?.History, Has.Count.EqualTo(1), "one transition");
            Assert.That(stillPending, Is.Empty, "the events are marked sent");
        });
    }

    // Marks are written in the background: give them a moment before calling an entry left behind.
    private async Task<IReadOnlyList<PendingEntry>> PendingAsync(AccountId account, CancellationToken cancellationToken)
    {
        var outbox = Service.App.Services.GetRequiredService<IOutbox>();
        for (var attempt = 0; ; attempt++)
        {
            var ours = (await outbox.ListDueAsync(DateTimeOffset.MaxValue, 10_000, cancellationToken)).Where(e => e.AccountId == account).ToList();
            if (ours.Count == 0 || attempt == 50)
                return ours;
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<string> BindAsync(CancellationToken cancellationToken)
    {
        var queue = "optout-specs-once-" + Guid.NewGuid().ToString("N")[..8];
        await Rabbit.BindQueueAsync(queue, EventExchanges, cancellationToken);
        return queue;
    }

    private static (AccountId Account, string Phone, string ProviderId) NewStop() =>
        (AccountId.Parse("acme-" + Guid.NewGuid().ToString("N")[..12]), "+1555201" + Random.Shared.Next(1000, 9999), "SM" + Guid.NewGuid().ToString("N"));

    private static string Stop(AccountId account, string phone, string providerId) => $$"""
        {"accountId": "{{account}}", "from": "{{phone}}", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z",
         "providerMessageId": "{{providerId}}"}
        """;

    // Other specs' events share the exchanges: only this account's count.
    private static List<(string Type, Guid? MessageId)> Ours(IReadOnlyList<QueuedMessage> messages, AccountId account)
    {
        var ours = new List<(string, Guid?)>();
        foreach (var message in messages)
        {
            using var envelope = JsonDocument.Parse(message.Body);
            var body = envelope.RootElement.GetProperty("message");
            if (body.GetProperty("accountId").GetString() != account.Value)
                continue;
            var type = envelope.RootElement.GetProperty("messageType")[0].GetString()!.Split(':')[^1];
            ours.Add((type, Guid.TryParse(envelope.RootElement.GetProperty("messageId").GetString(), out var id) ? id : null));
        }

        return ours;
    }
}
