using System.Text.Json;
using OptOut.Contracts;

namespace OptOut.Service.Tests.BusApi;

/// <summary>What the payload schemas accept and refuse, as a producer validating against docs/asyncapi.json sees it.</summary>
[TestFixture]
public sealed class When_a_payload_is_checked_against_its_schema
{
    private static readonly BusApiSchemas Schemas = BusApiSchemas.Shared;

    [Test]
    public void Should_accept_an_inbound_message_as_the_readme_sends_it()
    {
        var violations = Schemas.Violations(nameof(InboundMessage), Json("""
            {"accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "from": "+15552011234", "to": "+15559870000", "body": "STOP",
             "receivedAt": "2026-11-29T12:00:00Z", "providerMessageId": "SM123", "conversationId": null}
            """));

        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void Should_refuse_an_inbound_message_without_a_body_or_with_a_body_over_5000_characters()
    {
        var missing = Schemas.Violations(nameof(InboundMessage), Json("""{"accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "from": "+15552011234"}"""));
        var tooLong = Schemas.Violations(nameof(InboundMessage), Json($$"""
            {"accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "from": "+15552011234", "body": "{{new string('a', 5001)}}"}
            """));

        Assert.Multiple(() =>
        {
            Assert.That(missing, Has.Some.Contains("body"));
            Assert.That(tooLong, Has.Some.Contains("/body"));
        });
    }

    [Test]
    public void Should_refuse_an_enum_that_is_not_one_of_its_names_and_a_time_that_is_not_iso_8601()
    {
        var violations = Schemas.Violations(nameof(OptOutRequested), Json("""
            {"requestId": "0b7c2b0e-5d43-4c55-9f0e-3b9a2c6f1d10", "accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "phoneNumbers": ["+15552011234"],
             "source": 1, "requestedBy": "crm", "requestedAt": "yesterday"}
            """));

        Assert.Multiple(() =>
        {
            Assert.That(violations, Has.Some.Contains("/source"));
            Assert.That(violations, Has.Some.Contains("/requestedAt"));
        });
    }

    [Test]
    public void Should_require_every_field_the_service_always_writes_in_an_event()
    {
        var violations = Schemas.Violations(nameof(ConversationOptStateChanged), Json("""
            {"accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "phoneNumber": "+15552011234", "state": "OptedOut", "source": "Keyword"}
            """));

        Assert.That(violations, Has.Some.Contains("changedAt"));
    }

    [Test]
    public void Should_report_a_field_the_schema_does_not_declare()
    {
        var violations = Schemas.Violations(nameof(BulkUploadFailed), Json("""
            {"uploadId": "0b7c2b0e-5d43-4c55-9f0e-3b9a2c6f1d10", "accountId": "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11", "reason": "no phone column", "rows": 3}
            """));

        Assert.That(violations, Is.EqualTo(new[] { "BulkUploadFailed.rows: not declared in the schema" }));
    }

    [TestCase("\"acme-campaigns\"")]
    [TestCase("42")]
    [TestCase("\"AC0123456789abcdef:us-east@prod_1.x\"")]
    public void Should_accept_any_account_id_of_the_rule_as_a_string_or_an_integer_on_input(string accountId)
    {
        var violations = Schemas.Violations(nameof(InboundMessage), Json($$"""{"accountId": {{accountId}}, "from": "+15552011234", "body": "STOP"}"""));

        Assert.That(violations, Is.Empty);
    }

    [TestCase("\"\"")]
    [TestCase("\"acme campaigns\"")]
    [TestCase("\"acme/campaigns\"")]
    [TestCase("4.2")]
    [TestCase("true")]
    [TestCase("null")]
    public void Should_refuse_an_account_id_that_breaks_the_rule_on_input(string accountId)
    {
        var violations = Schemas.Violations(nameof(InboundMessage), Json($$"""{"accountId": {{accountId}}, "from": "+15552011234", "body": "STOP"}"""));

        Assert.That(violations, Has.Some.Contains("accountId"));
    }

    [Test]
    public void Should_refuse_an_account_id_over_64_characters_and_an_integer_one_in_an_event()
    {
        var tooLong = Schemas.Violations(nameof(InboundMessage), Json($$"""{"accountId": "{{new string('a', 65)}}", "from": "+15552011234", "body": "STOP"}"""));
        var number = Schemas.Violations(nameof(ConversationOptStateChanged), Json("""
            {"accountId": 42, "phoneNumber": "+15552011234", "state": "OptedOut", "source": "Keyword", "changedAt": "2026-11-29T12:00:00Z"}
            """));

        Assert.Multiple(() =>
        {
            Assert.That(tooLong, Has.Some.Contains("accountId"));
            Assert.That(number, Has.Some.Contains("accountId"), "the service writes every account id as a string");
        });
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
