using System.Text.Json;
using OptOut.Contracts;
using OptOut.Service.Tests.BusApi;
using OptOut.Core;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// The wire format of every message a producer sends and every event the service publishes (README "Messages"),
/// as a producer or subscriber that is not .NET sees it: plain camelCase JSON in, MassTransit envelopes with
/// camelCase fields and enums as strings out, on the real broker.
/// </summary>
[TestFixture]
public class When_producers_and_subscribers_speak_plain_json : RabbitMqServiceFixture
{

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_opt_a_number_back_in_from_plain_json(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var optOut = Guid.NewGuid();
        var optIn = Guid.NewGuid();
        await Rabbit.PublishJsonAsync(OptOutRequestedExchange, $$"""
            {"requestId": "{{optOut}}", "accountId": "{{account}}", "phoneNumbers": ["+1 555 201 3001"], "source": "Manual",
             "requestedBy": "admin@example.com", "requestedAt": "2026-11-29T12:00:00Z"}
            """, Guid.NewGuid().ToString(), cancellationToken);
        await Events.WaitForAsync<OptOutRequestCompleted>(m => m.RequestId == optOut, EventTimeout);

        await Rabbit.PublishJsonAsync(OptInRequestedExchange, $$"""
            {"requestId": "{{optIn}}", "accountId": "{{account}}", "phoneNumber": "555.201.3001", "requestedBy": "admin@example.com",
             "reason": "asked to resume", "requestedAt": "2026-11-29T13:00:00Z"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var completed = (await Events.WaitForAsync<OptOutRequestCompleted>(m => m.RequestId == optIn, EventTimeout)).Single().Message;
        var optedIn = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account && m.State == OptState.OptedIn, EventTimeout);
        var record = await Service.Store.FindAsync(account, "+15552013001", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(completed.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedIn));
            Assert.That(completed.Results.Single().PhoneNumber, Is.EqualTo("+15552013001"));
            Assert.That(optedIn.Single().Message.ChangedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 13, 0, 0, TimeSpan.Zero)));
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.History[^1].Note, Does.Contain("asked to resume"));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_change_the_settings_from_plain_json_and_use_them_for_the_next_text(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
            {"accountId": "{{account}}", "defaultCountryCode": "44", "autoOptOutEnabled": true,
             "optOutMessage": "Non riceverai altri messaggi.", "keywords": ["STOP", "BASTA"], "requestedBy": "admin@example.com"}
            """, Guid.NewGuid().ToString(), cancellationToken);
        var changed = (await Events.WaitForAsync<OptOutSettingsChanged>(m => m.AccountId == account, EventTimeout)).Single().Message;

        // A UK mobile typed without +44: the new default country code applies.
        await Rabbit.PublishJsonAsync(InboundExchange, $$"""
            {"accountId": "{{account}}", "from": "07400 123456", "to": "{{Messages.OurNumber}}", "body": "basta", "receivedAt": "2026-11-29T12:00:00Z"}
            """, Guid.NewGuid().ToString(), cancellationToken);
        var confirmation = (await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout)).Single().Message;

        Assert.Multiple(() =>
        {
            Assert.That(changed.DefaultCountryCode, Is.EqualTo("44"));
            Assert.That(changed.Keywords, Does.Contain("BASTA"));
            Assert.That(changed.ChangedBy, Is.EqualTo("admin@example.com"));
            Assert.That(confirmation.To, Is.EqualTo("+447400123456"));
            Assert.That(confirmation.Body, Is.EqualTo("Non riceverai altri messaggi."));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_reject_plain_json_settings_that_leave_out_autoOptOutEnabled(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
            {"accountId": "{{account}}", "defaultCountryCode": "1", "optOutMessage": "Bye.", "requestedBy": "script"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var rejected = (await Events.WaitForAsync<OptOutSettingsRejected>(m => m.AccountId == account, EventTimeout)).Single().Message;
        var settings = await Service.App.Services.GetRequiredService<SettingsCache>().GetAsync(account, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Errors.Select(e => e.Field), Is.EqualTo(new[] { "autoOptOutEnabled" }));
            Assert.That(settings.Settings.AutoOptOutEnabled, Is.True, "nothing changed: keyword opt-out stays on");
        });
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Should_publish_every_event_with_camel_case_fields_and_enums_as_strings(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var requestId = Guid.NewGuid();
        var queue = "optout-specs-wire-" + Guid.NewGuid().ToString("N")[..8];
        await Rabbit.BindQueueAsync(queue, new[]
        {
            typeof(ConversationOptStateChanged), typeof(ConfirmationMessageRequested), typeof(OptOutRequestCompleted), typeof(OptOutSettingsChanged),
            typeof(OptOutSettingsRejected),
        }.Select(t => $"{t.Namespace}:{t.Name}"), cancellationToken);
        try
        {
            await Rabbit.PublishJsonAsync(InboundExchange, $$"""
                {"accountId": "{{account}}", "from": "(555) 201-3002", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z",
                 "conversationId": "conv-9", "campaignId": "camp-9"}
                """, Guid.NewGuid().ToString(), cancellationToken);
            // Before the settings below turn keyword opt-out off (they are consumed on another queue).
            await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == account, EventTimeout);
            await Rabbit.PublishJsonAsync(OptOutRequestedExchange, $$"""
                {"requestId": "{{requestId}}", "accountId": "{{account}}", "phoneNumbers": ["555 201 3003", "hello"], "source": "Api",
                 "requestedBy": "crm", "requestedAt": "2026-11-29T12:00:00Z"}
                """, Guid.NewGuid().ToString(), cancellationToken);
            await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
                {"accountId": "{{account}}", "defaultCountryCode": "1", "autoOptOutEnabled": false, "optOutMessage": "Bye.", "requestedBy": "admin"}
                """, Guid.NewGuid().ToString(), cancellationToken);
            await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
                {"accountId": "{{account}}", "defaultCountryCode": "999", "autoOptOutEnabled": true, "optOutMessage": "", "requestedBy": "admin"}
                """, Guid.NewGuid().ToString(), cancellationToken);

            // Ours by account; every other message on the queue is read and dropped.
            var events = new Dictionary<string, JsonElement>();
            var violations = new List<string>();
            await Rabbit.TakeAsync(queue, message =>
            {
                using var envelope = JsonDocument.Parse(message.Body);
                var body = envelope.RootElement.GetProperty("message");
                if (body.TryGetProperty("accountId", out var id) && id.GetString() == account.ToString())
                {
                    violations.AddRange(BusApiSchemas.Shared.EnvelopeViolations(envelope.RootElement));
                    var type = envelope.RootElement.GetProperty("messageType").EnumerateArray().First().GetString()!;
                    events[type[(type.LastIndexOf(':') + 1)..]] = body.Clone();
                }

                // Two state changes: the keyword's and the request's (the last one kept is enough for the names).
                return events.Count == 5;
            }, TimeSpan.FromSeconds(60), cancellationToken);

            Assert.That(events.Keys, Is.EquivalentTo(new[]
            {
                nameof(ConversationOptStateChanged), nameof(ConfirmationMessageRequested), nameof(OptOutRequestCompleted), nameof(OptOutSettingsChanged),
                nameof(OptOutSettingsRejected),
            }), "every event type was published");
            Assert.That(violations, Is.Empty, "every event matches its schema in docs/asyncapi.json");
            Assert.Multiple(() =>
            {
                Assert.That(Names(events[nameof(ConversationOptStateChanged)]), Is.SupersetOf(new[]
                    { "accountId", "phoneNumber", "state", "source", "changedAt", "note" }));
                Assert.That(events[nameof(ConversationOptStateChanged)].GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
                Assert.That(events[nameof(ConversationOptStateChanged)].GetProperty("source").ValueKind, Is.EqualTo(JsonValueKind.String));

                var confirmation = events[nameof(ConfirmationMessageRequested)];
                Assert.That(Names(confirmation), Is.SupersetOf(new[]
                    { "accountId", "to", "from", "body", "conversationId", "campaignId", "requestedAt" }));
                Assert.That(confirmation.GetProperty("to").GetString(), Is.EqualTo("+15552013002"));
                Assert.That(confirmation.GetProperty("from").GetString(), Is.EqualTo(Messages.OurNumber));
                Assert.That(confirmation.GetProperty("conversationId").GetString(), Is.EqualTo("conv-9"));

                var completed = events[nameof(OptOutRequestCompleted)];
                Assert.That(Names(completed), Is.SupersetOf(new[] { "requestId", "accountId", "results" }));
                var results = completed.GetProperty("results").EnumerateArray().ToList();
                Assert.That(Names(results[0]), Is.SupersetOf(new[] { "input", "phoneNumber", "outcome" }));
                Assert.That(results.Select(r => r.GetProperty("outcome").GetString()), Is.EqualTo(new[] { "OptedOut", "Rejected" }));
                Assert.That(results[1].GetProperty("reason").GetString(), Is.Not.Empty);

                Assert.That(Names(events[nameof(OptOutSettingsChanged)]), Is.SupersetOf(new[]
                    { "accountId", "defaultCountryCode", "autoOptOutEnabled", "optOutMessage", "keywords", "changedBy", "changedAt" }));
                Assert.That(events[nameof(OptOutSettingsChanged)].GetProperty("autoOptOutEnabled").GetBoolean(), Is.False);

                var rejected = events[nameof(OptOutSettingsRejected)];
                Assert.That(Names(rejected), Is.SupersetOf(new[] { "accountId", "reasons", "errors" }));
                Assert.That(rejected.GetProperty("reasons").GetArrayLength(), Is.EqualTo(2), "every reason: the calling code and the empty message");
            });
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue, CancellationToken.None);
        }
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
