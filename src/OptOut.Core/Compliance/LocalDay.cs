namespace OptOut.Core.Compliance;

/// <summary>Converts between instants and the calendar days of a time zone, across its daylight-saving changes.</summary>
internal static class LocalDay
{
    /// <summary>The date on the zone's wall clocks at <paramref name="instant"/>.</summary>
    public static DateOnly Of(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>
    /// The first instant of <paramref name="date"/> in <paramref name="zone"/>, in UTC: its local midnight, with the
    /// offset in force that day (so a day after a clock change starts an hour earlier or later in UTC).
    /// </summary>
    /// <remarks>
    /// US zones change clocks at 02:00, so their midnight always exists once. Some zones change at midnight: when
    /// clocks jump from 00:00 to 01:00 the day starts at the jump (midnight under the offset before it), and when
    /// they fall back over midnight it starts at the first 00:00 (the larger offset).
    /// </remarks>
    public static DateTimeOffset Start(DateOnly date, TimeZoneInfo zone)
    {
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(midnight))
            offset = zone.GetUtcOffset(midnight.AddHours(-6)); // the offset before the jump; clocks never jump twice in 6 hours
        else if (zone.IsAmbiguousTime(midnight))
            offset = zone.GetAmbiguousTimeOffsets(midnight).Max();
        else
            offset = zone.GetUtcOffset(midnight);

        return new DateTimeOffset(midnight.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
