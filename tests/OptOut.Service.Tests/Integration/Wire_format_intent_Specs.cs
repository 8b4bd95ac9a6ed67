using System.Text.Json;
using OptOut.Contracts;
using OptOut.Service.Tests.BusApi;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// The wire format of what reading a text adds (README "How a contact's text is read"), as a subscriber that is not
/// .NET sees it on the real broker: the detection on a state change, the kind and language of a reply, a review.
/// </summary>
[TestFixture]
public class When_texts_are_read_for_what_they_ask : RabbitMqServiceFixture
{
    [Test]
    [CancelAfter(90_000)]
    public async Task Should_publish_detections_reply_kinds_and_reviews_as_camel_case_json(CancellationToken cancellationToken)
    {
        AccountId account = Guid.NewGuid();
        var queue = "optout-specs-wire-intent-" + Guid.NewGuid().ToString("N")[..8];
        await Rabbit.BindQueueAsync(queue, new[]
        {
            typeof(ConversationOptStateChanged), typeof(ConfirmationMessageRequested), typeof(OptOutReviewRequested),
        }.Select(t => $"{t.Namespace}:{t.Name}"), cancellationToken);
        try
        {
            foreach (var (from, body) in new[] { ("(555) 201-3011", "Please stop texting me"), ("(555) 201-3012", "not interested"), ("(555) 201-3013", "AYUDA") })
            {
                await Rabbit.PublishJsonAsync(InboundExchange, $$"""
                    {"accountId": "{{account}}", "from": "{{from}}", "to": "{{Messages.OurNumber}}", "body": "{{body}}", "receivedAt": "2026-11-29T12:00:00Z"}
                    """, Guid.NewGuid().ToString(), cancellationToken);
            }

            // Ours by account: one state change and its confirmation, one review, one help reply.
            var events = new List<(string Type, JsonElement Body)>();
            var violations = new List<string>();
            await Rabbit.TakeAsync(queue, message =>
            {
                using var envelope = JsonDocument.Parse(message.Body);
                var body = envelope.RootElement.GetProperty("message");
                if (body.TryGetProperty("accountId", out var id) && id.GetString() == account.ToString())
                {
                    violations.AddRange(BusApiSchemas.Shared.EnvelopeViolations(envelope.RootElement));
                    var type = envelope.RootElement.GetProperty("messageType").EnumerateArray().First().GetString()!;
                    events.Add((type[(type.LastIndexOf(':') + 1)..], body.Clone()));
                }

                return events.Count == 4;
            }, TimeSpan.FromSeconds(60), cancellationToken);

            Assert.That(violations, Is.Empty, "every event matches its schema in docs/asyncapi.json");
            var changed = events.Single(e => e.Type == nameof(ConversationOptStateChanged)).Body;
            var replies = events.Where(e => e.Type == nameof(ConfirmationMessageRequested)).Select(e => e.Body).ToList();
            var review = events.Single(e => e.Type == nameof(OptOutReviewRequested)).Body;
            Assert.Multiple(() =>
            {
                var detection = changed.GetProperty("detection");
                Assert.That(Names(detection), Is.SupersetOf(new[] { "method", "language", "matched", "score", "reason" }));
                Assert.That(detection.GetProperty("method").GetString(), Is.EqualTo("Phrase"));
                Assert.That(detection.GetProperty("language").GetString(), Is.EqualTo("en"));
                Assert.That(detection.GetProperty("score").GetDouble(), Is.GreaterThanOrEqualTo(0.8));

                Assert.That(replies.Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("language").GetString(), r.GetProperty("to").GetString())),
                    Is.EquivalentTo(new[] { ("OptOut", "en", "+15552013011"), ("Help", "es", "+15552013013") }));

                Assert.That(Names(review), Is.SupersetOf(new[] { "accountId", "phoneNumber", "to", "text", "reason", "score", "detection", "receivedAt" }));
                Assert.That(review.GetProperty("phoneNumber").GetString(), Is.EqualTo("+15552013012"));
                Assert.That(review.GetProperty("text").GetString(), Is.EqualTo("not interested"));
                Assert.That(review.GetProperty("detection").GetProperty("method").GetString(), Is.EqualTo("Phrase"));
            });
        }
        finally
        {
            await Rabbit.DeleteQueueAndExchangeAsync(queue, CancellationToken.None);
        }
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
