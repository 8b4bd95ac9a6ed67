using System.Globalization;
using OptOut.Core.Compliance;

namespace OptOut.Core.Tests.Compliance;

/// <summary>
/// What the PublicHoliday package answers for the US federal calendar, pinned: an upgrade that drops Juneteenth or
/// changes the observed-day rule would move every review deadline, so it must fail here first.
/// </summary>
[TestFixture]
public class When_the_business_calendar_reads_the_federal_holidays
{
    private static DateOnly Day(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    [Test]
    public void Should_list_the_eleven_observed_holidays_of_2026()
    {
        Assert.That(
            UsFederalHolidays.ObservedInYear(2026),
            Is.EqualTo(new[]
            {
                "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
                "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25",
            }.Select(Day)));
    }

    [Test]
    public void Should_list_2027_with_its_saturday_holidays_on_the_fridays_before()
    {
        // Juneteenth (June 19), Christmas and New Year 2028 fall on Saturdays.
        Assert.That(
            UsFederalHolidays.ObservedInYear(2027),
            Is.EqualTo(new[]
            {
                "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05",
                "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31",
            }.Select(Day)));
    }

    [Test]
    public void Should_list_a_saturday_new_year_only_in_the_year_it_is_observed()
    {
        Assert.That(UsFederalHolidays.ObservedInYear(2021), Does.Contain(Day("2021-12-31")));
        Assert.That(UsFederalHolidays.ObservedInYear(2022), Does.Not.Contain(Day("2021-12-31")));
        Assert.That(UsFederalHolidays.ObservedInYear(2022), Has.Count.EqualTo(10), "2022 observed no New Year's Day of its own");
    }

    [TestCase("2026-11-26", false, TestName = "Thanksgiving 2026")]
    [TestCase("2026-11-27", true, TestName = "the Friday after Thanksgiving is a business day")]
    [TestCase("2026-12-24", true, TestName = "Christmas Eve 2026 (a Thursday) is a business day")]
    [TestCase("2026-12-25", false, TestName = "Christmas 2026")]
    [TestCase("2027-01-01", false, TestName = "New Year 2027")]
    [TestCase("2026-07-03", false, TestName = "July 4 2026 observed on Friday 07-03")]
    [TestCase("2026-07-06", true, TestName = "the Monday after July 4 2026 is a business day")]
    [TestCase("2027-06-18", false, TestName = "Juneteenth 2027 observed on Friday 06-18")]
    [TestCase("2022-06-20", false, TestName = "Juneteenth 2022 observed on Monday 06-20")]
    [TestCase("2021-06-18", false, TestName = "Juneteenth 2021, its first year, observed on Friday 06-18")]
    [TestCase("2020-06-19", true, TestName = "June 19 2020 was a business day: Juneteenth is federal from 2021")]
    [TestCase("2021-12-31", false, TestName = "New Year 2022 observed on Friday 2021-12-31")]
    [TestCase("2028-11-10", false, TestName = "Veterans Day 2028 observed on Friday 11-10")]
    [TestCase("2026-12-05", false, TestName = "a Saturday")]
    [TestCase("2026-12-06", false, TestName = "a Sunday")]
    [TestCase("2026-12-07", true, TestName = "a plain Monday")]
    public void Should_tell_business_days(string date, bool isBusinessDay)
    {
        Assert.That(BusinessCalendar.IsBusinessDay(Day(date)), Is.EqualTo(isBusinessDay));
    }
}
