using System.Text;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>Byte inputs for the CSV specs, read the two ways the processor reads them.</summary>
internal static class CsvInput
{
    public static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    /// <summary>Every data row, read through a non-seekable stream that returns at most <paramref name="chunkSize"/> bytes per read.</summary>
    public static List<PhoneCell> ReadAll(byte[] bytes, BulkFileLimits? limits = null, int chunkSize = int.MaxValue)
    {
        var cells = new List<PhoneCell>();
        using var stream = new TrickleStream(bytes, chunkSize);
        using var reader = new CsvPhoneReader(stream, limits ?? new BulkFileLimits());
        while (reader.TryRead(out var cell))
            cells.Add(cell);

        Assert.That(CsvPhoneReader.Validate(new TrickleStream(bytes, chunkSize), limits ?? new BulkFileLimits()), Is.EqualTo(cells.Count),
            "Validate counts the rows TryRead returns");
        return cells;
    }

    /// <summary>
    /// Asserts that both Validate and reading row by row reject the file with the same reason, and returns it with the
    /// rows read before the reader got to the problem.
    /// </summary>
    public static (string Reason, List<PhoneCell> RowsBefore) Unusable(byte[] bytes, BulkFileLimits? limits = null, int chunkSize = int.MaxValue)
    {
        limits ??= new BulkFileLimits();
        var validated = Assert.Throws<BulkFileException>(() => CsvPhoneReader.Validate(new TrickleStream(bytes, chunkSize), limits));

        var rows = new List<PhoneCell>();
        using var reader = new CsvPhoneReader(new TrickleStream(bytes, chunkSize), limits);
        var read = Assert.Throws<BulkFileException>(() =>
        {
            while (reader.TryRead(out var cell))
                rows.Add(cell);
        });

        Assert.That(read!.Message, Is.EqualTo(validated!.Message));
        return (validated.Message, rows);
    }
}

/// <summary>A non-seekable stream that returns at most <c>chunkSize</c> bytes per read, like a network stream, and counts what was read.</summary>
internal sealed class TrickleStream(byte[] data, int chunkSize = int.MaxValue) : Stream
{
    private int _position;

    public long BytesRead => _position;

    public bool Disposed { get; private set; }

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
        var count = Math.Min(Math.Min(buffer.Length, chunkSize), data.Length - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>
/// A file made on the fly: <c>header</c>, then <c>block</c> repeated, then <c>tail</c>. It holds only those, so a test
/// can read a file far larger than anything it keeps in memory.
/// </summary>
internal sealed class RepeatingStream(byte[] header, byte[] block, long repetitions, byte[]? tail = null) : Stream
{
    private readonly byte[] _tail = tail ?? [];
    private long _position;

    public long BytesRead => _position;

    public long TotalLength => header.Length + block.Length * repetitions + _tail.Length;

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
        var written = 0;
        while (written < buffer.Length && _position < TotalLength)
        {
            ReadOnlySpan<byte> source;
            if (_position < header.Length)
            {
                source = header.AsSpan((int)_position);
            }
            else if (_position < header.Length + block.Length * repetitions)
            {
                source = block.AsSpan((int)((_position - header.Length) % block.Length));
            }
            else
            {
                source = _tail.AsSpan((int)(_position - header.Length - block.Length * repetitions));
            }

            var count = Math.Min(source.Length, buffer.Length - written);
            source[..count].CopyTo(buffer[written..]);
            written += count;
            _position += count;
        }

        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
