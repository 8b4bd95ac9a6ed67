using System.Runtime.InteropServices;
using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Pass 1 of an upload: reads the whole file once, checking it is usable (header, text, row length, row count), and
/// normalizes and de-duplicates every row (8 bytes a row), before anything is written. One thread reads, the parsing
/// threads normalize (<see cref="CellBlockPipeline"/>), and the rest happens here in file order: the same keys,
/// numbers and counts as one thread. A resumed run repeats it: it is deterministic and costs seconds.
/// </summary>
internal sealed class ScanStage(IParsingThreads threads, BulkUploadOptions options)
{
    /// <exception cref="BulkFileException">The file is unusable; the reason says why.</exception>
    public async Task<ScanResult> RunAsync(Func<CancellationToken, Task<Stream>> openFile, int callingCode, long expectedRows,
        CancellationToken cancellationToken)
    {
        var rowKeys = new List<RowKey>((int)Math.Min(Math.Max(expectedRows, 16), int.MaxValue / 16));
        var seen = new HashSet<ulong>();
        var numbers = new List<NumberKey>();
        var rejected = new List<BulkUploadRejectedRow>();
        long invalid = 0, duplicates = 0, flagged = 0;

        var stream = await openFile(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // libphonenumber on the workers (each with its own parser), the rest here in file order.
            using var parsers = threads.Rent(options.ParseThreads);
            await CellBlockPipeline.RunAsync(stream, options.Limits, options.ParseThreads, threads,
                (worker, block) => ParseBlock(block, callingCode, parsers[worker]), (block, parsed) =>
            {
                for (var i = 0; i < block.Count; i++)
                {
                    var cell = parsed.Keys[i];
                    if (cell.IsRejected)
                    {
                        invalid++;
                        if (rejected.Count < BulkUploadState.MaxRejectedRowsInline)
                            rejected.Add(new BulkUploadRejectedRow { Row = block.FirstRow + i, Value = ReportLine.Value(block.Values[i]), Reason = parsed.Errors![i]! });
                        rowKeys.Add(RowKey.Rejected);
                        continue;
                    }

                    var number = cell.Number;
                    if (seen.Add(number.Digits))
                    {
                        // Its place in first-seen order, until the numbers are sorted below.
                        rowKeys.Add(RowKey.FirstRowAt(numbers.Count));
                        numbers.Add(number);
                        if (number.IsFlagged)
                            flagged++;
                    }
                    else
                    {
                        duplicates++;
                        rowKeys.Add(RowKey.DuplicateOf(number));
                    }
                }

                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }

        var sorted = numbers.ToArray();
        var firstSeen = new int[sorted.Length];
        for (var i = 0; i < firstSeen.Length; i++)
            firstSeen[i] = i;
        // Sorted as the 8-byte values they are: flagged numbers after the valid ones (their flag bit), within each group phone order.
        MemoryMarshal.Cast<NumberKey, ulong>(sorted.AsSpan()).Sort(firstSeen.AsSpan());
        // A number's first row gets the number's place in the sorted list: the report finds its outcome there without a search.
        var place = new int[sorted.Length];
        for (var i = 0; i < place.Length; i++)
            place[firstSeen[i]] = i;
        var keys = rowKeys.ToArray();
        for (var row = 0; row < keys.Length; row++)
        {
            if (keys[row].IsFirstRow)
                keys[row] = RowKey.FirstRowAt(place[keys[row].Place]);
        }

        return new ScanResult(keys.Length, keys, sorted,
            new BulkUploadCounts { InvalidRows = invalid, DuplicateRows = duplicates, FlaggedRows = flagged }, rejected);
    }

    /// <summary>A block's cell keys and, for rejected cells, the reasons.</summary>
    private readonly record struct ParsedBlock(CellKey[] Keys, string?[]? Errors);

    private static ParsedBlock ParseBlock(CellBlock block, int callingCode, CellParse parse)
    {
        var keys = new CellKey[block.Count];
        string?[]? errors = null;
        for (var i = 0; i < block.Count; i++)
        {
            keys[i] = new CellKey(parse(block.Values[i], callingCode, out var error));
            if (keys[i].IsRejected)
                (errors ??= new string?[block.Count])[i] = error;
        }

        return new ParsedBlock(keys, errors);
    }
}
