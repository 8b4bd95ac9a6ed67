using System.Globalization;
using OptOut.Core.Compliance;

namespace OptOut.Core.Tests.Compliance;

/// <summary>Instants written with their local offset for reading; compared as instants.</summary>
internal static class At
{
    public static DateTimeOffset Parse(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    public static TimeZoneInfo NewYork => AccountTimeZone.Find("America/New_York");
}

[TestFixture]
public class When_a_possible_revocation_arrives_before_a_weekend
{
    [Test]
    public void Should_be_due_at_the_end_of_monday_when_received_on_a_friday_afternoon()
    {
        var deadline = BusinessCalendar.Deadline(At.Parse("2026-12-04T15:00:00-05:00"), 1);

        Assert.That(deadline, Is.EqualTo(At.Parse("2026-12-08T05:00:00Z")));
        Assert.That(deadline.Offset, Is.EqualTo(TimeSpan.Zero), "deadlines are returned in UTC");
    }

    [TestCase("2026-12-05T10:00:00-05:00")]
    [TestCase("2026-12-05T23:59:00-05:00")]
    [TestCase("2026-12-06T00:00:00-05:00")]
    [TestCase("2026-12-06T21:00:00-05:00")]
    public void Should_not_count_the_weekend_day_of_receipt(string receivedAt)
    {
        Assert.That(BusinessCalendar.Deadline(At.Parse(receivedAt), 1), Is.EqualTo(At.Parse("2026-12-08T05:00:00Z")));
    }

    [Test]
    public void Should_count_the_following_week_for_more_days()
    {
        // Friday receipt, 3 business days: Monday, Tuesday, Wednesday.
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-04T15:00:00-05:00"), 3),
            Is.EqualTo(At.Parse("2026-12-10T05:00:00Z")));
    }
}

[TestFixture]
public class When_a_possible_revocation_arrives_around_local_midnight
{
    // 23:59 on Thursday in New York is already Friday in UTC: counted in UTC it would be due at the end of Monday.
    [Test]
    public void Should_count_from_the_local_day_just_before_midnight()
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-04T04:59:00Z"), 1),
            Is.EqualTo(At.Parse("2026-12-05T05:00:00Z")),
            "a Thursday receipt in New York is due at the end of Friday");
    }

    [Test]
    public void Should_count_from_the_next_local_day_just_after_midnight()
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-04T05:01:00Z"), 1),
            Is.EqualTo(At.Parse("2026-12-08T05:00:00Z")),
            "a Friday receipt in New York is due at the end of Monday");
    }

    [Test]
    public void Should_count_from_the_utc_day_in_the_utc_zone()
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-04T04:59:00Z"), 1, "UTC"),
            Is.EqualTo(At.Parse("2026-12-08T00:00:00Z")));
    }
}

[TestFixture]
public class When_a_federal_holiday_falls_in_the_window
{
    [TestCase("2026-11-25T10:00:00-05:00", "2026-11-28T05:00:00Z", TestName = "Thanksgiving Thursday 2026-11-26: due end of Friday")]
    [TestCase("2026-12-24T10:00:00-05:00", "2026-12-29T05:00:00Z", TestName = "Christmas Friday 2026-12-25: due end of Monday")]
    [TestCase("2026-12-31T10:00:00-05:00", "2027-01-05T05:00:00Z", TestName = "New Year Friday 2027-01-01: due end of Monday")]
    [TestCase("2026-07-02T10:00:00-04:00", "2026-07-07T04:00:00Z", TestName = "July 4 2026 on a Saturday, observed Friday 07-03: due end of Monday")]
    [TestCase("2027-06-17T10:00:00-04:00", "2027-06-22T04:00:00Z", TestName = "Juneteenth 2027 on a Saturday, observed Friday 06-18: due end of Monday")]
    [TestCase("2022-06-17T10:00:00-04:00", "2022-06-22T04:00:00Z", TestName = "Juneteenth 2022 on a Sunday, observed Monday 06-20: due end of Tuesday")]
    [TestCase("2021-12-30T10:00:00-05:00", "2022-01-04T05:00:00Z", TestName = "New Year 2022 on a Saturday, observed Friday 2021-12-31: due end of Monday")]
    public void Should_skip_the_observed_holiday(string receivedAt, string deadline)
    {
        Assert.That(BusinessCalendar.Deadline(At.Parse(receivedAt), 1), Is.EqualTo(At.Parse(deadline)));
    }

    [Test]
    public void Should_skip_thanksgiving_in_ten_business_days()
    {
        // Monday 2026-11-16: 17, 18, 19, 20, 23, 24, 25, (26 Thanksgiving), 27, 30, December 1.
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-11-16T09:00:00-05:00"), 10),
            Is.EqualTo(At.Parse("2026-12-02T05:00:00Z")));
    }

    [Test]
    public void Should_skip_christmas_and_new_year_in_ten_business_days()
    {
        // Friday 2026-12-18: 21, 22, 23, 24, (25), 28, 29, 30, 31, (January 1), 4, 5.
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-18T12:00:00-05:00"), 10),
            Is.EqualTo(At.Parse("2027-01-06T05:00:00Z")));
    }

    [Test]
    public void Should_not_count_a_receipt_on_the_holiday_itself()
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-11-26T10:00:00-05:00"), 1),
            Is.EqualTo(At.Parse("2026-11-28T05:00:00Z")));
    }
}

[TestFixture]
public class When_clocks_change_inside_the_window
{
    [Test]
    public void Should_end_at_local_midnight_after_clocks_spring_forward()
    {
        // Clocks go forward on Sunday 2027-03-14: Friday's deadline is at -05:00, Monday's at -04:00.
        var deadline = BusinessCalendar.Deadline(At.Parse("2027-03-12T12:00:00-05:00"), 1);

        Assert.That(deadline, Is.EqualTo(At.Parse("2027-03-16T04:00:00Z")));
        var local = TimeZoneInfo.ConvertTime(deadline, At.NewYork);
        Assert.That(local.TimeOfDay, Is.EqualTo(TimeSpan.Zero));
        Assert.That(local.Offset, Is.EqualTo(TimeSpan.FromHours(-4)));
    }

    [Test]
    public void Should_keep_the_old_offset_for_a_deadline_before_the_change()
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2027-03-11T12:00:00-05:00"), 1),
            Is.EqualTo(At.Parse("2027-03-13T05:00:00Z")));
    }

    [Test]
    public void Should_end_at_local_midnight_after_clocks_fall_back()
    {
        // Clocks go back on Sunday 2026-11-01: Monday's deadline is at -05:00.
        var deadline = BusinessCalendar.Deadline(At.Parse("2026-10-30T12:00:00-04:00"), 1);

        Assert.That(deadline, Is.EqualTo(At.Parse("2026-11-03T05:00:00Z")));
        var local = TimeZoneInfo.ConvertTime(deadline, At.NewYork);
        Assert.That(local.TimeOfDay, Is.EqualTo(TimeSpan.Zero));
        Assert.That(local.Offset, Is.EqualTo(TimeSpan.FromHours(-5)));
    }

    [TestCase("2027-03-14", "2027-03-14T05:00:00Z", TestName = "the 23-hour day starts at -05:00")]
    [TestCase("2027-03-15", "2027-03-15T04:00:00Z", TestName = "the day after it at -04:00")]
    [TestCase("2026-11-01", "2026-11-01T04:00:00Z", TestName = "the 25-hour day starts at -04:00")]
    [TestCase("2026-11-02", "2026-11-02T05:00:00Z", TestName = "the day after it at -05:00")]
    public void Should_start_each_local_day_at_its_own_midnight(string date, string start)
    {
        Assert.That(LocalDay.Start(DateOnly.Parse(date, CultureInfo.InvariantCulture), At.NewYork), Is.EqualTo(At.Parse(start)));
    }

    [Test]
    public void Should_start_a_day_whose_midnight_is_skipped_when_clocks_jump()
    {
        // Iran moved clocks from 00:00 to 01:00 on Saturday 2020-03-21: Friday ended at the jump, 00:00 at +03:30.
        var tehran = AccountTimeZone.Find("Asia/Tehran");

        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2020-03-19T12:00:00+03:30"), 1, tehran),
            Is.EqualTo(At.Parse("2020-03-20T20:30:00Z")));
        Assert.That(TimeZoneInfo.ConvertTime(At.Parse("2020-03-20T20:30:00Z"), tehran).DateTime, Is.EqualTo(new DateTime(2020, 3, 21, 1, 0, 0)));
    }
}

[TestFixture]
public class When_the_account_is_in_another_time_zone
{
    private static readonly DateTimeOffset FridayAfternoonInNewYork = At.Parse("2026-12-04T20:00:00Z");

    [TestCase("America/New_York", "2026-12-08T05:00:00Z")]
    [TestCase("America/Los_Angeles", "2026-12-08T08:00:00Z")]
    [TestCase("Pacific/Honolulu", "2026-12-08T10:00:00Z")]
    public void Should_end_at_that_zones_midnight(string zone, string deadline)
    {
        Assert.That(BusinessCalendar.Deadline(FridayAfternoonInNewYork, 1, zone), Is.EqualTo(At.Parse(deadline)));
    }

    [Test]
    public void Should_count_from_that_zones_day_of_receipt()
    {
        // 08:30 UTC on Friday is still Thursday evening in Honolulu (UTC-10) but already Friday morning in New York.
        var thursdayNightInHonolulu = At.Parse("2026-12-04T08:30:00Z");

        Assert.That(
            BusinessCalendar.Deadline(thursdayNightInHonolulu, 1, "Pacific/Honolulu"),
            Is.EqualTo(At.Parse("2026-12-05T10:00:00Z")),
            "Thursday 22:30 in Honolulu: due at the end of Friday");
        Assert.That(
            BusinessCalendar.Deadline(thursdayNightInHonolulu, 1, "America/New_York"),
            Is.EqualTo(At.Parse("2026-12-08T05:00:00Z")),
            "Friday 03:30 in New York: due at the end of Monday");
    }
}

[TestFixture]
public class When_a_deadline_is_asked_with_bad_arguments
{
    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(11)]
    public void Should_refuse_a_number_of_business_days_outside_1_to_10(int businessDays)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => BusinessCalendar.Deadline(At.Parse("2026-12-04T15:00:00-05:00"), businessDays))!;

        Assert.That(error.ParamName, Is.EqualTo("businessDays"));
        Assert.That(error.Message, Does.Contain("1 to 10 business days").And.Contain($"got {businessDays}"));
    }

    [TestCase(1)]
    [TestCase(10)]
    public void Should_accept_the_bounds(int businessDays)
    {
        Assert.That(
            BusinessCalendar.Deadline(At.Parse("2026-12-04T15:00:00-05:00"), businessDays),
            Is.GreaterThan(At.Parse("2026-12-04T15:00:00-05:00")));
    }

    [Test]
    public void Should_refuse_an_unknown_time_zone_naming_it()
    {
        var error = Assert.Throws<UnknownTimeZoneException>(
            () => BusinessCalendar.Deadline(At.Parse("2026-12-04T15:00:00-05:00"), 1, "Mars/Olympus_Mons"))!;

        Assert.That(error.TimeZoneId, Is.EqualTo("Mars/Olympus_Mons"));
        Assert.That(error.Message, Does.Contain("'Mars/Olympus_Mons' is not a known IANA time zone id"));
        Assert.That(error.ParamName, Is.EqualTo("timeZone"));
    }
}

[TestFixture]
public class When_counting_the_business_days_an_honour_took
{
    private static readonly DateTimeOffset FridayBeforeThanksgiving = At.Parse("2026-11-20T15:00:00-05:00");

    [TestCase("2026-11-20T18:00:00-05:00", 0, TestName = "later the same day: none")]
    [TestCase("2026-11-23T10:00:00-05:00", 0, TestName = "on Monday: Monday has not ended")]
    [TestCase("2026-11-24T00:00:00-05:00", 1, TestName = "at Tuesday's midnight: Monday")]
    [TestCase("2026-11-27T10:00:00-05:00", 3, TestName = "on Friday after Thanksgiving: Monday to Wednesday")]
    [TestCase("2026-11-30T10:00:00-05:00", 4, TestName = "the Monday after: Friday too")]
    [TestCase("2026-11-20T14:00:00-05:00", 0, TestName = "before the receipt: none")]
    public void Should_count_the_business_days_that_ended(string honouredAt, int elapsed)
    {
        Assert.That(
            BusinessCalendar.BusinessDaysElapsed(FridayBeforeThanksgiving, At.Parse(honouredAt), At.NewYork),
            Is.EqualTo(elapsed));
    }

    [Test]
    public void Should_be_within_ten_business_days_until_the_deadline_passes()
    {
        var received = At.Parse("2026-11-16T09:00:00-05:00");
        var deadline = BusinessCalendar.Deadline(received, 10, At.NewYork);
        var justBefore = deadline.AddSeconds(-1);

        Assert.That(BusinessCalendar.HonouredWithin(received, justBefore, 10, At.NewYork), Is.True);
        Assert.That(BusinessCalendar.BusinessDaysElapsed(received, justBefore, At.NewYork), Is.EqualTo(9));
        Assert.That(BusinessCalendar.HonouredWithin(received, deadline, 10, At.NewYork), Is.False, "the deadline instant is late");
        Assert.That(BusinessCalendar.BusinessDaysElapsed(received, deadline, At.NewYork), Is.EqualTo(10));
    }
}

[TestFixture]
public class When_the_panel_shows_the_time_left
{
    private static readonly DateTimeOffset Received = At.Parse("2026-12-04T15:00:00-05:00");

    [Test]
    public void Should_show_the_whole_deadline_at_receipt()
    {
        var deadline = BusinessCalendar.Deadline(Received, 3, At.NewYork);

        var countdown = BusinessCalendar.Countdown(deadline, Received, At.NewYork);

        Assert.That(countdown.BusinessDaysLeft, Is.EqualTo(3));
        Assert.That(countdown.TimeLeft, Is.EqualTo(new TimeSpan(5, 9, 0, 0)));
        Assert.That(countdown.IsOverdue, Is.False);
    }

    [Test]
    public void Should_show_only_hours_on_the_last_business_day()
    {
        var deadline = BusinessCalendar.Deadline(Received, 1, At.NewYork);

        var countdown = BusinessCalendar.Countdown(deadline, At.Parse("2026-12-07T10:00:00-05:00"), At.NewYork);

        Assert.That(countdown, Is.EqualTo(new DeadlineCountdown(TimeSpan.FromHours(14), 0)));
        Assert.That(countdown.IsOverdue, Is.False);
    }

    [Test]
    public void Should_not_count_the_weekend_as_days_left()
    {
        var deadline = BusinessCalendar.Deadline(Received, 2, At.NewYork);

        Assert.That(
            BusinessCalendar.Countdown(deadline, At.Parse("2026-12-05T12:00:00-05:00"), At.NewYork).BusinessDaysLeft,
            Is.EqualTo(2),
            "on Saturday, Monday and Tuesday are left");
    }

    [TestCase(0)]
    [TestCase(3600)]
    public void Should_be_overdue_from_the_deadline_on(int secondsLate)
    {
        var deadline = BusinessCalendar.Deadline(Received, 1, At.NewYork);

        var countdown = BusinessCalendar.Countdown(deadline, deadline.AddSeconds(secondsLate), At.NewYork);

        Assert.That(countdown.IsOverdue, Is.True);
        Assert.That(countdown.BusinessDaysLeft, Is.Zero);
        Assert.That(countdown.TimeLeft, Is.EqualTo(TimeSpan.FromSeconds(-secondsLate)));
    }
}
