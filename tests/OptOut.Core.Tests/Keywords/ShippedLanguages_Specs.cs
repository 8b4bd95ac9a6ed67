using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Core.Tests.Keywords;

[TestFixture]
public class When_reading_the_shipped_languages
{
    private static readonly KeywordKind[] Kinds = [KeywordKind.OptOut, KeywordKind.OptIn, KeywordKind.Help];

    [Test]
    public void Should_ship_the_nine_languages_the_issue_names_english_first()
    {
        Assert.That(ShippedLanguages.All.Select(l => l.Code), Is.EqualTo(new[] { "en", "es", "fr", "pt", "de", "zh", "vi", "ko", "tl" }));
    }

    [Test]
    public void Should_give_no_text_two_meanings_across_languages_and_kinds()
    {
        // Every language is active by default, so a bare ARRÊT or 退订 must mean one thing (compliance first).
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var collisions = new List<string>();
        foreach (var language in ShippedLanguages.All)
        {
            foreach (var kind in Kinds)
            {
                foreach (var keyword in language.Keywords(kind))
                {
                    var owner = $"{language.Code} {kind}";
                    var normalized = KeywordMatcher.Normalize(keyword);
                    if (owners.TryGetValue(normalized, out var other) && other != owner)
                        collisions.Add($"{keyword}: {other} and {owner}");
                    owners[normalized] = owner;
                }
            }
        }

        Assert.That(collisions, Is.Empty);
    }

    [Test]
    public void Should_ship_the_english_keywords_the_issue_lists()
    {
        var english = ShippedLanguages.All[0];
        Assert.Multiple(() =>
        {
            Assert.That(english.OptOut, Is.SupersetOf(new[] { "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT", "OPT-OUT" }));
            Assert.That(english.OptIn, Is.SupersetOf(new[] { "START", "UNSTOP", "YES" }));
            Assert.That(english.Help, Is.SupersetOf(new[] { "HELP", "INFO" }));
        });
    }

    [Test]
    public void Should_ship_every_message_within_the_limit_and_the_issue_examples_as_opt_outs()
    {
        var matcher = KeywordMatcher.For(AccountSettings.Defaults(Guid.NewGuid()));
        Assert.Multiple(() =>
        {
            foreach (var language in ShippedLanguages.All)
            {
                foreach (var kind in Kinds)
                {
                    Assert.That(language.Message(kind), Has.Length.InRange(1, AccountSettings.MaxOptOutMessageLength), $"{language.Code} {kind}");
                    Assert.That(language.Keywords(kind), Is.Not.Empty, $"{language.Code} {kind}");
                }
            }

            foreach (var text in new[] { "ALTO", "PARAR", "BAJA", "ARRÊT", "PARE", "STOPP", "退订" })
                Assert.That(matcher.MatchEntry(text)?.Kind, Is.EqualTo(KeywordKind.OptOut), text);
        });
    }

    [Test]
    public void Should_match_every_shipped_keyword_as_its_kind_and_language_in_a_new_account()
    {
        var matcher = KeywordMatcher.For(AccountSettings.Defaults(Guid.NewGuid()));
        Assert.Multiple(() =>
        {
            foreach (var language in ShippedLanguages.All)
            {
                foreach (var kind in Kinds)
                {
                    foreach (var keyword in language.Keywords(kind))
                    {
                        var entry = matcher.MatchEntry(keyword.ToLowerInvariant() + "!");
                        Assert.That((entry?.Kind, entry?.Language), Is.EqualTo((kind, language.Code)), keyword);
                    }
                }
            }
        });
    }

    [TestCase("ARRET", "ARRÊT", "fr")]
    [TestCase("arrêt", "ARRÊT", "fr")]
    [TestCase("dung", "DỪNG", "vi")]
    [TestCase("kundigen", "KÜNDIGEN", "de")]
    [TestCase("ＳＴＯＰＰ", "STOPP", "de")]
    [TestCase("退訂！", "退訂", "zh")]
    [TestCase("수신 거부", "수신 거부", "ko")]
    [TestCase("no mas", "NO MÁS", "es")]
    public void Should_fold_accents_width_and_punctuation(string text, string? keyword, string? language)
    {
        var entry = KeywordMatcher.For(AccountSettings.Defaults(Guid.NewGuid())).MatchEntry(text);

        Assert.That((entry?.Keyword, entry?.Language), Is.EqualTo((keyword, language)));
    }

    [Test]
    public void Should_accept_the_defaults_saved_back_unchanged()
    {
        var defaults = AccountSettings.Defaults(Guid.NewGuid());
        var update = new UpdateOptOutSettings
        {
            AccountId = defaults.AccountId,
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = defaults.OptOutMessage,
            Keywords = defaults.Keywords,
            ActiveLanguages = defaults.ActiveLanguages,
            Languages = [.. defaults.Languages.Select(l => l.ToContract())],
        };

        var (settings, errors) = AccountSettings.Validate(update, defaults, DateTimeOffset.UnixEpoch);

        Assert.Multiple(() =>
        {
            Assert.That(errors.Select(e => e.Reason), Is.Empty);
            Assert.That(settings!.ToStored().Languages, Is.Empty, "nothing differs from the shipped languages");
            Assert.That(settings.ToStored().InactiveLanguages, Is.Empty);
        });
    }
}
