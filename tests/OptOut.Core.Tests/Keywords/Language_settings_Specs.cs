using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Core.Tests.Keywords;

[TestFixture]
public class When_an_account_changes_its_languages
{
    private static readonly AccountId Account = Guid.NewGuid();

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static UpdateOptOutSettings Update() => new()
    {
        AccountId = Account,
        DefaultCountryCode = "1",
        AutoOptOutEnabled = true,
        OptOutMessage = AccountSettings.DefaultOptOutMessage,
    };

    private static (AccountSettings? Settings, List<SettingsFieldError> Errors) Validate(UpdateOptOutSettings update) =>
        AccountSettings.Validate(update, AccountSettings.Defaults(Account), Now);

    [Test]
    public void Should_have_every_shipped_language_active_by_default()
    {
        var settings = AccountSettings.Defaults(Account);

        Assert.Multiple(() =>
        {
            Assert.That(settings.ActiveLanguages, Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)));
            Assert.That(settings.DetectionEnabled, Is.True);
            Assert.That(settings.PossibleRevocationThreshold, Is.EqualTo(AccountSettings.DefaultPossibleRevocationThreshold));
            Assert.That(settings.ContactOptInOverridesAdmin, Is.False);
        });
    }

    [Test]
    public void Should_turn_a_language_off_and_stop_matching_its_keywords()
    {
        var (settings, errors) = Validate(Update() with { ActiveLanguages = ["en", "es", "pt", "de", "zh", "vi", "ko", "tl"] });

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(settings!.IsActive("fr"), Is.False);
            Assert.That(KeywordMatcher.For(settings).Match("ARRÊT"), Is.Null);
            Assert.That(KeywordMatcher.For(settings).Match("ALTO"), Is.EqualTo("ALTO"));
            Assert.That(settings.ToStored().InactiveLanguages, Is.EqualTo(new[] { "fr" }));
        });
    }

    [Test]
    public void Should_refuse_to_turn_english_off()
    {
        var (settings, errors) = Validate(Update() with { ActiveLanguages = ["es"] });

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "activeLanguages" }));
            Assert.That(errors[0].Reason, Does.Contain("English can't be turned off"));
        });
    }

    [Test]
    public void Should_refuse_a_language_that_is_not_shipped()
    {
        var (_, errors) = Validate(Update() with { ActiveLanguages = ["en", "xx"], Languages = [new LanguageSettings { Language = "klingon" }] });

        Assert.That(errors.Select(e => e.Field), Is.EquivalentTo(new[] { "activeLanguages", "languages" }));
    }

    [Test]
    public void Should_refuse_a_keyword_another_active_language_has_and_say_which()
    {
        var (settings, errors) = Validate(Update() with { Keywords = [.. AccountSettings.DefaultKeywords, "ARRET"] });

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "keywords" }));
            Assert.That(errors[0].Reason, Does.Contain("ARRÊT").And.Contain("fr"));
        });
    }

    [Test]
    public void Should_accept_that_keyword_once_the_other_language_is_off()
    {
        var (settings, errors) = Validate(Update() with
        {
            Keywords = [.. AccountSettings.DefaultKeywords, "ARRET"],
            ActiveLanguages = ["en", "es"],
        });

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(KeywordMatcher.For(settings!).MatchEntry("arrêt"), Is.EqualTo(new KeywordEntry("ARRET", KeywordKind.OptOut, "en")));
        });
    }

    [Test]
    public void Should_refuse_a_keyword_of_two_kinds()
    {
        var (_, errors) = Validate(Update() with
        {
            Languages = [new LanguageSettings { Language = "es", OptInKeywords = ["COMENZAR", "ALTO"] }],
        });

        Assert.Multiple(() =>
        {
            Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "languages[es].optInKeywords" }));
            Assert.That(errors[0].Reason, Does.Contain("both an opt-out and an opt-in keyword of es"));
        });
    }

    [TestCase("optInKeywords", "START cannot be removed from the opt-in keywords")]
    [TestCase("helpKeywords", "HELP cannot be removed from the help keywords")]
    public void Should_keep_start_and_help(string field, string reason)
    {
        var english = field == "optInKeywords"
            ? new LanguageSettings { Language = "en", OptInKeywords = ["UNSTOP"] }
            : new LanguageSettings { Language = "en", HelpKeywords = ["INFO"] };

        var (_, errors) = Validate(Update() with { Languages = [english] });

        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EqualTo(new[] { ($"languages[en].{field}", reason) }));
    }

    [Test]
    public void Should_add_and_remove_keywords_of_each_kind_and_keep_the_difference_from_the_shipped_lists()
    {
        var (settings, errors) = Validate(Update() with
        {
            Languages =
            [
                new LanguageSettings
                {
                    Language = "es",
                    OptOutKeywords = ["ALTO", "BAJA", "BASTA"],
                    OptInKeywords = ["COMENZAR", "VOLVER"],
                    HelpMessage = "Mensajes de Acme. Responda ALTO para no recibir más.",
                },
            ],
        });

        var es = settings!.Language("es");
        var stored = settings.ToStored().Languages.Single();
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(es.OptOut, Is.EqualTo(new[] { "ALTO", "BAJA", "BASTA" }));
            Assert.That(es.OptIn, Is.EqualTo(new[] { "COMENZAR", "VOLVER" }));
            Assert.That(es.HelpMessage, Is.EqualTo("Mensajes de Acme. Responda ALTO para no recibir más."));
            Assert.That(stored.Code, Is.EqualTo("es"));
            Assert.That(stored.AddedOptOut, Is.EqualTo(new[] { "BASTA" }));
            Assert.That(stored.RemovedOptOut, Does.Contain("PARA").And.Contain("CANCELAR"));
            Assert.That(stored.AddedOptIn, Is.EqualTo(new[] { "VOLVER" }));
            Assert.That(KeywordMatcher.For(settings).MatchEntry("basta!")?.Language, Is.EqualTo("es"));
            Assert.That(KeywordMatcher.For(settings).MatchEntry("cancelar"), Is.Null);
        });
    }

    [Test]
    public void Should_restore_what_it_stored()
    {
        var (saved, _) = Validate(Update() with
        {
            ActiveLanguages = ["en", "es", "zh"],
            Languages = [new LanguageSettings { Language = "zh", OptOutKeywords = ["退订", "TD", "T"], OptInMessage = "已恢复。" }],
            DetectionEnabled = false,
            PossibleRevocationThreshold = 0.3,
            ContactOptInOverridesAdmin = true,
        });

        var restored = AccountSettings.Restore(Account, saved!.DefaultCountryCode, saved.AutoOptOutEnabled, saved.OptOutMessage, saved.Keywords,
            saved.UpdatedAt, saved.UpdatedBy, saved.ToStored());

        Assert.Multiple(() =>
        {
            Assert.That(restored.Languages, Is.EqualTo(saved.Languages).Using<LanguageKeywords>(SameLanguage));
            Assert.That(restored.ActiveLanguages, Is.EqualTo(new[] { "en", "es", "zh" }));
            Assert.That(restored.DetectionEnabled, Is.False);
            Assert.That(restored.PossibleRevocationThreshold, Is.EqualTo(0.3));
            Assert.That(restored.ContactOptInOverridesAdmin, Is.True);
        });
    }

    [TestCase(0.05)]
    [TestCase(0.8)]
    [TestCase(double.NaN)]
    public void Should_refuse_a_threshold_out_of_range(double threshold)
    {
        var (_, errors) = Validate(Update() with { PossibleRevocationThreshold = threshold });

        Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "possibleRevocationThreshold" }));
    }

    [Test]
    public void Should_check_each_languages_messages()
    {
        var (_, errors) = Validate(Update() with
        {
            Languages = [new LanguageSettings { Language = "fr", OptInMessage = " ", HelpMessage = new string('x', 321) }],
        });

        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EqualTo(new[]
        {
            ("languages[fr].optInMessage", "the opt-in message is empty"),
            ("languages[fr].helpMessage", "the help message is 321 characters; the limit is 320"),
        }));
    }

    [Test]
    public void Should_refuse_english_opt_out_keywords_given_twice_differently()
    {
        var (_, errors) = Validate(Update() with
        {
            Keywords = ["STOP", "QUIT"],
            Languages = [new LanguageSettings { Language = "en", OptOutKeywords = ["STOP"] }],
        });

        Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "keywords" }));
    }

    private static bool SameLanguage(LanguageKeywords a, LanguageKeywords b) =>
        a.Code == b.Code && a.OptOut.SequenceEqual(b.OptOut) && a.OptIn.SequenceEqual(b.OptIn) && a.Help.SequenceEqual(b.Help)
        && a.OptOutMessage == b.OptOutMessage && a.OptInMessage == b.OptInMessage && a.HelpMessage == b.HelpMessage;
}

[TestFixture]
public class When_settings_saved_before_languages_are_read
{
    private static readonly AccountId Account = Guid.NewGuid();

    [Test]
    public void Should_keep_every_keyword_working_and_gain_the_shipped_languages()
    {
        // An account that added ARRET (French ships ARRÊT), SÍ (Spanish ships it as opt-in) and a word of its own.
        var settings = AccountSettings.Restore(Account, 44, true, "Bye.", ["STOP", "ARRET", "SI", "BASTA"], null, null);
        var matcher = KeywordMatcher.For(settings);

        Assert.Multiple(() =>
        {
            Assert.That(settings.ActiveLanguages, Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)));
            Assert.That(settings.OptOutMessage, Is.EqualTo("Bye."));
            Assert.That(settings.Keywords, Is.EqualTo(new[] { "STOP", "SI", "BASTA" }), "ARRET moved to French, where it means the same");
            Assert.That(matcher.MatchEntry("arret"), Is.EqualTo(new KeywordEntry("ARRÊT", KeywordKind.OptOut, "fr")));
            Assert.That(matcher.MatchEntry("sí")?.Kind, Is.EqualTo(KeywordKind.OptOut), "the account's own meaning is kept (compliance first)");
            Assert.That(settings.Language("es").OptIn, Does.Not.Contain("SÍ"));
            Assert.That(matcher.MatchEntry("退订")?.Language, Is.EqualTo("zh"));
            Assert.That(matcher.MatchEntry("START")?.Kind, Is.EqualTo(KeywordKind.OptIn));
        });
    }

    [Test]
    public void Should_save_back_without_errors()
    {
        var current = AccountSettings.Restore(Account, 1, true, AccountSettings.DefaultOptOutMessage, ["STOP", "ARRET", "SI"], null, null);

        var (settings, errors) = AccountSettings.Validate(new UpdateOptOutSettings
        {
            AccountId = Account,
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = current.OptOutMessage,
        }, current, DateTimeOffset.UnixEpoch);

        Assert.Multiple(() =>
        {
            Assert.That(errors.Select(e => e.Reason), Is.Empty);
            Assert.That(settings!.Keywords, Is.EqualTo(new[] { "STOP", "SI" }));
        });
    }
}
