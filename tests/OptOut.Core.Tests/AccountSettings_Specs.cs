using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Core.Tests;

internal static class SettingsUpdates
{
    public static readonly AccountId AccountId = Guid.Parse("6f1c2a57-0d6e-4c55-9a8e-2f4b7c9d1e01");

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static UpdateOptOutSettings Valid() => new()
    {
        AccountId = AccountId,
        DefaultCountryCode = "44",
        AutoOptOutEnabled = false,
        OptOutMessage = "You're unsubscribed. Reply START to resubscribe.",
        Keywords = null,
        RequestedBy = "admin@example.com",
    };
}

[TestFixture]
public class When_settings_are_updated_with_valid_input
{
    private AccountSettings _current = null!;

    [SetUp]
    public void Start_from_custom_settings() =>
        _current = AccountSettings.Restore(SettingsUpdates.AccountId, 1, true, AccountSettings.DefaultOptOutMessage,
            ["STOP", "ENOUGH"], SettingsUpdates.Now.AddDays(-30), "someone@example.com");

    [Test]
    public void Should_apply_every_field()
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid(), _current, SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(settings, Is.Not.Null);
            Assert.That(settings!.AccountId, Is.EqualTo(SettingsUpdates.AccountId));
            Assert.That(settings.DefaultCountryCode, Is.EqualTo(44));
            Assert.That(settings.AutoOptOutEnabled, Is.False);
            Assert.That(settings.OptOutMessage, Is.EqualTo("You're unsubscribed. Reply START to resubscribe."));
            Assert.That(settings.UpdatedAt, Is.EqualTo(SettingsUpdates.Now));
            Assert.That(settings.UpdatedBy, Is.EqualTo("admin@example.com"));
        });
    }

    [TestCase("1", 1)]
    [TestCase("+1", 1)]
    [TestCase(" 44 ", 44)]
    [TestCase("+44", 44)]
    [TestCase(" +353", 353)]
    [TestCase("800", 800)]
    public void Should_accept_a_calling_code_with_or_without_plus(string code, int expected)
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { DefaultCountryCode = code }, _current,
            SettingsUpdates.Now);

        Assert.That(settings?.DefaultCountryCode, Is.EqualTo(expected), string.Join("; ", errors));
    }

    [Test]
    public void Should_trim_the_opt_out_message()
    {
        var (settings, _) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { OptOutMessage = "  Bye.\n" }, _current,
            SettingsUpdates.Now);

        Assert.That(settings?.OptOutMessage, Is.EqualTo("Bye."));
    }

    [Test]
    public void Should_accept_an_opt_out_message_of_320_characters()
    {
        var message = new string('x', AccountSettings.MaxOptOutMessageLength);

        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { OptOutMessage = message }, _current,
            SettingsUpdates.Now);

        Assert.That(settings?.OptOutMessage, Is.EqualTo(message), string.Join("; ", errors));
    }

    [Test]
    public void Should_keep_the_current_keywords_when_none_are_given()
    {
        var (settings, _) = AccountSettings.TryCreate(SettingsUpdates.Valid(), _current, SettingsUpdates.Now);

        Assert.That(settings?.Keywords, Is.EqualTo(new[] { "STOP", "ENOUGH" }));
    }

    [Test]
    public void Should_trim_upper_case_and_deduplicate_keywords_keeping_their_order()
    {
        var update = SettingsUpdates.Valid() with
        {
            Keywords = ["quit", " stop ", "", "   ", null!, "QUIT", "Stop!", "opt-out", "OPT OUT", "ñapa"],
        };

        var (settings, errors) = AccountSettings.TryCreate(update, _current, SettingsUpdates.Now);

        Assert.That(settings?.Keywords, Is.EqualTo(new[] { "QUIT", "STOP", "OPT-OUT", "ÑAPA" }), string.Join("; ", errors));
    }

    [Test]
    public void Should_accept_the_default_keywords()
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = AccountSettings.DefaultKeywords },
            _current, SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            // OPT-OUT normalizes to OPT OUT, which is already in the list: it matches exactly the same messages.
            Assert.That(settings?.Keywords, Is.EqualTo(AccountSettings.DefaultKeywords.Where(k => k != "OPT-OUT")));
        });
    }

    [Test]
    public void Should_accept_a_keyword_of_50_characters()
    {
        var keyword = new string('K', AccountSettings.MaxKeywordLength);

        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = ["STOP", keyword] }, _current,
            SettingsUpdates.Now);

        Assert.That(settings?.Keywords, Does.Contain(keyword), string.Join("; ", errors));
    }

    [Test]
    public void Should_build_a_matcher_that_matches_the_new_keywords()
    {
        var (settings, _) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = ["STOP", "Hold"] }, _current,
            SettingsUpdates.Now);

        Assert.That(new KeywordMatcher(settings!.Keywords).Match("hold!"), Is.EqualTo("HOLD"));
    }
}

[TestFixture]
public class When_settings_are_updated_with_bad_input
{
    private readonly AccountSettings _current = AccountSettings.Defaults(SettingsUpdates.AccountId);

    [TestCase(null, "the default country code is required, such as 1 or 44")]
    [TestCase("", "the default country code is required, such as 1 or 44")]
    [TestCase("  ", "the default country code is required, such as 1 or 44")]
    [TestCase("999", "'999' is not a country calling code")]
    [TestCase("+999", "'+999' is not a country calling code")]
    [TestCase("0", "'0' is not a country calling code")]
    [TestCase("01", "'01' is not a country calling code")]
    [TestCase("1234", "'1234' is not a country calling code")]
    [TestCase("+", "'+' is not a country calling code")]
    [TestCase("++1", "'++1' is not a country calling code")]
    [TestCase("-1", "'-1' is not a country calling code")]
    [TestCase("1.0", "'1.0' is not a country calling code")]
    [TestCase("US", "'US' is not a country calling code")]
    [TestCase("４４", "'４４' is not a country calling code")]
    public void Should_reject_a_bad_calling_code(string? code, string error)
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { DefaultCountryCode = code }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { error }));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" \r\n ")]
    public void Should_reject_an_empty_opt_out_message(string? message)
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { OptOutMessage = message }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "the opt-out message is empty" }));
        });
    }

    [TestCase(321)]
    [TestCase(400)]
    public void Should_reject_an_opt_out_message_over_320_characters(int length)
    {
        var (settings, errors) = AccountSettings.TryCreate(
            SettingsUpdates.Valid() with { OptOutMessage = "  " + new string('x', length) + "  " }, _current, SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { $"the opt-out message is {length} characters; the limit is 320" }));
        });
    }

    [TestCase("QUIT|END")]
    [TestCase("")]
    [TestCase(" | ")]
    [TestCase("STOP ALL|STOPS")]
    public void Should_refuse_to_remove_stop(string keywords)
    {
        var list = keywords.Length == 0 ? [] : keywords.Split('|');

        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = list }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "STOP cannot be removed from the keywords" }));
        });
    }

    [Test]
    public void Should_reject_a_keyword_over_50_characters()
    {
        var keyword = new string('k', 51);

        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = ["STOP", keyword] }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { $"the keyword '{new string('K', 20)}…' is 51 characters; the limit is 50" }));
        });
    }

    [Test]
    public void Should_reject_a_keyword_no_message_could_match()
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = ["STOP", "🛑"] }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "the keyword '🛑' has no letters or digits, so no message could ever match it" }));
        });
    }

    [Test]
    public void Should_reject_more_than_100_keywords()
    {
        var keywords = Enumerable.Range(1, 100).Select(i => $"WORD{i}").Append("STOP").ToArray();

        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { Keywords = keywords }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "there are 101 keywords; the limit is 100" }));
        });
    }

    [Test]
    public void Should_reject_a_missing_account()
    {
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { AccountId = default }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "the account id is missing" }));
        });
    }

    [Test]
    public void Should_reject_an_update_that_leaves_out_whether_keywords_opt_out()
    {
        // Read as false, a producer's forgotten field would turn keyword opt-out off for the whole account.
        var (settings, errors) = AccountSettings.TryCreate(SettingsUpdates.Valid() with { AutoOptOutEnabled = null }, _current,
            SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[] { "autoOptOutEnabled is required (true or false); left out it is not taken as off" }));
        });
    }

    [Test]
    public void Should_name_the_field_of_every_error()
    {
        var update = new UpdateOptOutSettings
        {
            AccountId = default,
            DefaultCountryCode = "999",
            OptOutMessage = "",
            Keywords = ["QUIT", "!!"],
        };

        var (settings, errors) = AccountSettings.Validate(update, _current, SettingsUpdates.Now);

        Assert.That(settings, Is.Null);
        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EqualTo(new[]
        {
            ("accountId", "the account id is missing"),
            ("defaultCountryCode", "'999' is not a country calling code"),
            ("autoOptOutEnabled", "autoOptOutEnabled is required (true or false); left out it is not taken as off"),
            ("optOutMessage", "the opt-out message is empty"),
            ("keywords", "the keyword '!!' has no letters or digits, so no message could ever match it"),
            ("keywords", "STOP cannot be removed from the keywords"),
        }));
    }

    [Test]
    public void Should_report_every_error_at_once()
    {
        var update = new UpdateOptOutSettings
        {
            AccountId = default,
            DefaultCountryCode = "999",
            AutoOptOutEnabled = true,
            OptOutMessage = new string('x', 400),
            Keywords = ["QUIT", new string('k', 60), "!!"],
        };

        var (settings, errors) = AccountSettings.TryCreate(update, _current, SettingsUpdates.Now);

        Assert.Multiple(() =>
        {
            Assert.That(settings, Is.Null);
            Assert.That(errors, Is.EqualTo(new[]
            {
                "the account id is missing",
                "'999' is not a country calling code",
                "the opt-out message is 400 characters; the limit is 320",
                $"the keyword '{new string('K', 20)}…' is 60 characters; the limit is 50",
                "the keyword '!!' has no letters or digits, so no message could ever match it",
                "STOP cannot be removed from the keywords",
            }));
        });
    }
}
