using System.Text.Json;
using System.Xml.Linq;
using OptOut.AsyncApi;
using OptOut.Contracts;
using OptOut.Service.Tests.BusApi.FutureContracts;

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

    /// <summary>
    /// Account ids as opaque strings (a <c>string</c> with the annotations the contracts will carry): the pattern and
    /// lengths from the DataAnnotations, a number accepted on input when the field is marked so, never on output.
    /// </summary>
    [Test]
    public void Should_map_a_string_account_id_with_its_annotations_and_accept_a_number_only_on_input()
    {
        var docs = ContractDocs.From(XDocument.Parse($"""
            <doc><members>
              <member name="T:{typeof(FutureText).FullName}"><summary>A text.</summary></member>
              <member name="P:{typeof(FutureText).FullName}.AccountId"><summary>The account.</summary></member>
              <member name="P:{typeof(FutureText).FullName}.Body"><summary>The text.</summary></member>
            </members></doc>
            """));
        var input = new ContractSchemas(docs, typeof(FutureText).Namespace!);
        input.Reference(typeof(FutureText), Direction.Consumed);
        var output = new ContractSchemas(docs, typeof(FutureText).Namespace!);
        output.Reference(typeof(FutureText), Direction.Published);

        var consumed = input.Components[nameof(FutureText)]!["properties"]!["accountId"]!;
        var published = output.Components[nameof(FutureText)]!["properties"]!["accountId"]!;
        Assert.Multiple(() =>
        {
            Assert.That(consumed["type"]!.ToJsonString(), Is.EqualTo("""["string","integer"]"""));
            Assert.That(published["type"]!.GetValue<string>(), Is.EqualTo("string"));
            Assert.That(published["pattern"]!.GetValue<string>(), Is.EqualTo(FutureText.AccountIdPattern));
            Assert.That(published["minLength"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(published["maxLength"]!.GetValue<int>(), Is.EqualTo(64));
            Assert.That(published["format"], Is.Null, "an opaque string is not a uuid");
            Assert.That(input.Components[nameof(FutureText)]!["required"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "accountId" }));
        });
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
