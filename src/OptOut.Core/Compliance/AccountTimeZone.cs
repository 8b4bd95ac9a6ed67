using System.Diagnostics.CodeAnalysis;

namespace OptOut.Core.Compliance;

/// <summary>
/// The time zone an account's business days are counted in, from its IANA id (<c>America/New_York</c>). Settings
/// validation calls <see cref="TryFind"/> for the reason; everything else calls <see cref="Find"/> on an id that was
/// validated when it was stored.
/// </summary>
/// <remarks>
/// .NET on Linux reads the IANA database (tzdata). It also maps Windows ids ("Eastern Standard Time") to a zone,
/// but those are refused: the setting is stored and published as an IANA id, the one form every producer and store
/// reads alike.
/// </remarks>
public static class AccountTimeZone
{
    /// <summary>Accounts that never set a time zone count business days on the US East Coast.</summary>
    public const string DefaultId = "America/New_York";

    public static TimeZoneInfo Default => Find(DefaultId);

    /// <summary>The zone with this IANA id.</summary>
    /// <exception cref="UnknownTimeZoneException">The id is blank, unknown, or not an IANA id; the message says which.</exception>
    public static TimeZoneInfo Find(string? timeZoneId) =>
        TryFind(timeZoneId, out var zone, out var reason) ? zone : throw new UnknownTimeZoneException(timeZoneId, reason);

    /// <summary>
    /// The zone with this IANA id, or the reason there is none. Ids are case-sensitive, as in the IANA files: .NET
    /// finds <c>america/new_york</c> only once <c>America/New_York</c> has been looked up (its cache ignores case, the
    /// files do not), so a wrong case is refused every time rather than depending on what ran before.
    /// </summary>
    public static bool TryFind(
        string? timeZoneId, [NotNullWhen(true)] out TimeZoneInfo? zone, [NotNullWhen(false)] out string? reason)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            reason = $"the time zone is empty: give an IANA id such as {DefaultId}";
            return false;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var found))
        {
            reason = $"'{timeZoneId}' is not a known IANA time zone id (such as {DefaultId})";
            return false;
        }

        if (!string.Equals(found.Id, timeZoneId, StringComparison.Ordinal)
            && string.Equals(found.Id, timeZoneId, StringComparison.OrdinalIgnoreCase))
        {
            reason = $"'{timeZoneId}' is not a known IANA time zone id: ids are case-sensitive ({found.Id})";
            return false;
        }

        if (!found.HasIanaId)
        {
            reason = TimeZoneInfo.TryConvertWindowsIdToIanaId(timeZoneId, out var iana)
                ? $"'{timeZoneId}' is a Windows time zone id: give its IANA id, {iana}"
                : $"'{timeZoneId}' is not an IANA time zone id (such as {DefaultId})";
            return false;
        }

        zone = found;
        reason = null;
        return true;
    }
}
