using System.Buffers;
using System.Collections.Frozen;
using PhoneNumbers;
using static PhoneNumbers.PhoneNumberUtil;

namespace OptOut.Core;

/// <summary>
/// Normalizes phone numbers: libphonenumber, E.164, the account's default calling code
/// only for input without a <c>+</c>; accepted when possible for its region with its full length (not local
/// only); possible-but-not-valid numbers are accepted and flagged.
/// </summary>
/// <remarks>
/// A rejection's <see cref="PhoneParseResult.Error"/> quotes the input so the person who typed it can find it:
/// show it to them, but mask it (<see cref="PhoneMask"/>) before it goes anywhere near a log.
/// </remarks>
public static class PhoneNumberParser
{
    /// <summary>Longer input is rejected before libphonenumber sees it: no real number, however formatted, needs more.</summary>
    public const int MaxInputLength = 64;

    // Parsing with the unknown region makes libphonenumber insist on a country code after the '+'.
    private const string UnknownRegion = "ZZ";

    // Calling codes such as 800 (international freephone) belong to no country; libphonenumber can't use them as a default region.
    private const string NonGeographicRegion = "001";

    // PhoneNumberUtil is immutable after loading its metadata and is meant to be shared across threads.
    private static readonly PhoneNumberUtil Util = GetInstance();

    private static readonly FrozenSet<int> CallingCodes = Util.GetSupportedCallingCodes().ToFrozenSet();

    private static readonly SearchValues<char> ListSeparators = SearchValues.Create(",;\r\n");

    /// <summary>
    /// Parses one number as typed: <c>(555) 201-1234</c>, <c>1-800-FLOWERS</c>, <c>+44 20 7946 0958</c>. Never throws:
    /// anything that is not a full, possible number is rejected with a reason.
    /// </summary>
    /// <param name="input">The number as typed. A leading <c>+</c> means it carries its own country code.</param>
    /// <param name="defaultCallingCode">The account's calling code, applied only when the input has no <c>+</c>.</param>
    public static PhoneParseResult Parse(string? input, int defaultCallingCode)
    {
        var error = TryParse(input, defaultCallingCode, out var number);
        return error is not null
            ? PhoneParseResult.Rejected(error)
            : PhoneParseResult.Ok(new PhoneNumber(Util.Format(number, PhoneNumberFormat.E164), Util.IsValidNumber(number)));
    }

    /// <summary>
    /// Whether <see cref="Parse"/> would accept the input: null when it would, else the same reason it would give.
    /// For input that must be a number but is not used as one (the sender of an ordinary reply): it skips the
    /// formatting and libphonenumber's validity check, the dearer half of a parse.
    /// </summary>
    public static string? Check(string? input, int defaultCallingCode) => TryParse(input, defaultCallingCode, out _);

    // The whole accept/reject decision, shared by Parse and Check so they can't disagree: null and the parsed number
    // when the input is a full, possible number; else the reason.
    private static string? TryParse(string? input, int defaultCallingCode, out PhoneNumbers.PhoneNumber number)
    {
        number = null!;
        var text = input.AsSpan().Trim();
        if (text.IsEmpty)
            return "the phone number is empty";
        if (text.Length > MaxInputLength)
            return $"the phone number is {text.Length} characters long; at most {MaxInputLength} are accepted, so it is too long to be a phone number";

        // libphonenumber caps its own input at 250 characters, so surrounding whitespace must not count against it.
        var trimmed = input!.Length == text.Length ? input : text.ToString();

        try
        {
            if (text[0] == '+')
            {
                number = Util.Parse(trimmed, UnknownRegion);
            }
            else
            {
                var region = Util.GetRegionCodeForCountryCode(defaultCallingCode);
                if (region == UnknownRegion)
                    return $"'{trimmed}' has no country code and the default country code {defaultCallingCode} is not a country calling code";
                number = region == NonGeographicRegion
                    ? Util.Parse($"+{defaultCallingCode} {trimmed}", UnknownRegion)
                    : Util.Parse(trimmed, region);
            }
        }
        catch (NumberParseException e)
        {
            return Describe(e.ErrorType, trimmed);
        }

        var possible = Util.IsPossibleNumberWithReason(number);
        return possible != ValidationResult.IS_POSSIBLE ? Describe(possible, trimmed, number.CountryCode) : null;
    }

    /// <summary>True when libphonenumber knows the calling code (1, 44, …).</summary>
    public static bool IsKnownCallingCode(int callingCode) => CallingCodes.Contains(callingCode);

    /// <summary>
    /// Splits numbers typed as a list: each element may hold several numbers separated by commas, semicolons or
    /// line breaks. Blank entries are dropped; the rest are trimmed and kept in order.
    /// </summary>
    public static IReadOnlyList<string> SplitList(IEnumerable<string?> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);

        var numbers = new List<string>();
        foreach (var input in inputs)
        {
            if (input is null)
                continue;

            var rest = input.AsSpan();
            while (true)
            {
                var separator = rest.IndexOfAny(ListSeparators);
                var part = (separator < 0 ? rest : rest[..separator]).Trim();
                if (!part.IsEmpty)
                    numbers.Add(part.Length == input.Length ? input : part.ToString());
                if (separator < 0)
                    break;
                rest = rest[(separator + 1)..];
            }
        }

        return numbers;
    }

    private static string Describe(ErrorType error, string input) => error switch
    {
        ErrorType.INVALID_COUNTRY_CODE => $"'{input}' does not start with a known country calling code",
        ErrorType.TOO_SHORT_AFTER_IDD or ErrorType.TOO_SHORT_NSN => $"'{input}' is too short to be a phone number",
        ErrorType.TOO_LONG => $"'{input}' is too long to be a phone number",
        _ => $"'{input}' is not a phone number",
    };

    private static string Describe(ValidationResult result, string input, int callingCode) => result switch
    {
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY => $"'{input}' is a local number without an area code",
        ValidationResult.TOO_SHORT => $"'{input}' is too short to be a phone number",
        ValidationResult.TOO_LONG => $"'{input}' is too long to be a phone number",
        ValidationResult.INVALID_COUNTRY_CODE => $"'{input}' does not start with a known country calling code",
        _ => $"'{input}' does not have the right number of digits for a +{callingCode} number",
    };
}
