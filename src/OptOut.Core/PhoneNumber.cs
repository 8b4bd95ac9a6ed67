namespace OptOut.Core;

/// <summary>
/// A phone number that passed normalization: E.164, possible for its region with its full length.
/// Only <see cref="PhoneNumberParser"/> builds one, so an invalid number can't exist past the boundary.
/// </summary>
public sealed record PhoneNumber
{
    internal PhoneNumber(string e164, bool isValid)
    {
        E164 = e164;
        IsValid = isValid;
    }

    /// <summary>A number read back from a store: it was normalized before it was stored.</summary>
    public static PhoneNumber FromStored(string e164, bool isValid) => new(e164, isValid);

    /// <summary>The number in E.164, for example <c>+15552011234</c>.</summary>
    public string E164 { get; }

    /// <summary>
    /// libphonenumber's IsValidNumber. False means possible but not assigned/valid: still opted out
    /// (compliance first) and flagged in reports.
    /// </summary>
    public bool IsValid { get; }

    /// <summary>The number safe for logs, traces and metrics: only the last 4 digits.</summary>
    public string Masked => PhoneMask.Mask(E164);

    public override string ToString() => Masked;
}

/// <summary>The result of parsing user or producer input as a phone number.</summary>
public sealed record PhoneParseResult
{
    private PhoneParseResult(PhoneNumber? number, string? error)
    {
        Number = number;
        Error = error;
    }

    public PhoneNumber? Number { get; }

    /// <summary>Why the input was rejected, in words a person understands.</summary>
    public string? Error { get; }

    public bool Success => Number is not null;

    public static PhoneParseResult Ok(PhoneNumber number) => new(number, null);

    public static PhoneParseResult Rejected(string reason) => new(null, reason);
}

/// <summary>Masks phone numbers (or any string that may hold one) for logs: they never appear whole outside the store.</summary>
public static partial class PhoneMask
{
    /// <summary>
    /// Masks every run of 7 or more digits (with an optional leading +) in free text, such as a driver's error message
    /// that quotes a key (<c>dup key: { phone: "+15552011234" }</c> → <c>dup key: { phone: "********1234" }</c>).
    /// Shorter runs (counts, ports, error codes) stay readable, and so do ids: a GUID (or 32 hex digits) is left
    /// whole, though one in twenty has a run of 7 decimal digits somewhere.
    /// </summary>
    public static string MaskNumbersIn(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : DigitRun().Replace(text, m => m.Groups["phone"].Success ? Mask(m.Value) : m.Value);

    // An id alternative is tried first at each position, so a GUID is consumed whole before its digits could match.
    [System.Text.RegularExpressions.GeneratedRegex(
        @"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|(?<![0-9A-Za-z])[0-9A-Fa-f]{32}(?![0-9A-Za-z])|(?<phone>\+?\d{7,})")]
    private static partial System.Text.RegularExpressions.Regex DigitRun();

    /// <summary>Keeps the last 4 characters, masks the rest: <c>+15552011234</c> → <c>*******1234</c>.</summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "(none)";
        return value.Length <= 4 ? new string('*', value.Length) : new string('*', value.Length - 4) + value[^4..];
    }
}
