using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>README "Publishing from a non-.NET producer": plain camelCase JSON, no envelope, on the real broker.</summary>
[TestFixture]
public class When_a_non_dotnet_producer_publishes_plain_json : RabbitMqServiceFixture
{
    private const string Contact = "+15552011234";
    private const string OurNumber = "+15559870000";

    [TestCase(true, TestName = "Should_opt_out_the_sender_of_STOP_and_request_one_confirmation")]
    [TestCase(false, TestName = "Should_opt_out_the_sender_of_STOP_without_a_message_id_property")]
    [CancelAfter(60_000)]
    public async Task Should_opt_out_the_sender_of_STOP(bool withMessageIdProperty, CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        // The README's pika example byte for byte (json.dumps spacing), with this test's account.
        var json = $$"""{"accountId": "{{account}}", "from": "{{Contact}}", "to": "{{OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "SM123"}""";

        await Rabbit.PublishJsonAsync(InboundExchange, json, withMessageIdProperty ? Guid.NewGuid().ToString() : null, cancellationToken);

        var changed = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout);
        var confirmations = await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout);
        await SettleAsync();
        changed = Events.Received<ConversationOptStateChanged>(m => m.AccountId == account);
        confirmations = Events.Received<ConfirmationMessageRequested>(m => m.AccountId == account);

        Assert.That(changed, Has.Count.EqualTo(1));
        Assert.That(confirmations, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            var state = changed[0].Message;
            Assert.That(state.PhoneNumber, Is.EqualTo(Contact));
            Assert.That(state.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(state.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(state.ChangedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero)));
            Assert.That(changed[0].MessageId, Is.EqualTo(MessageIds.Derive("inbound:SM123", Contact, "state")),
                "the event's id is derived from the gateway's id, whatever the transport carried");

            var confirmation = confirmations[0].Message;
            Assert.That(confirmation.To, Is.EqualTo(Contact));
            Assert.That(confirmation.From, Is.EqualTo(OurNumber));
            Assert.That(confirmation.Body, Is.EqualTo(AccountSettings.DefaultOptOutMessage));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_opt_out_a_text_with_neither_a_message_id_nor_a_provider_id(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var json = $$"""{"accountId": "{{account}}", "from": "(555) 201-1234", "to": "{{OurNumber}}", "body": "Unsubscribe", "receivedAt": "2026-11-29T12:00:00Z"}""";

        await Rabbit.PublishJsonAsync(InboundExchange, json, messageId: null, cancellationToken);

        var changed = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout);
        await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout);
        var record = await Service.Store.FindAsync(account, Contact, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(changed.Single().Message.PhoneNumber, Is.EqualTo(Contact));
            Assert.That(record!.History.Single().CausationId, Does.StartWith("inbound:body-"),
                "with no id at all, the body's hash identifies the text, so a redelivery is still recognized");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_apply_a_manual_opt_out_request_with_a_string_enum(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var requestId = Guid.NewGuid();
        var json = $$"""
            {"requestId": "{{requestId}}", "accountId": "{{account}}", "phoneNumbers": ["(555) 201-1234, 555.201.5678"],
             "source": "Manual", "requestedBy": "admin@example.com", "note": "asked on the phone",
             "requestedAt": "2026-11-29T12:00:00Z"}
            """;

        await Rabbit.PublishJsonAsync(OptOutRequestedExchange, json, Guid.NewGuid().ToString(), cancellationToken);

        var completed = (await Events.WaitForAsync<OptOutRequestCompleted>(m => m.AccountId == account, EventTimeout)).Single().Message;
        await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout, count: 2);
        await SettleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(completed.RequestId, Is.EqualTo(requestId));
            Assert.That(completed.Results.Select(r => (r.PhoneNumber, r.Outcome)), Is.EqualTo(new[]
            {
                ("+15552011234", OptOutOutcome.OptedOut),
                ("+15552015678", OptOutOutcome.OptedOut),
            }));
            Assert.That(Events.Received<ConversationOptStateChanged>(m => m.AccountId == account).Select(o => (o.Message.PhoneNumber, o.Message.Source)),
                Is.EquivalentTo(new[] { ("+15552011234", OptOutSource.Manual), ("+15552015678", OptOutSource.Manual) }));
            Assert.That(Events.Received<ConfirmationMessageRequested>(m => m.AccountId == account), Is.Empty,
                "a manual opt-out has no conversation, so no confirmation text");
        });
    }
}
