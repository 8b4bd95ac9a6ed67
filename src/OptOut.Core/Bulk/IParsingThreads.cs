namespace OptOut.Core.Bulk;

/// <summary>Parses one cell into its packed <see cref="CellKey"/> (<see cref="CellKey.Parse"/>); a rejected cell gives the reason.</summary>
/// <remarks>Primitive types only, so that a copy of the parser in another load context can be called through it.</remarks>
public delegate long CellParse(string? input, int defaultCallingCode, out string? error);

/// <summary>
/// How an upload's parsing threads run on this host (<see cref="BulkUploadOptions.ParseThreads"/> of them, each pass
/// of the file). The service's implementation (OptOut.Bulk.Parallelism) gives each thread a libphonenumber of its
/// own and a lower scheduling priority; <see cref="SharedParsingThreads"/> is the plain one.
/// </summary>
public interface IParsingThreads
{
    /// <summary>Parsers for <paramref name="threads"/> threads, one each, theirs until the lease is disposed.</summary>
    CellParserLease Rent(int threads);

    /// <summary>
    /// Runs on each parsing thread as it starts (a dedicated thread that ends with the pass): lowers its priority
    /// where the host can, so that a running upload never delays keyword opt-outs.
    /// </summary>
    void LowerPriority();
}

/// <summary>Parsers rented for a pass: <c>lease[i]</c> is thread i's.</summary>
public sealed class CellParserLease(CellParse[] parsers, Action<CellParse[]>? release = null) : IDisposable
{
    private CellParse[]? _parsers = parsers;

    public CellParse this[int thread] => (_parsers ?? throw new ObjectDisposedException(nameof(CellParserLease)))[thread];

    /// <summary>Gives the parsers back (to be lent again); the lease refuses them from now on.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _parsers, null) is { } returned)
            release?.Invoke(returned);
    }
}
