using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OptOut.Contracts;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// README "Messages", <c>accountId</c>: a producer names accounts its own way, as a string or a JSON integer; every
/// event carries the id as a JSON string exactly as the account is known (<c>"42"</c> for <c>42</c>); ids are compared
/// exactly; and an id that breaks the rule goes to the error queue at once with the reason, without holding up the next
/// message. Raw JSON in, raw envelopes read off the broker.
/// </summary>
[TestFixture]
public class When_a_producer_names_accounts_its_own_way : RabbitMqServiceFixture
{
    private const string InboundQueue = "inbound-message";

    public static IEnumerable<TestCaseData> BadAccountIds()
    {
        yield return new TestCaseData("\"\"", "accountId is empty").SetName("Should_dead_letter_an_empty_account_id");
        yield return new TestCaseData($"\"{new string('a', 65)}\"", "accountId has 65 characters").SetName("Should_dead_letter_an_account_id_of_65_characters");
        yield return new TestCaseData("\"a b\"", "a character it can't have").SetName("Should_dead_letter_an_account_id_with_a_space");
        yield return new TestCaseData("true", "accountId is a boolean").SetName("Should_dead_letter_an_account_id_that_is_a_boolean");
        yield return new TestCaseData("4.2", "accountId 4.2 is a number that is not an integer").SetName("Should_dead_letter_an_account_id_that_is_a_fraction");
        yield return new TestCaseData("1e3", "accountId 1e3 is a number that is not an integer").SetName("Should_dead_letter_an_account_id_with_an_exponent");
        yield return new TestCaseData("null", "accountId is null").SetName("Should_dead_letter_a_null_account_id");
    }

    [TestCase("string")]
    [TestCase("number")]
    [CancelAfter(90_000)]
    public async Task Should_opt_out_and_publish_the_id_as_a_json_string(string kind, CancellationToken cancellationToken)
    {
        // Ids of this run only: leftovers of an earlier run can't match.
        var id = kind == "string"
            ? "acme-campaigns-" + Guid.NewGuid().ToString("N")[..8]
            : Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var json = kind == "string" ? $"\"{id}\"" : id;
        var queue = "optout-specs-accounts-" + Guid.NewGuid().ToString("N")[..8];
        await Rabbit.BindQueueAsync(queue, new[] { typeof(ConversationOptStateChanged), typeof(ConfirmationMessageRequested) }
            .Select(t => $"{t.Namespace}:{t.Name}"), cancellationToken);
        try
        {
            await Rabbit.PublishJsonAsync(InboundExchange, $$"""
                {"accountId": {{json}}, "from": "+15552017101", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z"}
                """, Guid.NewGuid().ToString(), cancellationToken);

            var events = new Dictionary<string, JsonElement>();
            await Rabbit.TakeAsync(queue, message =>
            {
                using var envelope = JsonDocument.Parse(message.Body);
                var body = envelope.RootElement.GetProperty("message");
                if (body.TryGetProperty("accountId", out var account) && account.ToString() == id)
                {
                    var type = envelope.RootElement.GetProperty("messageType").EnumerateArray().First().GetString()!;
                    events[type[(type.LastIndexOf(':') + 1)..]] = body.GetProperty("accountId").Clone();
                }

                return events.Count == 2;
            }, TimeSpan.FromSeconds(60), cancellationToken);

            var record = await Service.Store.FindAsync(AccountId.Parse(id), "+15552017101", cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(events.Keys, Is.EquivalentTo(new[] { nameof(ConversationOptStateChanged), nameof(ConfirmationMessageRequested) }));
                foreach (var (type, account) in events)
                {
                    Assert.That(account.ValueKind, Is.EqualTo(JsonValueKind.String), type);
                    Assert.That(account.GetString(), Is.EqualTo(id), type);
                }

                Assert.That(record?.State, Is.EqualTo(OptState.OptedOut));
            });
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue);
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Should_keep_accounts_that_differ_only_in_letter_case_apart(CancellationToken cancellationToken)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var upper = AccountId.Parse("Acme-" + suffix);
        var lower = AccountId.Parse("acme-" + suffix);
        foreach (var account in (AccountId[])[upper, lower])
        {
            await Rabbit.PublishJsonAsync(InboundExchange, $$"""
                {"accountId": "{{account}}", "from": "+15552017102", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z"}
                """, Guid.NewGuid().ToString(), cancellationToken);
        }

        // One transition in each: the second STOP is not "a second STOP from an opted-out number".
        var upperChanged = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == upper, EventTimeout);
        var lowerChanged = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == lower, EventTimeout);
        var lowerConfirmed = await Events.WaitForAsync<ConfirmationMessageRequested>(m => m.AccountId == lower, EventTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(upperChanged.Single().Message.AccountId.Value, Is.EqualTo("Acme-" + suffix));
            Assert.That(lowerChanged.Single().Message.AccountId.Value, Is.EqualTo("acme-" + suffix));
            Assert.That(lowerConfirmed, Has.Count.EqualTo(1));
        });
    }

    [TestCaseSource(nameof(BadAccountIds))]
    [CancelAfter(90_000)]
    public async Task Should_dead_letter_an_account_id_that_breaks_the_rule(string accountJson, string reason, CancellationToken cancellationToken)
    {
        var marker = "bad-account-" + Guid.NewGuid().ToString("N");
        AccountId goodAccount = Guid.NewGuid();

        var elapsed = Stopwatch.StartNew();
        await Rabbit.PublishJsonAsync(InboundExchange, $$"""
            {"accountId": {{accountJson}}, "from": "+15552017103", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "{{marker}}"}
            """, Guid.NewGuid().ToString(), cancellationToken);
        await Rabbit.PublishJsonAsync(InboundExchange, $$"""
            {"accountId": "{{goodAccount}}", "from": "+15552017103", "to": "{{Messages.OurNumber}}", "body": "STOP", "receivedAt": "2026-11-29T12:00:00Z"}
            """, Guid.NewGuid().ToString(), cancellationToken);

        var dead = await Rabbit.TakeAsync(InboundQueue + "_error", m => m.Body.Contains(marker, StringComparison.Ordinal), EventTimeout, cancellationToken);
        var deadAfter = elapsed.Elapsed;
        var good = await Events.WaitForAsync<ConversationOptStateChanged>(m => m.AccountId == goodAccount, EventTimeout);

        Assert.That(dead, Is.Not.Null, $"the message is not in {InboundQueue}_error");
        Assert.Multiple(() =>
        {
            Assert.That(dead!.Header("MT-Fault-Message"), Does.Contain(reason));
            Assert.That(deadAfter, Is.LessThan(TimeSpan.FromSeconds(5)), "bad input is not retried");
            Assert.That(good, Has.Count.EqualTo(1), "the next message was processed");
        });
    }

    protected override async Task CleanUpAsync() => await Rabbit.PurgeQueueAsync(InboundQueue + "_error");
}
