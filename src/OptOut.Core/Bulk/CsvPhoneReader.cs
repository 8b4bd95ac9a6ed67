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
/// Streams the <c>phone</c> column of an uploaded CSV (issue #3 "CSV rules"): header matched after trimming
/// whitespace and a UTF-8 BOM, case-insensitively, anywhere in the row; RFC 4180 quoting; CRLF or LF; blank lines
/// skipped. Throws <see cref="BulkFileException"/> for an unusable file: no <c>phone</c> column (naming the columns
/// found), empty, not text, a row over <see cref="BulkFileLimits.MaxRowBytes"/>, more rows than
/// <see cref="BulkFileLimits.MaxRows"/>. Memory does not grow with the file.
/// </summary>
public sealed class CsvPhoneReader : IDisposable
{
    public CsvPhoneReader(Stream stream, BulkFileLimits limits) => throw new NotImplementedException();

    /// <summary>Reads the next data row; false at the end of the file.</summary>
    public bool TryRead(out PhoneCell cell) => throw new NotImplementedException();

    /// <summary>Reads the whole file to check it is usable; returns the number of data rows.</summary>
    public static long Validate(Stream stream, BulkFileLimits limits) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
