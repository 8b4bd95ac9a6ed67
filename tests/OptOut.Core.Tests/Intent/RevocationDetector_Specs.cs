using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Intent;

namespace OptOut.Core.Tests.Intent;

/// <summary>The cases the issue names (FCC 24-24: "a reasonable person would understand those words to convey a request to revoke consent").</summary>
[TestFixture]
public class When_reading_a_text_that_is_not_a_keyword
{
    private static readonly ResolvedSettings Settings = ResolvedSettings.From(AccountSettings.Defaults(Guid.NewGuid()));

    private static TextIntent Read(string text) => IntentClassifier.Classify(Settings, text);

    [TestCase("Please stop texting me")]
    [TestCase("stop texting me")]
    [TestCase("remove me from your list")]
    [TestCase("remove me")]
    [TestCase("take me off your list")]
    [TestCase("don't text me again")]
    [TestCase("wrong number")]
    [TestCase("leave me alone")]
    [TestCase("I revoke my consent")]
    [TestCase("unsubscribe me")]
    [TestCase("no more texts please")]
    [TestCase("STOP. Who is this?")]
    [TestCase("stop please")]
    [TestCase("Por favor no me manden más mensajes")]
    [TestCase("Arrêtez de m'envoyer des SMS")]
    [TestCase("Parem de me mandar mensagem")]
    [TestCase("Bitte keine SMS mehr")]
    [TestCase("不要再给我发短信了")]
    [TestCase("Đừng nhắn tin cho tôi nữa")]
    [TestCase("문자 보내지 마세요")]
    [TestCase("tigilan nyo na ako")]
    public void Should_read_a_revocation(string text)
    {
        var intent = Read(text);

        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.OptOut), intent.Detection?.Reason);
            Assert.That(intent.Detection!.Method, Is.EqualTo(DetectionMethod.Phrase));
            Assert.That(intent.Detection.Score, Is.GreaterThanOrEqualTo(AccountSettings.RevocationScore));
            Assert.That(intent.Detection.Reason, Does.Contain(intent.Detection.Matched!), "the reason says what matched");
        });
    }

    [TestCase("unsubcribe", "UNSUBSCRIBE")]
    [TestCase("stpo", "STOP")]
    [TestCase("STOOOOOP", "STOP")]
    public void Should_read_a_misspelt_keyword_as_the_keyword(string text, string keyword)
    {
        var intent = Read(text);

        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.OptOut));
            Assert.That(intent.Detection!.Method, Is.EqualTo(DetectionMethod.Typo));
            Assert.That(intent.Detection.Matched, Is.EqualTo(keyword));
        });
    }

    [TestCase("don't stop")]
    [TestCase("please don't stop texting me")]
    [TestCase("we have got to STOP this bill")]
    [TestCase("stop the war")]
    [TestCase("bus stop")]
    [TestCase("when does voting end?")]
    [TestCase("can I cancel my RSVP?")]
    [TestCase("ok")]
    [TestCase("who is this?")]
    [TestCase("Can you stop by at 5?")]
    [TestCase("I'll stop by tomorrow")]
    [TestCase("shop")]
    [TestCase("Yes")]
    public void Should_not_read_a_revocation(string text)
    {
        var intent = Read(text);

        Assert.That(intent.Kind, Is.Not.EqualTo(TextIntentKind.OptOut), intent.Detection?.Reason);
    }

    [TestCase("not interested")]
    [TestCase("how did you get my number?")]
    public void Should_read_a_possible_revocation_for_review(string text)
    {
        var intent = Read(text);

        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.PossibleOptOut));
            Assert.That(intent.Detection!.Score, Is.InRange(AccountSettings.DefaultPossibleRevocationThreshold, AccountSettings.RevocationScore));
        });
    }

    [Test]
    public void Should_say_the_language_it_read()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Read("déjenme en paz").Language, Is.EqualTo("es"));
            Assert.That(Read("laissez-moi tranquille").Language, Is.EqualTo("fr"));
            Assert.That(Read("请停止发送").Language, Is.EqualTo("zh"));
        });
    }

    [Test]
    public void Should_read_nothing_with_detection_off_but_keywords_still()
    {
        var (off, _) = AccountSettings.Validate(new UpdateOptOutSettings
        {
            AccountId = Guid.NewGuid(),
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = "Bye.",
            DetectionEnabled = false,
        }, AccountSettings.Defaults(Guid.NewGuid()), DateTimeOffset.UnixEpoch);
        var settings = ResolvedSettings.From(off!);

        Assert.Multiple(() =>
        {
            Assert.That(IntentClassifier.Classify(settings, "Please stop texting me").Kind, Is.EqualTo(TextIntentKind.None));
            Assert.That(IntentClassifier.Classify(settings, "STOP").Kind, Is.EqualTo(TextIntentKind.OptOut));
        });
    }

    [Test]
    public void Should_apply_the_accounts_threshold_for_possible_revocations()
    {
        var (strict, _) = AccountSettings.Validate(new UpdateOptOutSettings
        {
            AccountId = Guid.NewGuid(),
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = "Bye.",
            PossibleRevocationThreshold = 0.75,
        }, AccountSettings.Defaults(Guid.NewGuid()), DateTimeOffset.UnixEpoch);

        Assert.That(IntentClassifier.Classify(ResolvedSettings.From(strict!), "not interested").Kind, Is.EqualTo(TextIntentKind.None));
    }

    [Test]
    public void Should_decide_the_same_every_time()
    {
        var texts = new[] { "stop texting me", "not interested", "bus stop", "unsubcribe" };

        Assert.That(texts.Select(t => Read(t).Detection), Is.EqualTo(texts.Select(t => Read(t).Detection)));
    }
}

[TestFixture]
public class When_reading_a_keyword_text
{
    private static readonly ResolvedSettings Settings = ResolvedSettings.From(AccountSettings.Defaults(Guid.NewGuid()));

    [TestCase("START", TextIntentKind.OptIn, "en")]
    [TestCase("unstop", TextIntentKind.OptIn, "en")]
    [TestCase("HELP", TextIntentKind.Help, "en")]
    [TestCase("Ayuda", TextIntentKind.Help, "es")]
    [TestCase("START STOP", TextIntentKind.OptOut, "en")]
    [TestCase("HELP START", TextIntentKind.Help, "en")]
    [TestCase("Stop Stop", TextIntentKind.OptOut, "en")]
    [TestCase("ARRET", TextIntentKind.OptOut, "fr")]
    [TestCase("退訂", TextIntentKind.OptOut, "zh")]
    public void Should_read_its_kind_and_language(string text, TextIntentKind kind, string language)
    {
        var intent = IntentClassifier.Classify(Settings, text);

        Assert.Multiple(() =>
        {
            Assert.That((intent.Kind, intent.Language), Is.EqualTo((kind, language)));
            Assert.That(intent.Detection!.Method, Is.EqualTo(DetectionMethod.Keyword));
            Assert.That(intent.Detection.Score, Is.EqualTo(1));
        });
    }
}

/// <summary>Texts of several sentences, spelt-out keywords, laughter and quoted instructions.</summary>
[TestFixture]
public class When_reading_a_text_of_several_sentences
{
    private static readonly ResolvedSettings Settings = ResolvedSettings.From(AccountSettings.Defaults(Guid.NewGuid()));

    private static TextIntent Read(string text) => IntentClassifier.Classify(Settings, text);

    [TestCase("I never gave you permission to text me. Stop.", "STOP")]
    [TestCase("Baja. Ya no vivo en Texas", "BAJA")]
    [TestCase("Thanks for nothing, seriously, I mean it. QUIT.", "QUIT")]
    public void Should_read_an_opt_out_keyword_that_is_a_sentence_of_its_own(string text, string keyword)
    {
        var intent = Read(text);

        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.OptOut), intent.Detection?.Reason);
            Assert.That(intent.Detection!.Matched, Is.EqualTo(keyword));
            Assert.That(intent.Detection.Reason, Does.Contain("sentence"));
        });
    }

    [Test]
    public void Should_not_let_a_block_run_on_into_the_next_sentence()
    {
        // "STOP THIS" (as in "stop this bill") must not block "I said STOP" across the full stop.
        var intent = Read("I said STOP. This is the 4th time.");

        Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.OptOut), intent.Detection?.Reason);
    }

    [Test]
    public void Should_still_read_a_blocked_phrase_within_one_sentence_as_blocked()
    {
        Assert.That(Read("We have got to STOP this bill. Call your senator").Kind, Is.EqualTo(TextIntentKind.None));
    }

    [TestCase("S.T.O.P.")]
    [TestCase("s t o p")]
    public void Should_read_a_keyword_spelt_out_letter_by_letter(string text)
    {
        var intent = Read(text);

        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(TextIntentKind.OptOut), intent.Detection?.Reason);
            Assert.That(intent.Detection!.Method, Is.EqualTo(DetectionMethod.Typo));
        });
    }

    [TestCase("Arrête, t'es trop drôle 😂")]
    [TestCase("hahaha stop it you're killing me")]
    public void Should_leave_a_joke_to_a_person_at_most(string text)
    {
        Assert.That(Read(text).Kind, Is.AnyOf(TextIntentKind.None, TextIntentKind.PossibleOptOut));
    }

    [TestCase("I got a text saying \"reply STOP to opt out\" from a number I don't know, is that you?")]
    [TestCase("Hab 'ne SMS bekommen \"Antworte STOP zum Abmelden\" – seid ihr das?")]
    [TestCase("收到一条短信说“回复TD退订”，是你们发的还是诈骗？")]
    public void Should_not_read_a_quoted_instruction_to_reply_stop_as_a_revocation(string text)
    {
        Assert.That(Read(text).Kind, Is.Not.EqualTo(TextIntentKind.OptOut), Read(text).Detection?.Reason);
    }

    [TestCase("no me quiten de la lista porfa")]
    [TestCase("nicht abmelden, ich will die Erinnerungen behalten")]
    [TestCase("Please take me off the carpool list for Friday")]
    [TestCase("I'll stop by the office tomorrow to drop off the form")]
    public void Should_not_read_a_negated_or_other_list_request_as_a_revocation(string text)
    {
        Assert.That(Read(text).Kind, Is.Not.EqualTo(TextIntentKind.OptOut), Read(text).Detection?.Reason);
    }
}
