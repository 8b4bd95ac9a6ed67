using System.Globalization;
using System.Text;

namespace OptOut.Core.Bulk;

/// <summary>
/// Formats report lines (<c>row,value,phone,outcome,reason</c>, RFC 4180); the report stage formats blocks of them on
/// several threads and appends them in file order.
/// </summary>
internal static class ReportLine
{
    /// <summary>A row's value is cut to this many characters in the report and in the inline rejected rows.</summary>
    public const int MaxValueLength = 100;

    /// <summary>The report's first line.</summary>
    public static readonly byte[] Header = Encoding.UTF8.GetBytes("row,value,phone,outcome,reason\n");

    /// <summary>The row's value as the report shows it (cut to <see cref="MaxValueLength"/>).</summary>
    public static string Value(string value) => value.Length > MaxValueLength ? value[..MaxValueLength] : value;

    /// <summary>Appends one line. <paramref name="phoneDigits"/> is the number's E.164 digits (without the <c>+</c>), or 0 for none.</summary>
    public static void Append(StringBuilder text, long row, string value, long phoneDigits, string? outcome, string? reason)
    {
        Span<char> digits = stackalloc char[20];
        row.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        text.Append(digits[..written]).Append(',');
        CsvCell.Append(text, value);
        text.Append(',');
        if (phoneDigits > 0)
        {
            phoneDigits.TryFormat(digits, out written, default, CultureInfo.InvariantCulture);
            text.Append('+').Append(digits[..written]);
        }

        text.Append(',').Append(outcome).Append(',');
        CsvCell.Append(text, reason);
        text.Append('\n');
    }
}

/// <summary>Writes CSV cells that are safe to open in a spreadsheet.</summary>
public static class CsvCell
{
    /// <summary>
    /// Appends a cell, quoted when needed (RFC 4180). A cell a spreadsheet would run as a formula (starting with
    /// <c>=</c>, <c>@</c>, a tab or CR, or <c>+</c>/<c>-</c> followed by anything but a phone number's characters)
    /// gets a leading apostrophe (OWASP CSV injection).
    /// </summary>
    public static void Append(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        if (IsFormula(value))
            value = "'" + value;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static bool IsFormula(string value)
    {
        var first = value[0];
        if (first is '=' or '@' or '\t' or '\r')
            return true;
        if (first is not ('+' or '-'))
            return false;
        foreach (var c in value.AsSpan(1))
        {
            if (!(char.IsAsciiDigit(c) || c is ' ' or '(' or ')' or '-' or '.'))
                return true;
        }

        return false;
    }
}
