using OptOut.Contracts;
using System.Net;
using System.Text.Json;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_an_administrator_opts_numbers_out : AdminApiSpecification
{
    [Test]
    public async Task Should_answer_with_the_outcome_of_every_input()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var first = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+1 (555) 201-1001", note = "asked by phone" }));
        await Expect(first, HttpStatusCode.OK);

        using var response = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "555 201 1001, +15552011002, 201-1234, hello" }));
        var body = await Expect(response, HttpStatusCode.OK);
        var results = body.GetProperty("results").EnumerateArray().ToList();

        Assert.That(results, Has.Count.EqualTo(4));
        Assert.Multiple(() =>
        {
            Assert.That(Outcome(results[0]), Is.EqualTo(("555 201 1001", "+15552011001", "AlreadyOptedOut")));
            Assert.That(Outcome(results[1]), Is.EqualTo(("+15552011002", "+15552011002", "OptedOut")));
            Assert.That(Outcome(results[2]).Outcome, Is.EqualTo("Rejected"));
            Assert.That(results[2].GetProperty("reason").GetString(), Does.Contain("local number"));
            Assert.That(Outcome(results[3]).Outcome, Is.EqualTo("Rejected"));
            Assert.That(results[3].GetProperty("reason").GetString(), Does.Contain("not a phone number"));
        });
    }

    [Test]
    public async Task Should_answer_400_when_no_number_was_given()
    {
        using var client = Client();
        using var response = await client.PostAsync(Url(Guid.NewGuid(), "opt-outs"), Json(new { phones = " , ", note = "x" }));
        var problem = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(Strings(problem.GetProperty("errors").GetProperty("phones")), Has.One.Contains("at least one phone number"));
    }

    [Test]
    public async Task Should_find_the_number_in_another_format_with_its_note_and_history()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552011003", note = "asked by email" }));
        await Expect(post, HttpStatusCode.OK);

        using var response = await client.GetAsync(Url(account, "opt-outs/" + Uri.EscapeDataString("(555) 201-1003")));
        var record = await Expect(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("phoneNumber").GetString(), Is.EqualTo("+15552011003"));
            Assert.That(record.GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
            Assert.That(record.GetProperty("source").GetString(), Is.EqualTo("Manual"));
            Assert.That(record.GetProperty("note").GetString(), Is.EqualTo($"Opted out manually by {AdminName}: asked by email"));
            Assert.That(record.GetProperty("actor").GetString(), Is.EqualTo(AdminName));
            var history = record.GetProperty("history").EnumerateArray().ToList();
            Assert.That(history, Has.Count.EqualTo(1));
            Assert.That(history[0].GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
            Assert.That(history[0].GetProperty("note").GetString(), Does.EndWith("asked by email"));
        });
    }

    [Test]
    public async Task Should_answer_404_for_a_number_never_opted_out()
    {
        using var client = Client();
        using var response = await client.GetAsync(Url(Guid.NewGuid(), "opt-outs/+15552011999"));
        var problem = await Expect(response, HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo("+15552011999 has never been opted out in this account."));
    }

    [Test]
    public async Task Should_answer_400_for_something_that_is_not_a_number()
    {
        using var client = Client();
        using var response = await client.GetAsync(Url(Guid.NewGuid(), "opt-outs/call-me-maybe"));
        var problem = await Expect(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Not a phone number"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("call-me-maybe"));
    }

    [Test]
    public async Task Should_keep_each_account_apart()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552011004" }));
        await Expect(post, HttpStatusCode.OK);

        using var other = await client.GetAsync(Url(Guid.NewGuid(), "opt-outs/+15552011004"));
        await Expect(other, HttpStatusCode.NotFound);
    }

    private static (string? Input, string? Phone, string? Outcome) Outcome(JsonElement result) =>
        (result.GetProperty("input").GetString(), result.GetProperty("phoneNumber").GetString(), result.GetProperty("outcome").GetString());
}

[TestFixture]
public sealed class When_an_administrator_deletes_an_opt_out : AdminApiSpecification
{
    [Test]
    public async Task Should_opt_the_number_back_in_and_keep_the_history()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552011005", note = "by mistake" }));
        await Expect(post, HttpStatusCode.OK);

        using var delete = await client.DeleteAsync(Url(account, "opt-outs/555-201-1005?reason=" + Uri.EscapeDataString("the contact asked again")));
        var deleted = await Expect(delete, HttpStatusCode.OK);
        Assert.That(deleted.GetProperty("phoneNumber").GetString(), Is.EqualTo("+15552011005"));
        Assert.That(deleted.GetProperty("outcome").GetString(), Is.EqualTo("OptedIn"));

        using var get = await client.GetAsync(Url(account, "opt-outs/+15552011005"));
        var record = await Expect(get, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("state").GetString(), Is.EqualTo("OptedIn"));
            var history = record.GetProperty("history").EnumerateArray().ToList();
            Assert.That(history.Select(h => h.GetProperty("state").GetString()), Is.EqualTo(new[] { "OptedOut", "OptedIn" }));
            Assert.That(history[1].GetProperty("note").GetString(), Does.Contain("the contact asked again"));
        });

        using var again = await client.DeleteAsync(Url(account, "opt-outs/+15552011005"));
        var second = await Expect(again, HttpStatusCode.OK);
        Assert.That(second.GetProperty("outcome").GetString(), Is.EqualTo("NotOptedOut"), "a second delete changes nothing");
    }

    [Test]
    public async Task Should_answer_400_for_something_that_is_not_a_number()
    {
        using var client = Client();
        using var delete = await client.DeleteAsync(Url(Guid.NewGuid(), "opt-outs/nobody"));
        await Expect(delete, HttpStatusCode.BadRequest);
    }
}

[TestFixture]
public sealed class When_an_administrator_looks_up_a_number_a_contact_opted_out : AdminApiSpecification
{
    [Test]
    public async Task Should_show_how_a_revocation_in_the_contacts_own_words_was_read()
    {
        AccountId account = Guid.NewGuid();
        var record = await TextAndLookUp(account, "+15552011101", "please stop texting me");

        var entry = record.GetProperty("history").EnumerateArray().Single();
        var detection = entry.GetProperty("detection");
        Assert.That(detection.ValueKind, Is.EqualTo(JsonValueKind.Object), $"no detection in {entry}");
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("source").GetString(), Is.EqualTo("Keyword"));
            Assert.That(detection.GetProperty("method").GetString(), Is.EqualTo("Phrase"));
            Assert.That(detection.GetProperty("language").GetString(), Is.EqualTo("en"));
            Assert.That(detection.GetProperty("matched").GetString(), Is.Not.Empty);
            Assert.That(detection.GetProperty("score").GetDouble(), Is.InRange(0.8, 1.0), "a revocation");
            Assert.That(detection.GetProperty("reason").GetString(), Is.Not.Empty);
            Assert.That(entry.GetProperty("note").GetString(), Does.StartWith("Contact texted \"please stop texting me\""));
        });
    }

    [Test]
    public async Task Should_show_which_keyword_was_texted()
    {
        var record = await TextAndLookUp(Guid.NewGuid(), "+15552011102", "stop");

        var detection = record.GetProperty("history")[0].GetProperty("detection");
        Assert.That(detection.ValueKind, Is.EqualTo(JsonValueKind.Object), $"no detection in {record}");
        Assert.Multiple(() =>
        {
            Assert.That(detection.GetProperty("method").GetString(), Is.EqualTo("Keyword"));
            Assert.That(detection.GetProperty("matched").GetString(), Is.EqualTo("STOP"));
            Assert.That(detection.GetProperty("score").GetDouble(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_show_no_detection_for_an_opt_out_no_text_caused()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552011103" }));
        await Expect(post, HttpStatusCode.OK);

        using var response = await client.GetAsync(Url(account, "opt-outs/+15552011103"));
        var record = await Expect(response, HttpStatusCode.OK);
        Assert.That(record.GetProperty("history")[0].GetProperty("detection").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    /// <summary>Publishes what the contact texts, as the SMS gateway does, and polls the lookup until the number is opted out.</summary>
    private async Task<JsonElement> TextAndLookUp(AccountId account, string from, string body)
    {
        await Services.GetRequiredService<MassTransit.IBus>().Publish(new OptOut.Contracts.InboundMessage
        {
            AccountId = account,
            From = from,
            To = "+15552010000",
            Body = body,
            ReceivedAt = DateTimeOffset.UtcNow,
            ProviderMessageId = "api-spec-" + Guid.NewGuid().ToString("N"),
        });

        using var client = Client();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var response = await client.GetAsync(Url(account, "opt-outs/" + Uri.EscapeDataString(from)));
            if (response.StatusCode == HttpStatusCode.OK)
                return await ReadJson(response);
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{from} was not opted out: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }
}
