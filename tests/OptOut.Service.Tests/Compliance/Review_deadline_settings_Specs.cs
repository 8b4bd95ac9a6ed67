using Microsoft.Extensions.DependencyInjection;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;
using OptOut.Service.Tests.Intent;

namespace OptOut.Service.Tests.Compliance;

[TestFixture]
public class When_an_account_changes_its_review_deadline_by_message
{
    [Test]
    public async Task Should_announce_the_days_and_zone_and_keep_them_in_the_store()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.Apply(IntentSpecs.Settings(account) with { ReviewDeadlineBusinessDays = 3, TimeZone = "Pacific/Honolulu" });

        var changed = service.Published<OptOutSettingsChanged>().Single();
        var stored = await service.Services.GetRequiredService<ISettingsStore>().GetAsync(account);
        Assert.Multiple(() =>
        {
            Assert.That((changed.ReviewDeadlineBusinessDays, changed.TimeZone), Is.EqualTo((3, "Pacific/Honolulu")));
            Assert.That((stored!.ReviewDeadlineBusinessDays, stored.TimeZone), Is.EqualTo((3, "Pacific/Honolulu")));
        });
    }

    [Test]
    public async Task Should_announce_the_defaults_to_an_update_that_leaves_them_out()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.Apply(IntentSpecs.Settings(account));

        var changed = service.Published<OptOutSettingsChanged>().Single();
        Assert.That((changed.ReviewDeadlineBusinessDays, changed.TimeZone), Is.EqualTo((1, "America/New_York")));
    }

    [Test]
    public async Task Should_reject_an_unknown_zone_naming_the_field_and_change_nothing()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        var update = IntentSpecs.Settings(account) with { TimeZone = "Eastern Time", ReviewDeadlineBusinessDays = 2 };

        await service.PublishAndWait(update);

        var rejected = service.Published<OptOutSettingsRejected>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Errors.Select(e => e.Field), Is.EqualTo(new[] { "timeZone" }));
            Assert.That(rejected.Reasons.Single(), Does.Contain("'Eastern Time' is not a known IANA time zone id"));
            Assert.That(service.Published<OptOutSettingsChanged>(), Is.Empty);
        });
        Assert.That(await service.Services.GetRequiredService<ISettingsStore>().GetAsync(account), Is.Null, "nothing saved");
    }
}
