using System.Globalization;
using System.Text;

namespace OptOut.Core.Bulk;

/// <summary>One row of the per-row report.</summary>
internal readonly record struct ReportEntry(long Row, string Value, PhoneNumber? Phone, string? Outcome, string? Reason);

/// <summary>
/// Accumulates report lines (<c>row,value,phone,outcome,reason</c>, RFC 4180) for the chunk until the next
/// checkpoint; only one chunk is ever in memory.
/// </summary>
internal sealed class ReportBuffer
{
    public static readonly byte[] Header = Encoding.UTF8.GetBytes("row,value,phone,outcome,reason\n");

    private MemoryStream _buffer = new();
    private readonly StringBuilder _line = new(256);

    public long Length => _buffer.Length;

    public void Write(IEnumerable<ReportEntry> entries)
    {
        foreach (var entry in entries)
        {
            _line.Clear();
            _line.Append(entry.Row.ToString(CultureInfo.InvariantCulture)).Append(',');
            CsvCell.Append(_line, entry.Value);
            _line.Append(',').Append(entry.Phone?.E164).Append(',').Append(entry.Outcome).Append(',');
            CsvCell.Append(_line, entry.Reason);
            _line.Append('\n');
            var bytes = Encoding.UTF8.GetBytes(_line.ToString());
            _buffer.Write(bytes);
        }
    }

    /// <summary>Hands the chunk over (positioned at its start) and starts a new one.</summary>
    public MemoryStream Detach()
    {
        var chunk = _buffer;
        chunk.Position = 0;
        _buffer = new MemoryStream();
        return chunk;
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
