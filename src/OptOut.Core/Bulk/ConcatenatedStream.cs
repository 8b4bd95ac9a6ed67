namespace OptOut.Core.Bulk;

/// <summary>
/// Reads a header and then stored chunks one after another, opening each only when the previous one ends: the
/// whole report is assembled without holding more than one chunk's read buffer.
/// </summary>
internal sealed class ConcatenatedStream(IReadOnlyList<string> addresses, IBlobStore blobs, byte[] header) : Stream
{
    private int _next;
    private Stream? _current = new MemoryStream(header, writable: false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current is not null)
        {
            var read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
                return read;
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = _next < addresses.Count ? await blobs.OpenAsync(addresses[_next++], cancellationToken).ConfigureAwait(false) : null;
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Some writers read synchronously; the chunks are local files or database blobs, so blocking here is bounded.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _current?.Dispose();
        base.Dispose(disposing);
    }
}
