namespace OptOut.Core.Compliance;

/// <summary>
/// Business days for the review deadlines and the compliance report: when an open possible revocation must be
/// honoured, how much time is left, and how many business days an honoured one took.
/// </summary>
/// <remarks>
/// <para>
/// FCC 24-24 (47 CFR 64.1200(a)(10)) gives at most ten business days to honour a revocation. The rule counted here:
/// </para>
/// <list type="bullet">
/// <item>A business day is a Monday to Friday that is not a US federal holiday as observed
/// (<see cref="UsFederalHolidays"/>: a holiday on a Saturday is observed the Friday before, on a Sunday the Monday
/// after).</item>
/// <item>Days are the account's local calendar days, in its IANA time zone (<see cref="AccountTimeZone"/>, default
/// <c>America/New_York</c>): a text received at 23:30 in New York on a Friday is a Friday receipt although it is
/// Saturday in UTC.</item>
/// <item>The day of receipt is not counted, whatever its time or kind: a receipt on a Friday afternoon, a Saturday
/// or a Sunday with one business day is due by the end of Monday.</item>
/// <item>The deadline passes at the end of the Nth business day, i.e. at local midnight starting the next day, with
/// the UTC offset of that day (a deadline after a daylight-saving change is an hour earlier or later in UTC than
/// one before it). Honouring before that instant is in time; at or after it is late.</item>
/// </list>
/// Everything is a pure function of its arguments: callers pass the time from their <see cref="TimeProvider"/>.
/// </remarks>
public static class BusinessCalendar
{
    /// <summary>The shortest review deadline an account can set.</summary>
    public const int MinDeadlineBusinessDays = 1;

    /// <summary>The longest: FCC 24-24's ten business days to honour a revocation made by any reasonable means.</summary>
    public const int MaxDeadlineBusinessDays = 10;

    /// <summary>Monday to Friday and not an observed US federal holiday.</summary>
    public static bool IsBusinessDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !UsFederalHolidays.IsHoliday(date);

    /// <summary>
    /// The UTC instant at which the deadline of a revocation received at <paramref name="receivedAt"/> passes: the end
    /// of the <paramref name="businessDays"/>th business day after the local day of receipt.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="businessDays"/> is not 1 to 10.</exception>
    /// <exception cref="UnknownTimeZoneException"><paramref name="timeZoneId"/> is not a known IANA id.</exception>
    public static DateTimeOffset Deadline(
        DateTimeOffset receivedAt, int businessDays, string timeZoneId = AccountTimeZone.DefaultId) =>
        Deadline(receivedAt, businessDays, AccountTimeZone.Find(timeZoneId));

    /// <inheritdoc cref="Deadline(DateTimeOffset, int, string)"/>
    public static DateTimeOffset Deadline(DateTimeOffset receivedAt, int businessDays, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (businessDays is < MinDeadlineBusinessDays or > MaxDeadlineBusinessDays)
        {
            throw new ArgumentOutOfRangeException(
                nameof(businessDays),
                businessDays,
                $"a review deadline is {MinDeadlineBusinessDays} to {MaxDeadlineBusinessDays} business days "
                + $"(FCC 24-24 allows at most {MaxDeadlineBusinessDays}); got {businessDays}");
        }

        var day = LocalDay.Of(receivedAt, zone);
        for (var counted = 0; counted < businessDays;)
        {
            day = day.AddDays(1);
            if (IsBusinessDay(day))
                counted++;
        }

        return LocalDay.Start(day.AddDays(1), zone);
    }

    /// <summary>
    /// The business days that ended between a receipt and <paramref name="at"/> (an honour time, or now): those after
    /// the local day of receipt and before the local day of <paramref name="at"/>. A revocation is honoured within N
    /// business days exactly when fewer than N had ended (<see cref="HonouredWithin"/>).
    /// </summary>
    /// <returns>0 when <paramref name="at"/> is not after <paramref name="receivedAt"/>.</returns>
    public static int BusinessDaysElapsed(DateTimeOffset receivedAt, DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return at <= receivedAt ? 0 : BusinessDaysStrictlyBetween(LocalDay.Of(receivedAt, zone), LocalDay.Of(at, zone));
    }

    /// <summary>
    /// Whether a revocation received at <paramref name="receivedAt"/> and honoured at <paramref name="honouredAt"/> was
    /// honoured before its <paramref name="businessDays"/>-day deadline passed (the report's "within 10 business days").
    /// </summary>
    public static bool HonouredWithin(
        DateTimeOffset receivedAt, DateTimeOffset honouredAt, int businessDays, TimeZoneInfo zone) =>
        honouredAt < Deadline(receivedAt, businessDays, zone);

    /// <summary>What is left before <paramref name="deadline"/> (from <see cref="Deadline(DateTimeOffset, int, TimeZoneInfo)"/>) at <paramref name="now"/>.</summary>
    public static DeadlineCountdown Countdown(DateTimeOffset deadline, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (now >= deadline)
            return new DeadlineCountdown(deadline - now, 0);

        return new DeadlineCountdown(
            deadline - now, BusinessDaysStrictlyBetween(LocalDay.Of(now, zone), LocalDay.Of(deadline, zone)));
    }

    private static int BusinessDaysStrictlyBetween(DateOnly after, DateOnly before)
    {
        var count = 0;
        for (var day = after.AddDays(1); day < before; day = day.AddDays(1))
        {
            if (IsBusinessDay(day))
                count++;
        }

        return count;
    }
}
