using OptOut.Contracts;

namespace OptOut.Core.Tests;

/// <summary>A keyword may mean one thing across the active languages; the refusal goes next to the list it was just added to.</summary>
[TestFixture]
public class When_a_keyword_is_given_a_second_meaning
{
    private static readonly AccountSettings Current = AccountSettings.Defaults(SettingsUpdates.AccountId);

    [Test]
    public void Should_refuse_it_at_the_english_keywords_naming_the_other_language()
    {
        var update = SettingsUpdates.Valid() with { Keywords = [.. AccountSettings.DefaultKeywords, "ARRET"] };

        var (settings, errors) = AccountSettings.Validate(update, Current, SettingsUpdates.Now);

        Assert.That(settings, Is.Null);
        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EqualTo(new[]
        {
            ("keywords", "'ARRET' of en is already 'ARRÊT', an opt-out keyword of fr (active too); a text must mean one thing"),
        }));
    }

    [Test]
    public void Should_refuse_it_at_the_language_it_was_added_to()
    {
        var spanish = Current.Language("es");
        var update = SettingsUpdates.Valid() with
        {
            Languages = [new LanguageSettings { Language = "es", OptInKeywords = [.. spanish.OptIn, "AIDE"], HelpKeywords = [.. spanish.Help, "INICIO"] }],
        };

        var (_, errors) = AccountSettings.Validate(update, Current, SettingsUpdates.Now);

        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EquivalentTo(new[]
        {
            ("languages[es].optInKeywords", "'AIDE' of es is already 'AIDE', a help keyword of fr (active too); a text must mean one thing"),
            ("languages[es].helpKeywords", "'INICIO' is both an opt-in and a help keyword of es; a keyword has one meaning"),
        }));
    }

    [Test]
    public void Should_accept_it_once_the_other_language_is_off()
    {
        var update = SettingsUpdates.Valid() with
        {
            Keywords = [.. AccountSettings.DefaultKeywords, "ARRET"],
            ActiveLanguages = ["en", "es"],
        };

        var (settings, errors) = AccountSettings.Validate(update, Current, SettingsUpdates.Now);

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.Keywords, Does.Contain("ARRET"));
    }
}
