namespace OptOut.Core.Bulk;

/// <summary>
/// Every parsing thread parses with the process's own libphonenumber, at normal priority: the same keys and reasons as
/// the service's <see cref="IParsingThreads"/>, only slower on several threads (they share libphonenumber's regular
/// expressions). What Core's specs run with, and a host without the parallelism project.
/// </summary>
public sealed class SharedParsingThreads : IParsingThreads
{
    public static readonly SharedParsingThreads Instance = new();

    private static readonly CellParse Parse = CellKey.Parse;

    public CellParserLease Rent(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var parsers = new CellParse[threads];
        Array.Fill(parsers, Parse);
        return new CellParserLease(parsers);
    }

    public void LowerPriority()
    {
    }
}
