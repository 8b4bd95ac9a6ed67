using OptOut.Core.Compliance;

namespace OptOut.Core.Tests.Compliance;

[TestFixture]
public class When_an_account_time_zone_is_looked_up
{
    [TestCase("America/New_York")]
    [TestCase("America/Los_Angeles")]
    [TestCase("Pacific/Honolulu")]
    [TestCase("Europe/London")]
    [TestCase("UTC")]
    public void Should_find_an_iana_zone(string id)
    {
        Assert.That(AccountTimeZone.TryFind(id, out var zone, out var reason), Is.True, reason);
        Assert.That(zone!.HasIanaId, Is.True);
    }

    [Test]
    public void Should_default_to_new_york()
    {
        Assert.That(AccountTimeZone.DefaultId, Is.EqualTo("America/New_York"));
        Assert.That(AccountTimeZone.Default.Id, Is.EqualTo("America/New_York"));
    }

    [TestCase("Mars/Olympus_Mons", "'Mars/Olympus_Mons' is not a known IANA time zone id")]
    [TestCase("America/Springfield", "'America/Springfield' is not a known IANA time zone id")]
    [TestCase("", "the time zone is empty")]
    [TestCase("   ", "the time zone is empty")]
    [TestCase(null, "the time zone is empty")]
    public void Should_give_the_reason_for_an_id_it_cannot_find(string? id, string reason)
    {
        Assert.That(AccountTimeZone.TryFind(id, out var zone, out var why), Is.False);
        Assert.That(zone, Is.Null);
        Assert.That(why, Does.Contain(reason));

        var error = Assert.Throws<UnknownTimeZoneException>(() => AccountTimeZone.Find(id))!;
        Assert.That(error.TimeZoneId, Is.EqualTo(id));
        Assert.That(error.Message, Does.Contain(reason));
    }

    [Test]
    public void Should_refuse_a_wrong_letter_case_whatever_was_looked_up_before()
    {
        // .NET's zone cache ignores case: once America/New_York is loaded, america/new_york would be found.
        _ = AccountTimeZone.Find("America/New_York");

        var error = Assert.Throws<UnknownTimeZoneException>(() => AccountTimeZone.Find("america/new_york"))!;

        Assert.That(error.Message, Does.Contain("ids are case-sensitive (America/New_York)"));
    }

    [Test]
    public void Should_refuse_a_windows_id_and_name_its_iana_id()
    {
        var error = Assert.Throws<UnknownTimeZoneException>(() => AccountTimeZone.Find("Eastern Standard Time"))!;

        Assert.That(error.Message, Does.Contain("'Eastern Standard Time'"));
        if (TimeZoneInfo.TryConvertWindowsIdToIanaId("Eastern Standard Time", out _))
            Assert.That(error.Message, Does.Contain("Windows time zone id: give its IANA id, America/New_York"));
    }
}
