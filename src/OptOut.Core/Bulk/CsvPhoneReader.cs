using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace OptOut.Core.Bulk;

/// <summary>Limits of what an uploaded file may be.</summary>
public sealed record BulkFileLimits
{
    /// <summary>A row longer than this makes the file unusable (no real CSV of numbers has one; a binary or runaway-quote file does).</summary>
    public int MaxRowBytes { get; init; } = 64 * 1024;

    /// <summary>More data rows than this make the file unusable (configurable: <c>BulkUpload:MaxRows</c>).</summary>
    public long MaxRows { get; init; } = 10_000_000;
}

/// <summary>One data row's phone cell. <see cref="Row"/> is 1-based over data rows (header and blank lines excluded).</summary>
public readonly record struct PhoneCell(long Row, string Value);

/// <summary>The file as a whole is unusable; <see cref="Exception.Message"/> says why in words a person understands.</summary>
public sealed class BulkFileException(string reason) : Exception(reason);

/// <summary>
/// Streams the <c>phone</c> column of an uploaded CSV (the README's CSV rules): header matched after trimming
/// whitespace and a UTF-8 BOM, case-insensitively, anywhere in the row; RFC 4180 quoting; CRLF or LF; blank lines
/// skipped. Throws <see cref="BulkFileException"/> for an unusable file: no <c>phone</c> column (naming the columns
/// found), empty, not text, a row over <see cref="BulkFileLimits.MaxRowBytes"/>, more rows than
/// <see cref="BulkFileLimits.MaxRows"/>. Memory does not grow with the file.
/// </summary>
/// <remarks>
/// <para>
/// Parsing is CsvHelper 34's reader (SIMD over UTF-8 bytes, fields as spans, no allocation per row): it reads a
/// million rows in well under a second, so the bulk upload's time goes to numbers and storage, not to CSV. What it
/// does not do is done here: the header is found by this class (<c>HasHeader = false</c>) so that blank lines before
/// it, trimming and the BOM follow the rules above; the exact row-length check (CsvHelper's <c>MaxRecordSize</c> only
/// bounds its buffer and lets a longer row through when it happens to be buffered already); and binary detection,
/// which CsvHelper does not do at all (<see cref="TextCheckingStream"/>).
/// </para>
/// <para>Decisions a caller can rely on:</para>
/// <list type="bullet">
/// <item>The separator is always a comma (CsvHelper would otherwise guess among <c>, ; \t |</c> and could split a
/// one-column file on a character inside the numbers). A header that looks semicolon- or tab-separated gets a hint in
/// the reason.</item>
/// <item>The first line that is not blank is the header. A completely empty line, or one of only spaces and tabs, is
/// skipped and not numbered. A line with commas but no values (<c>,,</c>) is a data row with an empty phone, and so is
/// a row too short to reach the phone column: the processor rejects them with a reason instead of dropping them.</item>
/// <item>A header with no data rows is a usable file of 0 rows (the upload completes with zero counts).</item>
/// <item>If several columns are called <c>phone</c>, the first one is read.</item>
/// <item>A quote that is never closed runs to the end of the file (RFC 4180): within
/// <see cref="BulkFileLimits.MaxRowBytes"/> that is one row whose value the phone parser rejects, beyond it the file
/// fails as "row N is longer than 64 KB".</item>
/// <item>Text is UTF-8, with or without BOM. A file with a UTF-16 byte order mark (Notepad's "Unicode") is decoded.
/// "Not text" means a NUL or another control character no text file has (<see cref="TextCheckingStream"/>), anywhere
/// in the file. Bytes that are not valid UTF-8 alone do not make a file unusable: Excel's plain
/// "CSV (Comma delimited)" is written in Windows-1252, so a list with "José" in its name column is a real CSV. A
/// phone cell that is not valid UTF-8 is decoded as Windows-1252 (its no-break spaces and dashes then reach the phone
/// parser as such).</item>
/// <item>Row numbers, here and in every reason, count data rows from 1, as <see cref="PhoneCell.Row"/> does.</item>
/// <item>The stream stays open: it belongs to the caller.</item>
/// </list>
/// </remarks>
public sealed class CsvPhoneReader : IDisposable
{
    private const string PhoneColumn = "phone";
    private const int MaxColumnsNamed = 10;
    private const int MaxColumnNameLength = 40;

    // The code page Excel writes its plain "CSV" in on Western Windows: CodePagesEncodingProvider ships with .NET, and
    // asking it directly avoids registering a provider for the whole process.
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    private readonly BulkFileLimits _limits;
    private readonly CsvReader _csv;
    private int _phoneIndex = -1;
    private long _rows;
    private bool _disposed;

    public CsvPhoneReader(Stream stream, BulkFileLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxRowBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.MaxRowBytes, 1 << 30);
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxRows);

        _limits = limits;
        _csv = CsvReader.Create(new TextCheckingStream(stream), new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            TrimWhitespace = false,
            // Bounds the buffer (about twice this) so a runaway row fails early instead of being read into memory.
            // The slack is the line break: CsvHelper counts a CR that ends a buffer as part of the record, and the
            // exact limit is checked on every row in MoveNext.
            MaxRecordSize = limits.MaxRowBytes + 2,
            // Phone numbers are personal data: never whole in exception messages (nor logs, which show them).
            IncludeValuesInExceptions = false,
        }, leaveOpen: true);
    }

    /// <summary>Reads the next data row; false at the end of the file.</summary>
    public bool TryRead(out PhoneCell cell)
    {
        if (!MoveNext())
        {
            cell = default;
            return false;
        }

        cell = new PhoneCell(_rows, Decode(_csv.GetSpan(_phoneIndex)));
        return true;
    }

    /// <summary>Reads the whole file to check it is usable; returns the number of data rows.</summary>
    public static long Validate(Stream stream, BulkFileLimits limits)
    {
        using var reader = new CsvPhoneReader(stream, limits);
        while (reader.MoveNext())
        {
            // Every rule is enforced by MoveNext; the values are not needed, so no string is made.
        }

        return reader._rows;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _csv.Dispose();
    }

    /// <summary>Moves to the next data row, enforcing every rule, without materializing its value.</summary>
    private bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_phoneIndex < 0)
            ReadHeader();

        while (true)
        {
            if (!ReadRecord(header: false))
                return false;
            if (IsBlank(_csv.RawRecord))
                continue;
            if (++_rows > _limits.MaxRows)
            {
                var rows = string.Create(CultureInfo.InvariantCulture, $"{_limits.MaxRows:N0} {(_limits.MaxRows == 1 ? "row" : "rows")}");
                throw new BulkFileException($"the file has more than {rows}; the limit is {rows} per upload: split it into smaller files");
            }

            return true;
        }
    }

    private void ReadHeader()
    {
        do
        {
            if (!ReadRecord(header: true))
                throw new BulkFileException("the file is empty");
        }
        while (IsBlank(_csv.RawRecord));

        var names = new string[_csv.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = TrimName(Decode(_csv.GetSpan(i)));
            if (_phoneIndex < 0 && names[i].Equals(PhoneColumn, StringComparison.OrdinalIgnoreCase))
                _phoneIndex = i;
        }

        if (_phoneIndex < 0)
            throw new BulkFileException(NoPhoneColumnReason(names));
    }

    /// <summary>Reads one record (blank or not) and checks its length; false at the end of the file.</summary>
    private bool ReadRecord(bool header)
    {
        bool read;
        try
        {
            read = _csv.Read();
        }
        catch (CsvFormatException)
        {
            // With these options (malformed quotes recovered, ragged rows allowed) the only CsvFormatException is
            // "record longer than MaxRecordSize": a row that did not fit the bounded buffer. Blank lines are short,
            // so it is the next data row.
            throw TooLong(header);
        }

        if (read && _csv.RawRecord.Length > _limits.MaxRowBytes)
            throw TooLong(header);
        return read;
    }

    private BulkFileException TooLong(bool header)
    {
        var size = _limits.MaxRowBytes % 1024 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_limits.MaxRowBytes / 1024:N0} KB")
            : string.Create(CultureInfo.InvariantCulture, $"{_limits.MaxRowBytes:N0} bytes");
        var row = header ? "the header row" : string.Create(CultureInfo.InvariantCulture, $"row {_rows + 1:N0}");
        return new BulkFileException($"{row} is longer than {size} (check it for a quote that is never closed)");
    }

    // A line of only spaces and tabs is blank to the person who made the file; CsvHelper skips only empty ones.
    private static bool IsBlank(ReadOnlySpan<byte> raw) => raw.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    private static string Decode(ReadOnlySpan<byte> value) =>
        Utf8.IsValid(value) ? Encoding.UTF8.GetString(value) : Windows1252.GetString(value);

    // string.Trim does not remove U+FEFF (it is not white space), and a BOM can sit inside the first header cell when
    // files were concatenated or saved twice.
    private static string TrimName(string name) => name.AsSpan().Trim().Trim('\uFEFF').Trim().ToString();

    private static string NoPhoneColumnReason(string[] names)
    {
        var shown = names.Take(MaxColumnsNamed).Select(name => "'" + Shorten(LooksLikeNumber(name) ? PhoneMask.Mask(name) : name) + "'");
        var reason = new StringBuilder("no 'phone' column: the header has ").AppendJoin(", ", shown);
        if (names.Length > MaxColumnsNamed)
            reason.Append(CultureInfo.InvariantCulture, $" and {names.Length - MaxColumnsNamed:N0} more");

        if (names.Any(LooksLikeNumber))
            reason.Append("; the first row looks like data: add a header row with a 'phone' column");
        else if (names.Length == 1 && names[0].IndexOfAny([';', '\t', '|']) is var at and >= 0)
            reason.Append("; the columns seem to be separated by ").Append(names[0][at] == '\t' ? "tabs" : $"'{names[0][at]}'").Append(": save the file with commas");

        return reason.ToString();
    }

    // A header cell with a phone number's worth of digits is a data row (the file has no header): mask it, since the
    // reason is shown and logged, and a phone number is never whole in a log.
    private static bool LooksLikeNumber(string name) => name.Count(char.IsAsciiDigit) >= 7;

    private static string Shorten(string name) => name.Length <= MaxColumnNameLength ? name : name[..MaxColumnNameLength] + "…";
}
