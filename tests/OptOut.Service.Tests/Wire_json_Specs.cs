using System.Text.Json;
using OptOut.Contracts;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests;

/// <summary>
/// The bus's and the admin API's JSON rules (<see cref="WireJson"/>) without a broker: what is read tolerantly, what is
/// still refused and why, and the one form that is written.
/// </summary>
[TestFixture]
public class When_reading_and_writing_wire_json
{
    // camelCase like MassTransit's and ASP.NET Core's options; a fresh instance per fixture, so nothing is shared.
    private static readonly JsonSerializerOptions Options = new JsonSerializerOptions(JsonSerializerDefaults.Web).UseTolerantReading();

    [TestCase("\"Messenger\"")]
    [TestCase("\"messenger\"")]
    [TestCase("\"MESSENGER\"")]
    [TestCase("\"mEsSeNgEr\"")]
    public void Should_read_an_enum_name_in_any_letter_case(string source) =>
        Assert.That(Request(source).Source, Is.EqualTo(OptOutRequestSource.Messenger));

    [TestCase("\"OPTED_OUT\"", "'OPTED_OUT' is not a OptOutRequestSource")]
    [TestCase("\"Messen_ger\"", "'Messen_ger' is not a OptOutRequestSource")]
    [TestCase("1", "the number 1 is not a OptOutRequestSource")]
    [TestCase("\"1\"", "'1' is not a OptOutRequestSource")]
    [TestCase("\" Manual\"", "' Manual' is not a OptOutRequestSource")]
    [TestCase("\"Manual, Api\"", "'Manual, Api' is not a OptOutRequestSource")]
    [TestCase("true", "a JSON boolean is not a OptOutRequestSource")]
    public void Should_refuse_any_other_spelling_and_say_why(string source, string reason)
    {
        var ex = Assert.Throws<JsonException>(() => Request(source));

        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Reason(ex!), Does.StartWith("source: " + reason));
            Assert.That(WireJson.Reason(ex!), Does.Contain("expected one of Manual, Messenger, Api"));
            Assert.That(WireJson.Field(ex!), Is.EqualTo("source"));
        });
    }

    [TestCase("44", "44")]
    [TestCase("\"44\"", "44")]
    [TestCase("\"+44\"", "+44", Description = "a string is read as it is: the validator decides what it means")]
    [TestCase("1", "1")]
    [TestCase("null", null)]
    public void Should_read_a_calling_code_as_a_number_or_a_string(string code, string? read) =>
        Assert.That(Settings(code).DefaultCountryCode, Is.EqualTo(read));

    [TestCase("4.4", "the number 4.4 is not a calling code")]
    [TestCase("44.0", "the number 44.0 is not a calling code")]
    [TestCase("-44", "the number -44 is not a calling code")]
    [TestCase("4e1", "the number 4e1 is not a calling code")]
    [TestCase("true", "a JSON boolean is not a calling code")]
    [TestCase("[44]", "a JSON array is not a calling code")]
    [TestCase("{\"code\": 44}", "a JSON object is not a calling code")]
    public void Should_refuse_a_calling_code_that_is_not_a_whole_number_or_a_string(string code, string reason)
    {
        var ex = Assert.Throws<JsonException>(() => Settings(code));

        Assert.That(WireJson.Reason(ex!), Does.StartWith("defaultCountryCode: " + reason));
    }

    [Test]
    public void Should_not_quote_a_whole_phone_number_in_a_reason()
    {
        var ex = Assert.Throws<JsonException>(() => Settings("15552011234.5"));

        Assert.That(WireJson.Reason(ex!), Does.Not.Contain("15552011234").And.Contain("1234"));
    }

    [Test]
    public void Should_ignore_unknown_fields()
    {
        var request = JsonSerializer.Deserialize<OptOutRequested>(
            """{"source": "api", "requestedBy": "crm", "priority": 7, "tags": ["a"], "meta": {"x": 1}}""", Options)!;

        Assert.That((request.Source, request.RequestedBy), Is.EqualTo((OptOutRequestSource.Api, "crm")));
    }

    [Test]
    public void Should_write_enums_as_their_exact_names_and_calling_codes_as_strings()
    {
        var json = JsonSerializer.SerializeToElement(new ConversationOptStateChanged { State = OptState.OptedOut, Source = OptOutSource.BulkUpload }, Options);
        var settings = JsonSerializer.SerializeToElement(new OptOutSettingsChanged { DefaultCountryCode = "44" }, Options);

        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
            Assert.That(json.GetProperty("source").GetString(), Is.EqualTo("BulkUpload"));
            Assert.That(settings.GetProperty("defaultCountryCode").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [Test]
    public void Should_refuse_to_write_an_enum_value_without_a_name() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(new ConversationOptStateChanged { State = (OptState)7 }, Options));

    private static OptOutRequested Request(string source) =>
        JsonSerializer.Deserialize<OptOutRequested>($$"""{"requestedBy": "crm", "source": {{source}}}""", Options)!;

    private static UpdateOptOutSettings Settings(string code) =>
        JsonSerializer.Deserialize<UpdateOptOutSettings>($$"""{"autoOptOutEnabled": true, "defaultCountryCode": {{code}}}""", Options)!;
}
