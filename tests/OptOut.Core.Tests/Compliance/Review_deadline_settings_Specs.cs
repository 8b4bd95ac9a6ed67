using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Compliance;

namespace OptOut.Core.Tests.Compliance;

[TestFixture]
public class When_an_account_sets_its_review_deadline
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

    private static (AccountSettings? Settings, List<SettingsFieldError> Errors) Validate(
        UpdateOptOutSettings update, AccountSettings? current = null) =>
        AccountSettings.Validate(update, current ?? AccountSettings.Defaults(Account), Now);

    [Test]
    public void Should_default_to_one_business_day_in_new_york()
    {
        var settings = AccountSettings.Defaults(Account);

        Assert.That((settings.ReviewDeadlineBusinessDays, settings.TimeZone), Is.EqualTo((1, "America/New_York")));
    }

    [Test]
    public void Should_take_the_days_and_zone_given()
    {
        var (settings, errors) = Validate(Update() with { ReviewDeadlineBusinessDays = 10, TimeZone = "America/Chicago" });

        Assert.That(errors, Is.Empty);
        Assert.That((settings!.ReviewDeadlineBusinessDays, settings.TimeZone), Is.EqualTo((10, "America/Chicago")));
    }

    [Test]
    public void Should_keep_the_current_values_when_the_update_leaves_them_out()
    {
        var (current, _) = Validate(Update() with { ReviewDeadlineBusinessDays = 4, TimeZone = "Pacific/Honolulu" });

        var (settings, errors) = Validate(Update() with { DetectionEnabled = false }, current);

        Assert.That(errors, Is.Empty);
        Assert.That((settings!.ReviewDeadlineBusinessDays, settings.TimeZone), Is.EqualTo((4, "Pacific/Honolulu")));
    }

    [Test]
    public void Should_refuse_a_zone_in_the_wrong_case_even_once_the_right_one_was_looked_up()
    {
        _ = AccountTimeZone.Find("America/Los_Angeles");

        var (settings, errors) = Validate(Update() with { TimeZone = "america/los_angeles" });

        Assert.That(settings, Is.Null);
        Assert.That(errors.Select(e => (e.Field, e.Reason)), Is.EqualTo(new[]
        {
            ("timeZone", "'america/los_angeles' is not a known IANA time zone id: ids are case-sensitive (America/Los_Angeles)"),
        }));
    }

    [TestCase(0)]
    [TestCase(11)]
    [TestCase(-3)]
    public void Should_refuse_days_outside_1_to_10_with_the_reason(int days)
    {
        var (settings, errors) = Validate(Update() with { ReviewDeadlineBusinessDays = days, TimeZone = "America/Chicago" });

        Assert.That(settings, Is.Null);
        Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "reviewDeadlineBusinessDays" }));
        Assert.That(errors[0].Reason, Does.Contain($"the review deadline is {days} business days; it must be from 1 to 10"));
    }

    [TestCase("Mars/Olympus_Mons", "'Mars/Olympus_Mons' is not a known IANA time zone id")]
    [TestCase("", "the time zone is empty")]
    [TestCase("Eastern Standard Time", "'Eastern Standard Time'")]
    public void Should_refuse_a_zone_it_cannot_use_with_the_reason(string zone, string reason)
    {
        var (settings, errors) = Validate(Update() with { TimeZone = zone, ReviewDeadlineBusinessDays = 3 });

        Assert.That(settings, Is.Null);
        Assert.That(errors.Select(e => e.Field), Is.EqualTo(new[] { "timeZone" }));
        Assert.That(errors[0].Reason, Does.Contain(reason));
    }

    [Test]
    public void Should_give_both_reasons_at_once()
    {
        var (_, errors) = Validate(Update() with { TimeZone = "Nowhere/Special", ReviewDeadlineBusinessDays = 30 });

        Assert.That(errors.Select(e => e.Field), Is.EquivalentTo(new[] { "reviewDeadlineBusinessDays", "timeZone" }));
    }

    [Test]
    public void Should_restore_what_it_stored()
    {
        var (saved, _) = Validate(Update() with { ReviewDeadlineBusinessDays = 7, TimeZone = "Europe/London" });

        var restored = AccountSettings.Restore(Account, saved!.DefaultCountryCode, saved.AutoOptOutEnabled, saved.OptOutMessage,
            saved.Keywords, saved.UpdatedAt, saved.UpdatedBy, saved.ToStored());

        Assert.That((restored.ReviewDeadlineBusinessDays, restored.TimeZone), Is.EqualTo((7, "Europe/London")));
    }

    [Test]
    public void Should_restore_an_account_saved_before_review_deadlines_with_the_defaults()
    {
        var restored = AccountSettings.Restore(Account, 1, true, AccountSettings.DefaultOptOutMessage, AccountSettings.DefaultKeywords,
            null, null, new OptOut.Core.Keywords.StoredLanguageSettings { DetectionEnabled = false });

        Assert.That((restored.ReviewDeadlineBusinessDays, restored.TimeZone), Is.EqualTo((1, "America/New_York")));
    }
}
