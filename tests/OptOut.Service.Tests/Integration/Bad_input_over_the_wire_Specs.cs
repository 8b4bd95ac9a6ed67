using System.Diagnostics;
using OptOut.Contracts;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// README "Bad input never blocks a queue", over the real broker: a message that can never succeed goes at once to its
/// endpoint's <c>_error</c> queue with the reason in <c>MT-Fault-Message</c>, and the next message is processed normally.
/// </summary>
[TestFixture]
public class When_bad_input_arrives_over_the_wire : RabbitMqServiceFixture
{
    // The kebab-case endpoint names the service's consumers get (InboundMessageConsumer → inbound-message).
    private const string InboundQueue = "inbound-message";
    private const string OptOutRequestedQueue = "opt-out-requested";

    /// <summary>"At once": well under the consumer's retry budget (8 retries, up to 15 s apart).</summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(5);

    public static IEnumerable<TestCaseData> BadMessages()
    {
        yield return new TestCaseData(InboundExchange, InboundQueue,
                (Func<AccountId, string, string>)((account, marker) =>
                    $$"""{"accountId": "{{account}}", "from": "+15552011234", "body": "STOP", "providerMessageId": "{{marker}}" """),
                "JSON")
            .SetName("Should_dead_letter_malformed_json_with_the_reason_and_process_the_next_message");
        yield return new TestCaseData(OptOutRequestedExchange, OptOutRequestedQueue,
                (Func<AccountId, string, string>)((account, marker) => OptOutRequest(account, marker, "\"Sideways\"")),
                "source: 'Sideways' is not a OptOutRequestSource")
            .SetName("Should_dead_letter_an_unknown_enum_value_with_the_reason_and_process_the_next_message");
        yield return new TestCaseData(OptOutRequestedExchange, OptOutRequestedQueue,
                (Func<AccountId, string, string>)((account, marker) => OptOutRequest(account, marker, "1")),
                "source: the number 1 is not a OptOutRequestSource")
            .SetName("Should_dead_letter_a_numeric_enum_value_with_the_reason_and_process_the_next_message");
        yield return new TestCaseData(InboundExchange, InboundQueue,
                (Func<AccountId, string, string>)((_, marker) =>
                    $$"""{"from": "+15552011234", "to": "+15559870000", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "{{marker}}"}"""),
                "accountId is required")
            .SetName("Should_dead_letter_a_text_without_an_account_with_the_reason_and_process_the_next_message");
        yield return new TestCaseData(InboundExchange, InboundQueue,
                (Func<AccountId, string, string>)((account, marker) =>
                    $$"""{"accountId": "{{account}}", "from": "not a number", "to": "+15559870000", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "{{marker}}"}"""),
                "from")
            .SetName("Should_dead_letter_a_text_from_garbage_with_the_reason_and_process_the_next_message");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Should_consume_from_kebab_case_queues(CancellationToken cancellationToken)
    {
        var inbound = await Rabbit.QueueExistsAsync(InboundQueue, cancellationToken);
        var optOutRequested = await Rabbit.QueueExistsAsync(OptOutRequestedQueue, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(inbound, Is.True, InboundQueue);
            Assert.That(optOutRequested, Is.True, OptOutRequestedQueue);
        });
    }

    [TestCaseSource(nameof(BadMessages))]
    [CancelAfter(90_000)]
    public async Task Should_dead_letter_bad_input(string exchange, string queue, Func<AccountId, string, string> badJson, string reason, CancellationToken cancellationToken)
    {
        AccountId badAccount = Guid.NewGuid();
        var marker = "bad-" + Guid.NewGuid().ToString("N");
        AccountId goodAccount = Guid.NewGuid();

        var elapsed = Stopwatch.StartNew();
        await Rabbit.PublishJsonAsync(exchange, badJson(badAccount, marker), Guid.NewGuid().ToString(), cancellationToken);
        await Rabbit.PublishJsonAsync(InboundExchange,
            $$"""{"accountId": "{{goodAccount}}", "from": "+15552011234", "to": "+15559870000", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z"}""",
            Guid.NewGuid().ToString(), cancellationToken);

        var dead = await Rabbit.TakeAsync(queue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), EventTimeout, cancellationToken);
        var deadAfter = elapsed.Elapsed;
        await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == goodAccount, EventTimeout);
        TestContext.Out.WriteLine($"dead-lettered after {deadAfter.TotalMilliseconds:0} ms; headers:");
        foreach (var (name, value) in dead?.Headers ?? new Dictionary<string, string>())
            TestContext.Out.WriteLine($"  {name}: {(value.Length > 300 ? value[..300] + "…" : value)}");

        Assert.That(dead, Is.Not.Null, $"the bad message is not in {queue}_error");
        Assert.Multiple(() =>
        {
            Assert.That(dead!.Header("MT-Reason"), Is.EqualTo("fault"));
            Assert.That(dead.Header("MT-Fault-Message"), Does.Contain(reason));
            Assert.That(deadAfter, Is.LessThan(AtOnce), "bad input is not retried");
            Assert.That(Events.Received<ConversationOptStateChanged>(m => m.AccountId == badAccount), Is.Empty);
        });
    }

    protected override async Task CleanUpAsync()
    {
        await Rabbit.PurgeQueueAsync(InboundQueue + "_error");
        await Rabbit.PurgeQueueAsync(OptOutRequestedQueue + "_error");
    }

    private static string OptOutRequest(AccountId account, string marker, string source) => $$"""
        {"requestId": "{{Guid.NewGuid()}}", "accountId": "{{account}}", "phoneNumbers": ["+15552011234"], "source": {{source}},
         "requestedBy": "admin@example.com", "note": "{{marker}}", "requestedAt": "2026-11-29T12:00:00Z"}
        """;
}
