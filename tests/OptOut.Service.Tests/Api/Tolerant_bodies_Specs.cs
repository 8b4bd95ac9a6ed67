using System.Net;
using System.Text;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The admin API reads bodies as the bus reads messages (a calling code as a number or a string, unknown fields
/// ignored) and answers a body it can't read with <c>400</c> and the reason next to the field, the same reason the bus
/// gives.
/// </summary>
[TestFixture]
public sealed class When_an_api_client_writes_fields_its_own_way : AdminApiSpecification
{
    [Test]
    public async Task Should_read_a_calling_code_sent_as_a_number_and_ignore_unknown_fields()
    {
        using var client = Client();
        var account = Guid.NewGuid();
        using var put = await client.PutAsync(Url(account, "settings"), Raw("""
            {"defaultCountryCode": 44, "autoOptOutEnabled": true, "optOutMessage": "Bye.", "theme": "dark", "extra": {"a": [1, 2]}}
            """));
        var saved = await Expect(put, HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(saved.GetProperty("defaultCountryCode").GetString(), Is.EqualTo("44"), "written back as a string");
            Assert.That(saved.GetProperty("optOutMessage").GetString(), Is.EqualTo("Bye."));
        });
    }

    [TestCase("4.4", "the number 4.4 is not a calling code")]
    [TestCase("true", "a JSON boolean is not a calling code")]
    public async Task Should_answer_400_naming_the_field_for_a_calling_code_that_is_no_number(string code, string reason)
    {
        using var client = Client();
        var account = Guid.NewGuid();
        using var put = await client.PutAsync(Url(account, "settings"), Raw($$"""
            {"defaultCountryCode": {{code}}, "autoOptOutEnabled": false, "optOutMessage": "Bye."}
            """));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That(Strings(problem.GetProperty("errors").GetProperty("defaultCountryCode")), Has.One.Contains(reason));
            Assert.That(problem.GetProperty("detail").GetString(), Does.StartWith("defaultCountryCode: " + reason));
        });

        using var get = await client.GetAsync(Url(account, "settings"));
        var settings = await Expect(get, HttpStatusCode.OK);
        Assert.That(settings.GetProperty("autoOptOutEnabled").GetBoolean(), Is.True, "an unreadable update changes nothing");
    }

    [Test]
    public async Task Should_answer_400_with_a_reason_for_malformed_json()
    {
        using var client = Client();
        using var put = await client.PutAsync(Url(Guid.NewGuid(), "settings"), Raw("""{"defaultCountryCode": "1", "autoOptOutEnabled": """));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task Should_describe_an_enum_in_the_openapi_document_as_its_names()
    {
        using var client = Client();
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = await Expect(response, HttpStatusCode.OK);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var result = schemas.EnumerateObject().Single(s => s.Value.TryGetProperty("properties", out var p) && p.TryGetProperty("outcome", out _)
            && p.TryGetProperty("input", out _)).Value;
        var outcome = result.GetProperty("properties").GetProperty("outcome");
        if (outcome.TryGetProperty("$ref", out var reference))
            outcome = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        TestContext.Out.WriteLine($"outcome: {outcome}");

        Assert.That(outcome.GetProperty("enum").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(Enum.GetNames<OptOut.Contracts.OptOutOutcome>()));
    }

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");
}
