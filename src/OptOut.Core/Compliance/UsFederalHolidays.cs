using System.Collections.Concurrent;
using System.Collections.Frozen;
using PublicHoliday;

namespace OptOut.Core.Compliance;

/// <summary>
/// The US federal holidays as the days they are observed, from the PublicHoliday package's
/// <see cref="USAPublicHoliday"/> (5 U.S.C. 6103 and its weekend rule for federal employees).
/// </summary>
/// <remarks>
/// What PublicHoliday 4.0.0 does, pinned by the calendar specs so an upgrade that changes it fails them:
/// <list type="bullet">
/// <item>Eleven holidays: New Year's Day, Martin Luther King Jr. Day, Washington's Birthday, Memorial Day,
/// Juneteenth (from 2021 only; 2021's was observed Friday 18 June), Independence Day, Labor Day, Columbus Day,
/// Veterans Day, Thanksgiving and Christmas Day.</item>
/// <item>Only the observed day is a holiday: one falling on a Saturday is observed the Friday before (4 July 2026 on
/// Friday 3 July, 19 June 2027 on Friday 18 June), one on a Sunday the Monday after (19 June 2022 on Monday 20 June);
/// the Saturday or Sunday itself is not listed (it is a weekend day anyway).</item>
/// <item>A New Year's Day on a Saturday is observed on 31 December of the year before (1 January 2022 on Friday
/// 31 December 2021); the package lists that day in both years' holidays, so each year's set here keeps only the
/// days of that year.</item>
/// <item>Inauguration Day (a holiday only for federal employees around Washington, D.C.) and one-off closures by
/// executive order are not included: they are not nationwide holidays, and a business day counted that was a
/// closure only shortens a deadline, which errs toward compliance.</item>
/// </list>
/// A <see cref="USAPublicHoliday"/> caches years internally; each year's set here is built from a calendar of its
/// own, so concurrent callers never share the package's mutable state.
/// </remarks>
internal static class UsFederalHolidays
{
    private static readonly ConcurrentDictionary<int, FrozenSet<DateOnly>> Years = new();

    public static bool IsHoliday(DateOnly date) => Years.GetOrAdd(date.Year, ObservedIn).Contains(date);

    /// <summary>The observed holidays that fall in <paramref name="year"/>, in date order.</summary>
    public static IReadOnlyList<DateOnly> ObservedInYear(int year) => [.. Years.GetOrAdd(year, ObservedIn).Order()];

    private static FrozenSet<DateOnly> ObservedIn(int year) =>
        new USAPublicHoliday()
            .PublicHolidays(year)
            .Select(DateOnly.FromDateTime)
            .Where(d => d.Year == year)
            .ToFrozenSet();
}
