using OptOut.Core;

namespace OptOut.Core.Tests;

[TestFixture]
public class When_normalizing_message_text
{
    [TestCase("STOP", "STOP")]
    [TestCase("  Stop!! 🛑", "STOP")]
    [TestCase("opt-out", "OPT OUT")]
    [TestCase("OPT   OUT", "OPT OUT")]
    [TestCase("stop\r\n\tall", "STOP ALL")]
    [TestCase("ＳＴＯＰ", "STOP")]
    [TestCase("𝐒𝐓𝐎𝐏", "STOP")]
    [TestCase("Ⓢⓣⓞⓟ", "STOP")]
    [TestCase("ﬆop", "STOP")]
    [TestCase("Don't stop", "DONT STOP")]
    [TestCase("Don’t stop", "DONT STOP")]
    [TestCase("Don´t stop", "DONT STOP")]
    [TestCase("Donʼt stop", "DONT STOP")]
    [TestCase("Don＇t stop", "DONT STOP")]
    [TestCase("`stop`", "STOP")]
    [TestCase("\"STOP\"", "STOP")]
    [TestCase("“Stop”", "STOP")]
    [TestCase("«stop»", "STOP")]
    [TestCase("🛑\uFE0F STOP 👨\u200D👩\u200D👧", "STOP")]
    [TestCase("STOP🛑STOP", "STOP STOP")]
    [TestCase("S\u200BTOP", "STOP")]
    [TestCase("\uFEFFSTOP\u00AD", "STOP")]
    [TestCase("1\uFE0F\u20E3 stop", "1 STOP")]
    [TestCase("été", "ETE")]
    [TestCase("e\u0301te\u0301", "ETE")]
    [TestCase("stop\ud800", "STOP")]
    [TestCase("\udc00stop", "STOP")]
    [TestCase("stop\uFFFE", "STOP")]
    [TestCase("stop.", "STOP")]
    [TestCase("¡Alto!", "ALTO")]
    [TestCase("停止", "停止")]
    [TestCase("!!!", "")]
    [TestCase("🛑", "")]
    [TestCase("   ", "")]
    [TestCase("", "")]
    [TestCase(null, "")]
    public void Should_fold_case_width_punctuation_quotes_and_emoji(string? text, string expected)
    {
        Assert.That(KeywordMatcher.Normalize(text), Is.EqualTo(expected));
    }

    [Test]
    public void Should_handle_text_longer_than_a_message()
    {
        var text = string.Concat(Enumerable.Repeat("Stop! ", 2000));

        var normalized = KeywordMatcher.Normalize(text);

        Assert.That(normalized, Is.EqualTo(string.Join(' ', Enumerable.Repeat("STOP", 2000))));
    }

    [Test]
    public void Should_handle_text_that_nfkc_makes_longer()
    {
        // U+FDFA expands to 18 characters under NFKC.
        var text = new string('\uFDFA', 100);

        Assert.That(KeywordMatcher.Normalize(text), Is.Not.Empty);
    }
}

[TestFixture]
public class When_matching_opt_out_keywords
{
    private KeywordMatcher _matcher = null!;

    [SetUp]
    public void Create_a_matcher_with_the_default_keywords() => _matcher = new KeywordMatcher(AccountSettings.DefaultKeywords);

    [TestCase("STOP", "STOP")]
    [TestCase("stop", "STOP")]
    [TestCase("  Stop!! 🛑", "STOP")]
    [TestCase("ＳＴＯＰ", "STOP")]
    [TestCase("\"Stop\"", "STOP")]
    [TestCase("Stop.", "STOP")]
    [TestCase("Stop all", "STOP ALL")]
    [TestCase("stopall", "STOPALL")]
    [TestCase("Unsubscribe.", "UNSUBSCRIBE")]
    [TestCase("cancel", "CANCEL")]
    [TestCase("End", "END")]
    [TestCase("quit!", "QUIT")]
    [TestCase("Revoke", "REVOKE")]
    [TestCase("OptOut", "OPTOUT")]
    [TestCase("opt out", "OPT OUT")]
    [TestCase("opt-out", "OPT OUT")]
    [TestCase("Opt_Out", "OPT OUT")]
    public void Should_match_a_keyword_alone(string body, string keyword)
    {
        Assert.That(_matcher.Match(body), Is.EqualTo(keyword));
    }

    [TestCase("STOP STOP", "STOP")]
    [TestCase("stop, stop!", "STOP")]
    [TestCase("STOP STOP STOP STOP", "STOP")]
    [TestCase("OPT OUT OPT OUT", "OPT OUT")]
    [TestCase("opt-out opt-out", "OPT OUT")]
    [TestCase("🛑 STOP 🛑 STOP 🛑", "STOP")]
    public void Should_match_a_repeated_keyword(string body, string keyword)
    {
        Assert.That(_matcher.Match(body), Is.EqualTo(keyword));
    }

    // Compliance first: a message that is nothing but opt-out keywords can't mean anything else.
    [TestCase("STOP QUIT", "STOP")]
    [TestCase("Quit. End!", "QUIT")]
    [TestCase("unsubscribe stop", "UNSUBSCRIBE")]
    [TestCase("stop all stop", "STOP ALL")]
    [TestCase("cancel opt out", "CANCEL")]
    public void Should_match_a_message_made_only_of_keywords(string body, string keyword)
    {
        Assert.That(_matcher.Match(body), Is.EqualTo(keyword));
    }

    [TestCase("please stop texting me")]
    [TestCase("STOP it")]
    [TestCase("stop?! who is this")]
    [TestCase("Don't stop")]
    [TestCase("stopp")]
    [TestCase("STOPSTOP")]
    [TestCase("S T O P")]
    [TestCase("opt")]
    [TestCase("all")]
    [TestCase("Thanks!")]
    [TestCase("ok see you at 5")]
    [TestCase("🛑")]
    [TestCase("!!!")]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void Should_not_match_anything_else(string? body)
    {
        Assert.That(_matcher.Match(body), Is.Null);
    }

    [Test]
    public void Should_match_a_keyword_repeated_as_long_as_a_text_can_be()
    {
        var body = string.Join(' ', Enumerable.Repeat("STOP", 1000)) + "!";
        Assert.That(body, Has.Length.EqualTo(InboundText.MaxBodyLength));

        Assert.That(_matcher.Match(body), Is.EqualTo("STOP"));
    }

    [Test]
    public void Should_match_a_keyword_followed_by_a_hundred_emoji()
    {
        var body = "STOP " + string.Concat(Enumerable.Repeat("🛑", 100));
        Assert.That(body.Length, Is.GreaterThan(200));

        Assert.That(_matcher.Match(body), Is.EqualTo("STOP"));
    }

    [Test]
    public void Should_not_match_a_message_longer_than_a_text_can_be()
    {
        var body = string.Join(' ', Enumerable.Repeat("STOP", 1000)) + "!!";
        Assert.That(body, Has.Length.EqualTo(InboundText.MaxBodyLength + 1));

        Assert.That(_matcher.Match(body), Is.Null);
    }

    [Test]
    public void Should_not_count_surrounding_whitespace_against_the_limit()
    {
        Assert.That(_matcher.Match(new string(' ', 500) + "STOP" + new string('\n', 500)), Is.EqualTo("STOP"));
    }

    [Test]
    public void Should_give_up_on_a_long_message_fast()
    {
        var body = new string('x', 10_000);

        Assert.That(_matcher.Match(body), Is.Null);
    }

    [Test]
    public void Should_match_a_keyword_that_nfkc_expands()
    {
        // Each squared "㌀" becomes four characters: the body is short as typed, long once normalized.
        var matcher = new KeywordMatcher(["STOP", "アパート"]);

        Assert.That(matcher.Match(string.Join(' ', Enumerable.Repeat("㌀", 100))), Is.EqualTo("アパート"));
    }
}

[TestFixture]
public class When_building_a_matcher_from_an_accounts_keywords
{
    [Test]
    public void Should_treat_spellings_that_normalize_alike_as_one_keyword()
    {
        var matcher = new KeywordMatcher(["OPT-OUT"]);

        Assert.Multiple(() =>
        {
            Assert.That(matcher.Match("opt out"), Is.EqualTo("OPT-OUT"));
            Assert.That(matcher.Match("OPT-OUT"), Is.EqualTo("OPT-OUT"));
            Assert.That(matcher.Match("optout"), Is.Null);
        });
    }

    [Test]
    public void Should_match_custom_keywords_in_other_languages()
    {
        var matcher = new KeywordMatcher(["STOP", "arrêt", "ALTO"]);

        Assert.Multiple(() =>
        {
            Assert.That(matcher.Match("Arrêt"), Is.EqualTo("ARRÊT"));
            Assert.That(matcher.Match("arre\u0302t!"), Is.EqualTo("ARRÊT"));
            Assert.That(matcher.Match("ARRET"), Is.EqualTo("ARRÊT"), "accents fold: ARRET = ARRÊT");
            Assert.That(matcher.Match("¡Alto!"), Is.EqualTo("ALTO"));
            Assert.That(matcher.Match("QUIT"), Is.Null);
        });
    }

    [Test]
    public void Should_not_rule_out_a_letter_that_a_combining_mark_turns_into_another()
    {
        // 'e' starts no keyword, but "e\u0301" is 'É' once composed.
        var matcher = new KeywordMatcher(["STOP", "ÉTÉ"]);

        Assert.Multiple(() =>
        {
            Assert.That(matcher.Match("e\u0301te\u0301"), Is.EqualTo("ÉTÉ"));
            Assert.That(matcher.Match("ete"), Is.EqualTo("ÉTÉ"), "accents fold");
            Assert.That(matcher.Match("etc"), Is.Null);
        });
    }

    [Test]
    public void Should_ignore_keywords_with_nothing_to_match()
    {
        var matcher = new KeywordMatcher(["STOP", "", "  ", "🛑", "!!!"]);

        Assert.Multiple(() =>
        {
            Assert.That(matcher.Match("🛑"), Is.Null);
            Assert.That(matcher.Match("STOP 🛑"), Is.EqualTo("STOP"));
        });
    }

    [Test]
    public void Should_match_nothing_without_keywords()
    {
        Assert.That(new KeywordMatcher(Array.Empty<string>()).Match("STOP"), Is.Null);
    }

    [Test]
    public void Should_refuse_a_missing_list()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new KeywordMatcher((IEnumerable<string>)null!));
    }
}
