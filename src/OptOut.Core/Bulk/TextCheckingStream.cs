using System.Buffers;
using System.Runtime.InteropServices;

namespace OptOut.Core.Bulk;

/// <summary>
/// Passes an upload through unchanged and throws <see cref="BulkFileException"/> as soon as a chunk shows the file is
/// not text. It sits under the CSV parser so the check sees every byte, in the order read, before the parser does:
/// a spreadsheet saved as <c>.xlsx</c> fails on its first bytes instead of as a "row too long" or a million rejected
/// rows, and nothing is buffered for it.
/// </summary>
/// <remarks>
/// "Binary" means a NUL or another C0 control character that no text file has (TAB, LF, VT, FF and CR are allowed).
/// Every binary format people upload by mistake (zip-based .xlsx/.docx, OLE .xls, images, PDF streams) has one within
/// its first few hundred bytes. Bytes that are not valid UTF-8 are deliberately not a reason: Excel's plain
/// "CSV (Comma delimited)" saves in the Windows code page, so a contact list with "José" in a name column is
/// legitimate text, and only the phone column matters here (see <see cref="CsvPhoneReader"/> for how such cells are
/// decoded). Files that start with a UTF-16 byte order mark are checked as UTF-16 code units (the CSV reader decodes
/// them).
/// </remarks>
internal sealed class TextCheckingStream(Stream inner) : Stream
{
    internal const string NotTextReason =
        "the file is not text (it looks like a binary file, e.g. a spreadsheet saved as .xlsx): save it as CSV";

    // C0 controls except TAB, LF, VT, FF, CR.
    private static readonly SearchValues<byte> BinaryBytes = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    // The same code units read from UTF-16: little-endian as they are, big-endian byte-swapped (so a big-endian file is
    // searched in place, without swapping it).
    private static readonly SearchValues<char> BinaryUtf16Le = SearchValues.Create(BinaryChars(bigEndian: false));
    private static readonly SearchValues<char> BinaryUtf16Be = SearchValues.Create(BinaryChars(bigEndian: true));

    private enum Encoding
    {
        NotKnownYet,
        Bytes,
        Utf16LittleEndian,
        Utf16BigEndian,
    }

    private Encoding _encoding;

    // UTF-16 only: a read that ended in the middle of a code unit leaves its first byte here.
    private byte _oddByte;
    private bool _hasOddByte;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        if (_encoding == Encoding.NotKnownYet && !buffer.IsEmpty)
        {
            // A stream may return fewer bytes than asked for: make sure the first read holds a whole byte order mark.
            read = inner.ReadAtLeast(buffer, Math.Min(2, buffer.Length), throwOnEndOfStream: false);
            _encoding = read >= 2 && buffer[0] == 0xFF && buffer[1] == 0xFE ? Encoding.Utf16LittleEndian
                : read >= 2 && buffer[0] == 0xFE && buffer[1] == 0xFF ? Encoding.Utf16BigEndian
                : Encoding.Bytes;
        }
        else
        {
            read = inner.Read(buffer);
        }

        Check(buffer[..read], endOfStream: read == 0 && !buffer.IsEmpty);
        return read;
    }

    private void Check(ReadOnlySpan<byte> bytes, bool endOfStream)
    {
        switch (_encoding)
        {
            case Encoding.Utf16LittleEndian:
            case Encoding.Utf16BigEndian:
                CheckUtf16(bytes, endOfStream);
                break;
            default:
                if (bytes.ContainsAny(BinaryBytes))
                    throw new BulkFileException(NotTextReason);
                break;
        }
    }

    private void CheckUtf16(ReadOnlySpan<byte> bytes, bool endOfStream)
    {
        var binary = _encoding == Encoding.Utf16LittleEndian ? BinaryUtf16Le : BinaryUtf16Be;
        if (_hasOddByte && !bytes.IsEmpty)
        {
            var unit = (char)(_oddByte | (bytes[0] << 8));
            if (binary.Contains(unit))
                throw new BulkFileException(NotTextReason);
            bytes = bytes[1..];
            _hasOddByte = false;
        }

        // x64 and Arm64 read unaligned chars, so the bytes are searched in place.
        var units = MemoryMarshal.Cast<byte, char>(bytes);
        if (units.ContainsAny(binary))
            throw new BulkFileException(NotTextReason);

        if (bytes.Length % 2 == 1)
        {
            _oddByte = bytes[^1];
            _hasOddByte = true;
        }

        // Half a code unit at the end: the file was cut short or is not UTF-16 at all.
        if (endOfStream && _hasOddByte)
            throw new BulkFileException(NotTextReason);
    }

    private static char[] BinaryChars(bool bigEndian)
    {
        var chars = new List<char>();
        for (var c = 0; c < 32; c++)
        {
            if (c is >= 9 and <= 13)
                continue;
            chars.Add(bigEndian == BitConverter.IsLittleEndian ? (char)(c << 8) : (char)c);
        }

        return [.. chars];
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
