namespace OptOut.Core;

/// <summary>
/// Normalizes phone numbers as DESIGN.md defines: libphonenumber, E.164, the account's default calling code
/// only for input without a <c>+</c>; accepted when possible for its region with its full length (not local
/// only); possible-but-not-valid numbers are accepted and flagged.
/// </summary>
public static class PhoneNumberParser
{
    /// <summary>Parses one number as typed.</summary>
    public static PhoneParseResult Parse(string? input, int defaultCallingCode) => throw new NotImplementedException();

    /// <summary>True when libphonenumber knows the calling code (1, 44, …).</summary>
    public static bool IsKnownCallingCode(int callingCode) => throw new NotImplementedException();

    /// <summary>
    /// Splits numbers typed as a list: each element may hold several numbers separated by commas, semicolons or
    /// line breaks. Blank entries are dropped; the rest are trimmed and kept in order.
    /// </summary>
    public static IReadOnlyList<string> SplitList(IEnumerable<string?> inputs) => throw new NotImplementedException();
}
