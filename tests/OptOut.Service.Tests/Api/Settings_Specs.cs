using System.Net;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_an_administrator_manages_the_settings : AdminApiSpecification
{
    [Test]
    public async Task Should_show_the_defaults_of_a_new_account_with_the_message_length()
    {
        using var client = Client();
        using var response = await client.GetAsync(Url(Guid.NewGuid(), "settings"));
        var settings = await Expect(response, HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(settings.GetProperty("defaultCountryCode").GetString(), Is.EqualTo("1"));
            Assert.That(settings.GetProperty("autoOptOutEnabled").GetBoolean(), Is.True);
            Assert.That(Strings(settings.GetProperty("keywords")), Does.Contain("STOP").And.Contain("OPT OUT"));
            var message = settings.GetProperty("optOutMessage").GetString()!;
            Assert.That(settings.GetProperty("message").GetProperty("length").GetInt32(), Is.EqualTo(message.Length));
            Assert.That(settings.GetProperty("message").GetProperty("segments").GetInt32(), Is.EqualTo(1));
            Assert.That(settings.GetProperty("message").GetProperty("encoding").GetString(), Is.EqualTo("GSM-7"));
        });
    }

    [Test]
    public async Task Should_save_valid_settings_and_measure_the_message()
    {
        using var client = Client();
        var account = Guid.NewGuid();
        var message = "Vous êtes désinscrit 🙏 Répondez START pour revenir.";
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "+44",
            autoOptOutEnabled = false,
            optOutMessage = message,
            keywords = new[] { "stop", "arret", "  Halt " },
        }));
        var saved = await Expect(put, HttpStatusCode.OK);
        Assert.That(saved.GetProperty("message").GetProperty("encoding").GetString(), Is.EqualTo("UCS-2"), "an emoji forces UCS-2");

        using var get = await client.GetAsync(Url(account, "settings"));
        var settings = await Expect(get, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(settings.GetProperty("defaultCountryCode").GetString(), Is.EqualTo("44"));
            Assert.That(settings.GetProperty("autoOptOutEnabled").GetBoolean(), Is.False);
            Assert.That(settings.GetProperty("optOutMessage").GetString(), Is.EqualTo(message));
            Assert.That(Strings(settings.GetProperty("keywords")), Is.EqualTo(new[] { "STOP", "ARRET", "HALT" }));
            Assert.That(settings.GetProperty("message").GetProperty("length").GetInt32(), Is.EqualTo(message.Length));
        });
    }

    [Test]
    public async Task Should_answer_400_with_every_reason_next_to_its_field_and_change_nothing()
    {
        using var client = Client();
        var account = Guid.NewGuid();
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "0",
            autoOptOutEnabled = false,
            optOutMessage = "   ",
            keywords = new[] { "QUIT", "!!!" },
        }));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("The settings were not changed"));
            Assert.That(Strings(errors.GetProperty("defaultCountryCode")), Has.One.Contains("'0' is not a country calling code"));
            Assert.That(Strings(errors.GetProperty("optOutMessage")), Has.One.Contains("the opt-out message is empty"));
            Assert.That(Strings(errors.GetProperty("keywords")), Has.Some.Contains("STOP cannot be removed"));
            Assert.That(Strings(errors.GetProperty("keywords")), Has.Some.Contains("'!!!' has no letters or digits"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("country").And.Contain("message").And.Contain("STOP"));
        });

        using var get = await client.GetAsync(Url(account, "settings"));
        var settings = await Expect(get, HttpStatusCode.OK);
        Assert.That(settings.GetProperty("autoOptOutEnabled").GetBoolean(), Is.True, "a rejected update changes nothing");
    }

    [Test]
    public async Task Should_answer_400_for_a_message_over_320_characters()
    {
        using var client = Client();
        using var put = await client.PutAsync(Url(Guid.NewGuid(), "settings"), Json(new
        {
            defaultCountryCode = "1",
            autoOptOutEnabled = true,
            optOutMessage = new string('a', 321),
        }));
        var problem = await Expect(put, HttpStatusCode.BadRequest);
        Assert.That(Strings(problem.GetProperty("errors").GetProperty("optOutMessage")), Has.One.Contains("321 characters; the limit is 320"));
    }
}
