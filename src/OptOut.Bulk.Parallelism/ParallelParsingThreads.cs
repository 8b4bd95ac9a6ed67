using OptOut.Core.Bulk;

namespace OptOut.Bulk.Parallelism;

/// <summary>
/// The service's parsing threads: each parses with a libphonenumber of its own (<see cref="CellParser"/>) and runs at
/// a lower priority than the keyword path (<see cref="BackgroundPriority"/>).
/// </summary>
/// <remarks>
/// Both are runtime and operating-system machinery (load contexts, libc), kept out of OptOut.Core so that the
/// domain assembly holds only the rules; Core sees them through <see cref="IParsingThreads"/>.
/// </remarks>
public sealed class ParallelParsingThreads : IParsingThreads
{
    public CellParserLease Rent(int threads) => CellParser.Rent(threads);

    public void LowerPriority() => BackgroundPriority.Lower();
}
