using OptOut.Contracts;
using System.Net;
using OptOut.Core.Keywords;

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
        AccountId account = Guid.NewGuid();
        var message = "Vous êtes désinscrit 🙏 Répondez START pour revenir.";
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "+44",
            autoOptOutEnabled = false,
            optOutMessage = message,
            keywords = new[] { "stop", "basta", "  Enough " },
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
            Assert.That(Strings(settings.GetProperty("keywords")), Is.EqualTo(new[] { "STOP", "BASTA", "ENOUGH" }));
            Assert.That(settings.GetProperty("message").GetProperty("length").GetInt32(), Is.EqualTo(message.Length));
        });
    }

    [Test]
    public async Task Should_answer_400_with_every_reason_next_to_its_field_and_change_nothing()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
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
    public async Task Should_answer_400_for_a_review_deadline_or_time_zone_it_cannot_use_and_change_nothing()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "1",
            autoOptOutEnabled = false,
            optOutMessage = "Bye.",
            reviewDeadlineBusinessDays = 11,
            timeZone = "Mars/Olympus_Mons",
        }));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(Strings(errors.GetProperty("reviewDeadlineBusinessDays")).Single(), Does.Contain("it must be from 1 to 10"));
            Assert.That(Strings(errors.GetProperty("timeZone")).Single(), Does.Contain("'Mars/Olympus_Mons' is not a known IANA time zone id"));
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

    [Test]
    public async Task Should_show_every_shipped_language_with_its_keywords_and_messages_and_the_detection_settings()
    {
        using var client = Client();
        using var response = await client.GetAsync(Url(Guid.NewGuid(), "settings"));
        var settings = await Expect(response, HttpStatusCode.OK);

        var languages = settings.GetProperty("languages").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(languages.Select(l => l.GetProperty("language").GetString()), Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)));
            Assert.That(Strings(settings.GetProperty("activeLanguages")), Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)), "every language is active by default");
            Assert.That(languages.Select(l => l.GetProperty("active").GetBoolean()), Is.All.True);
            var english = languages[0];
            Assert.That(english.GetProperty("name").GetString(), Is.EqualTo("English"));
            Assert.That(Strings(english.GetProperty("optOutKeywords")), Is.EqualTo(Strings(settings.GetProperty("keywords"))), "keywords are English's opt-out list");
            Assert.That(english.GetProperty("optOutMessage").GetString(), Is.EqualTo(settings.GetProperty("optOutMessage").GetString()));
            Assert.That(Strings(english.GetProperty("optInKeywords")), Does.Contain("START"));
            Assert.That(Strings(english.GetProperty("helpKeywords")), Does.Contain("HELP"));
            var spanish = languages[1];
            Assert.That(spanish.GetProperty("name").GetString(), Is.EqualTo("Spanish"));
            Assert.That(Strings(spanish.GetProperty("optInKeywords")), Is.EqualTo(ShippedLanguage.Find("es")!.OptIn));
            Assert.That(spanish.GetProperty("helpMessage").GetString(), Is.EqualTo(ShippedLanguage.Find("es")!.HelpMessage));
            Assert.That(spanish.GetProperty("optInMessage").GetString(), Is.EqualTo(ShippedLanguage.Find("es")!.OptInMessage));
            Assert.That(settings.GetProperty("detectionEnabled").GetBoolean(), Is.True);
            Assert.That(settings.GetProperty("possibleRevocationThreshold").GetDouble(), Is.EqualTo(0.5));
            Assert.That(settings.GetProperty("contactOptInOverridesAdmin").GetBoolean(), Is.False);
            Assert.That(settings.GetProperty("reviewDeadlineBusinessDays").GetInt32(), Is.EqualTo(1));
            Assert.That(settings.GetProperty("timeZone").GetString(), Is.EqualTo("America/New_York"));
        });
    }

    [Test]
    public async Task Should_save_languages_and_detection_and_show_them_again()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        var spanishOptIn = ShippedLanguage.Find("es")!.OptIn.Append("vamos").ToArray();
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "1",
            autoOptOutEnabled = true,
            optOutMessage = "Unsubscribed. Reply START to resubscribe.",
            activeLanguages = new[] { "en", "es", "de" },
            languages = new object[]
            {
                new { language = "es", optInKeywords = spanishOptIn, helpMessage = "Acme: mensajes automáticos. Responda ALTO para darse de baja." },
                new { language = "fr", helpMessage = "Acme : répondez ARRET pour vous désabonner." },
            },
            detectionEnabled = false,
            possibleRevocationThreshold = 0.35,
            contactOptInOverridesAdmin = true,
            reviewDeadlineBusinessDays = 5,
            timeZone = "America/Chicago",
        }));
        var saved = await Expect(put, HttpStatusCode.OK);
        using var get = await client.GetAsync(Url(account, "settings"));
        var read = await Expect(get, HttpStatusCode.OK);

        foreach (var (what, settings) in new[] { ("the PUT's answer", saved), ("a GET afterwards", read) })
        {
            var languages = settings.GetProperty("languages").EnumerateArray().ToDictionary(l => l.GetProperty("language").GetString()!);
            Assert.Multiple(() =>
            {
                Assert.That(Strings(settings.GetProperty("activeLanguages")), Is.EqualTo(new[] { "en", "es", "de" }), what);
                Assert.That(languages["fr"].GetProperty("active").GetBoolean(), Is.False, what);
                Assert.That(languages["es"].GetProperty("active").GetBoolean(), Is.True, what);
                Assert.That(Strings(languages["es"].GetProperty("optInKeywords")).Last(), Is.EqualTo("VAMOS"), what);
                Assert.That(languages["es"].GetProperty("helpMessage").GetString(), Is.EqualTo("Acme: mensajes automáticos. Responda ALTO para darse de baja."), what);
                Assert.That(languages["es"].GetProperty("optOutMessage").GetString(), Is.EqualTo(ShippedLanguage.Find("es")!.OptOutMessage), what + ": a field left out keeps what it had");
                Assert.That(languages["fr"].GetProperty("helpMessage").GetString(), Is.EqualTo("Acme : répondez ARRET pour vous désabonner."), what + ": an inactive language keeps its messages");
                Assert.That(languages["en"].GetProperty("optOutMessage").GetString(), Is.EqualTo("Unsubscribed. Reply START to resubscribe."), what);
                Assert.That(settings.GetProperty("detectionEnabled").GetBoolean(), Is.False, what);
                Assert.That(settings.GetProperty("possibleRevocationThreshold").GetDouble(), Is.EqualTo(0.35), what);
                Assert.That(settings.GetProperty("contactOptInOverridesAdmin").GetBoolean(), Is.True, what);
                Assert.That(settings.GetProperty("reviewDeadlineBusinessDays").GetInt32(), Is.EqualTo(5), what);
                Assert.That(settings.GetProperty("timeZone").GetString(), Is.EqualTo("America/Chicago"), what);
            });
        }
    }

    [Test]
    public async Task Should_keep_the_languages_when_a_client_sends_only_the_original_fields()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var first = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "1", autoOptOutEnabled = true, optOutMessage = "Bye.", activeLanguages = new[] { "en", "es" }, possibleRevocationThreshold = 0.6,
        }));
        await Expect(first, HttpStatusCode.OK);

        using var legacy = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "44", autoOptOutEnabled = true, optOutMessage = "Bye now.", keywords = new[] { "STOP", "ENOUGH" },
        }));
        var settings = await Expect(legacy, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(Strings(settings.GetProperty("keywords")), Is.EqualTo(new[] { "STOP", "ENOUGH" }));
            Assert.That(Strings(settings.GetProperty("activeLanguages")), Is.EqualTo(new[] { "en", "es" }));
            Assert.That(settings.GetProperty("possibleRevocationThreshold").GetDouble(), Is.EqualTo(0.6));
        });
    }

    [Test]
    public async Task Should_refuse_an_english_keyword_that_an_active_language_has_next_to_the_keywords()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var put = await client.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "1",
            autoOptOutEnabled = true,
            optOutMessage = "Bye.",
            keywords = new[] { "STOP", "QUIT", "ARRET" },
        }));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "keywords" }));
            Assert.That(Strings(errors.GetProperty("keywords")), Is.EqualTo(new[]
                { "'ARRET' of en is already 'ARRÊT', an opt-out keyword of fr (active too); a text must mean one thing" }));
        });
        using var get = await client.GetAsync(Url(account, "settings"));
        var settings = await Expect(get, HttpStatusCode.OK);
        Assert.That(Strings(settings.GetProperty("keywords")), Does.Not.Contain("ARRET"), "a refused update changes nothing");
    }

    [Test]
    public async Task Should_name_each_language_field_in_error()
    {
        using var client = Client();
        using var put = await client.PutAsync(Url(Guid.NewGuid(), "settings"), Json(new
        {
            defaultCountryCode = "1",
            autoOptOutEnabled = true,
            optOutMessage = "Bye.",
            activeLanguages = new[] { "es", "xx" },
            languages = new object[]
            {
                new { language = "es", helpMessage = "  " },
                new { language = "en", optInKeywords = new[] { "RESUME" } },
            },
            possibleRevocationThreshold = 0.9,
        }));
        var problem = await Expect(put, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(Strings(errors.GetProperty("languages[es].helpMessage")), Is.EqualTo(new[] { "the help message is empty" }));
            Assert.That(Strings(errors.GetProperty("languages[en].optInKeywords")), Is.EqualTo(new[] { "START cannot be removed from the opt-in keywords" }));
            Assert.That(Strings(errors.GetProperty("activeLanguages")), Has.Some.Contains("'xx' is not a language the service ships"));
            Assert.That(Strings(errors.GetProperty("activeLanguages")), Has.Some.Contains("English can't be turned off"));
            Assert.That(Strings(errors.GetProperty("possibleRevocationThreshold")), Has.One.Contains("it must be from 0.1 to 0.75"));
        });
    }
}
