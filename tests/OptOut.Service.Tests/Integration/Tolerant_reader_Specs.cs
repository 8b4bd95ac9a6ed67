using System.Text.Json;
using OptOut.Contracts;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// Tolerant reader, strict writer, over the real broker (README "Messages"): what producers naturally write
/// differently is read either way; a message that is still wrong goes to its <c>_error</c> queue once, with a reason
/// naming the field, and a request that says whom to answer is also answered with its rejection; what the service
/// publishes has one form, read raw off the broker.
/// </summary>
[TestFixture]
public class When_producers_write_fields_their_own_way : RabbitMqServiceFixture
{
    private const string OptOutRequestedQueue = "opt-out-requested";
    private const string OptInRequestedQueue = "opt-in-requested";
    private const string SettingsQueue = "update-opt-out-settings";

    public static IEnumerable<TestCaseData> UnreadableRequests()
    {
        foreach (var (source, reason) in new[]
                 {
                     ("\"OPTED_OUT\"", "'OPTED_OUT' is not a OptOutRequestSource"), ("1", "the number 1 is not a OptOutRequestSource"),
                     ("\"1\"", "'1' is not a OptOutRequestSource"), ("\"Manual, Api\"", "'Manual, Api' is not a OptOutRequestSource"),
                 })
        {
            yield return new TestCaseData(OptOutRequestedExchange, OptOutRequestedQueue,
                    (Func<Guid, AccountId, string, string>)((request, account, marker) => $$"""
                        {"requestId": "{{request}}", "accountId": "{{account}}", "phoneNumbers": ["+15552011234"], "source": {{source}},
                         "requestedBy": "crm", "note": "{{marker}}", "requestedAt": "2026-11-29T12:00:00Z"}
                        """),
                    "source: " + reason)
                .SetName($"Should_fault_and_answer_an_opt_out_request_with_source_{source.Trim('"').Replace(", ", "_and_")}");
        }

        yield return new TestCaseData(OptInRequestedExchange, OptInRequestedQueue,
                (Func<Guid, AccountId, string, string>)((request, account, marker) => $$"""
                    {"requestId": "{{request}}", "accountId": "{{account}}", "phoneNumber": "+15552011234", "requestedBy": "crm",
                     "reason": "{{marker}}", "requestedAt": "yesterday"}
                    """),
                "requestedAt: The JSON value could not be converted to System.DateTimeOffset")
            .SetName("Should_fault_and_answer_an_opt_in_request_with_a_time_that_is_not_one");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_read_a_calling_code_sent_as_a_number(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
            {"accountId": "{{account}}", "defaultCountryCode": 44, "autoOptOutEnabled": true, "optOutMessage": "Bye.", "requestedBy": "crm"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var changed = (await Events.WaitForAsync<OptOutSettingsChanged>(m => m.AccountId == account, EventTimeout)).Single().Message;
        Assert.That(changed.DefaultCountryCode, Is.EqualTo("44"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_read_enum_names_in_any_letter_case_and_ignore_unknown_fields(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var requestId = Guid.NewGuid();
        await Rabbit.PublishJsonAsync(OptOutRequestedExchange, $$"""
            {"requestId": "{{requestId}}", "accountId": "{{account}}", "phoneNumbers": ["+15552013101"], "source": "messenger",
             "replyFrom": "{{Messages.OurNumber}}", "requestedBy": "agent", "requestedAt": "2026-11-29T12:00:00Z",
             "priority": 3, "channel": {"kind": "sms", "tags": ["a", 1]} }
            """, Guid.NewGuid().ToString(), cancellationToken);

        var completed = (await Events.WaitForAsync<OptOutRequestCompleted>(m => m.RequestId == requestId, EventTimeout)).Single().Message;
        var changed = (await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == account, EventTimeout)).Single().Message;
        Assert.Multiple(() =>
        {
            Assert.That(completed.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedOut));
            Assert.That(changed.Source, Is.EqualTo(OptOutSource.Messenger), "'messenger' is Messenger, not a default");
        });
    }

    [TestCaseSource(nameof(UnreadableRequests))]
    [CancelAfter(90_000)]
    public async Task Should_fault_and_answer(string exchange, string queue, Func<Guid, AccountId, string, string> json, string reason,
        CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid();
        AccountId account = Guid.NewGuid();
        var marker = "unreadable-" + Guid.NewGuid().ToString("N");
        await Rabbit.PublishJsonAsync(exchange, json(requestId, account, marker), Guid.NewGuid().ToString(), cancellationToken);

        var dead = await Rabbit.TakeAsync(queue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), EventTimeout, cancellationToken);
        var answer = (await Events.WaitForAsync<OptOutRequestCompleted>(m => m.RequestId == requestId, EventTimeout)).Single().Message;
        var again = await Rabbit.TakeAsync(queue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(2), cancellationToken);
        TestContext.Out.WriteLine($"MT-Fault-Message: {dead?.Header("MT-Fault-Message")}");

        Assert.That(dead, Is.Not.Null, $"the message is not in {queue}_error");
        Assert.Multiple(() =>
        {
            Assert.That(dead!.Header("MT-Reason"), Is.EqualTo("fault"));
            Assert.That(dead.Header("MT-Fault-Message"), Does.Contain(reason));
            Assert.That(again, Is.Null, "the message lands in the error queue once");
            Assert.That(answer.AccountId, Is.EqualTo(account));
            Assert.That(answer.Results.Select(r => (r.Input, r.Outcome)), Is.EqualTo(new[] { ("+15552011234", OptOutOutcome.Rejected) }));
            Assert.That(answer.Results[0].Reason, Does.Contain(reason));
            Assert.That(Events.Received<ConversationOptStateChanged>(m => m.AccountId == account), Is.Empty, "nothing was opted out or in");
        });
    }

    [TestCase("4.4", "the number 4.4 is not a calling code")]
    [TestCase("-44", "the number -44 is not a calling code")]
    [TestCase("true", "a JSON boolean is not a calling code")]
    [CancelAfter(90_000)]
    public async Task Should_fault_and_reject_settings_whose_calling_code_is_no_number(string code, string reason, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid();
        AccountId account = Guid.NewGuid();
        var marker = "unreadable-" + Guid.NewGuid().ToString("N");
        await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
            {"requestId": "{{requestId}}", "accountId": "{{account}}", "defaultCountryCode": {{code}}, "autoOptOutEnabled": false,
             "optOutMessage": "Bye.", "requestedBy": "{{marker}}"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var dead = await Rabbit.TakeAsync(SettingsQueue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), EventTimeout, cancellationToken);
        var rejected = (await Events.WaitForAsync<OptOutSettingsRejected>(m => m.RequestId == requestId, EventTimeout)).Single().Message;

        Assert.That(dead, Is.Not.Null, $"the message is not in {SettingsQueue}_error");
        Assert.Multiple(() =>
        {
            Assert.That(dead!.Header("MT-Fault-Message"), Does.Contain("defaultCountryCode: " + reason));
            Assert.That(rejected.AccountId, Is.EqualTo(account));
            Assert.That(rejected.Errors.Select(e => e.Field), Is.EqualTo(new[] { "defaultCountryCode" }));
            Assert.That(rejected.Reasons.Single(), Does.Contain(reason));
            Assert.That(Events.Received<OptOutSettingsChanged>(m => m.AccountId == account), Is.Empty);
        });
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Should_fault_settings_that_name_nobody_to_answer_without_a_whole_number_in_the_reason(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var marker = "unreadable-" + Guid.NewGuid().ToString("N");
        await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
            {"accountId": "{{account}}", "defaultCountryCode": 15552011234.5, "autoOptOutEnabled": true, "optOutMessage": "Bye.", "requestedBy": "{{marker}}"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var dead = await Rabbit.TakeAsync(SettingsQueue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), EventTimeout, cancellationToken);
        await SettleAsync();

        Assert.That(dead, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(dead!.Header("MT-Fault-Message"), Does.Contain("defaultCountryCode").And.Contain("1234").And.Not.Contain("15552011234"));
            Assert.That(Events.Received<OptOutSettingsRejected>(m => m.AccountId == account), Is.Empty, "no requestId: nobody to answer");
        });
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Should_publish_one_form_whatever_form_was_read(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var requestId = Guid.NewGuid();
        var queue = "optout-specs-strict-" + Guid.NewGuid().ToString("N")[..8];
        await Rabbit.BindQueueAsync(queue, new[] { typeof(ConversationOptStateChanged), typeof(OptOutRequestCompleted), typeof(OptOutSettingsChanged) }
            .Select(t => $"{t.Namespace}:{t.Name}"), cancellationToken);
        try
        {
            await Rabbit.PublishJsonAsync(UpdateOptOutSettingsExchange, $$"""
                {"accountId": "{{account}}", "requestId": "{{requestId}}", "defaultCountryCode": 44, "autoOptOutEnabled": true, "optOutMessage": "Bye.",
                 "requestedBy": "crm"}
                """, Guid.NewGuid().ToString(), cancellationToken);
            await Events.WaitForAsync<OptOutSettingsChanged>(m => m.AccountId == account, EventTimeout);
            await Rabbit.PublishJsonAsync(OptOutRequestedExchange, $$"""
                {"requestId": "{{requestId}}", "accountId": "{{account}}", "phoneNumbers": ["07400 123456"], "source": "API", "requestedBy": "crm",
                 "requestedAt": "2026-11-29T12:00:00Z"}
                """, Guid.NewGuid().ToString(), cancellationToken);

            var events = new Dictionary<string, JsonElement>();
            await Rabbit.TakeAsync(queue, message =>
            {
                using var envelope = JsonDocument.Parse(message.Body);
                var body = envelope.RootElement.GetProperty("message");
                if (body.TryGetProperty("accountId", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == account.ToString())
                {
                    var type = envelope.RootElement.GetProperty("messageType").EnumerateArray().First().GetString()!;
                    events[type[(type.LastIndexOf(':') + 1)..]] = body.Clone();
                }

                return events.Count == 3;
            }, TimeSpan.FromSeconds(60), cancellationToken);

            Assert.That(events.Keys, Is.EquivalentTo(new[] { nameof(ConversationOptStateChanged), nameof(OptOutRequestCompleted), nameof(OptOutSettingsChanged) }));
            var settings = events[nameof(OptOutSettingsChanged)];
            var changed = events[nameof(ConversationOptStateChanged)];
            var completed = events[nameof(OptOutRequestCompleted)];
            Assert.Multiple(() =>
            {
                Assert.That(settings.GetProperty("defaultCountryCode").ValueKind, Is.EqualTo(JsonValueKind.String), "a calling code read as a number is written as a string");
                Assert.That(settings.GetProperty("defaultCountryCode").GetString(), Is.EqualTo("44"));
                Assert.That(changed.GetProperty("source").GetString(), Is.EqualTo("Api"), "'API' is written as the exact name");
                Assert.That(changed.GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
                Assert.That(changed.GetProperty("phoneNumber").GetString(), Is.EqualTo("+447400123456"), "read with the calling code 44");
                Assert.That(completed.GetProperty("requestId").ValueKind, Is.EqualTo(JsonValueKind.String));
                Assert.That(completed.GetProperty("results")[0].GetProperty("outcome").GetString(), Is.EqualTo("OptedOut"));
                foreach (var (type, body) in events)
                {
                    Assert.That(body.EnumerateObject().Select(p => p.Name), Has.All.Match("^[a-z][A-Za-z0-9]*$"), $"{type}: camelCase field names");
                    Assert.That(body.GetProperty("accountId").ValueKind, Is.EqualTo(JsonValueKind.String), $"{type}: the account id is a string");
                }
            });
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue, CancellationToken.None);
        }
    }

    protected override async Task CleanUpAsync()
    {
        await Rabbit.PurgeQueueAsync(OptOutRequestedQueue + "_error");
        await Rabbit.PurgeQueueAsync(OptInRequestedQueue + "_error");
        await Rabbit.PurgeQueueAsync(SettingsQueue + "_error");
    }
}
