using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace OptOut.Core.Bulk;

/// <summary>
/// Pass 3 of an upload: the per-row report (<c>row,value,phone,outcome,reason</c>), every row in file order, from what
/// the scan found (<see cref="ScanResult"/>) and the apply stage did (<see cref="NumberOutcome"/>). The file is read
/// again; its lines are formatted on the parsing threads (a rejected row's reason means parsing it again) and written
/// here in file order straight into one stored blob.
/// </summary>
internal sealed class ReportStage(IBlobStore blobs, IParsingThreads threads, BulkUploadOptions options)
{
    /// <summary>The report pipe holds at most this much before the formatting waits for the blob store.</summary>
    private const int ReportPipeBytes = 1024 * 1024;

    /// <summary>
    /// Writes the report and returns its address: the lines go through a bounded pipe as they are formatted while the
    /// blob store reads the other end, so the report is never held whole in memory, nor written twice.
    /// </summary>
    public async Task<string> WriteAsync(Func<CancellationToken, Task<Stream>> openFile, int callingCode, ScanResult scan, NumberOutcome[] outcomes,
        CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: ReportPipeBytes, resumeWriterThreshold: ReportPipeBytes / 2, useSynchronizationContext: false));
        var stored = Task.Run(() => StoreAsync(pipe.Reader, cancellationToken), cancellationToken);
        try
        {
            await WriteReportBytesAsync(pipe.Writer, ReportLine.Header, stored, cancellationToken).ConfigureAwait(false);
            var stream = await openFile(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var parsers = threads.Rent(options.ParseThreads);
                await CellBlockPipeline.RunAsync(stream, options.Limits, options.ParseThreads, threads,
                    (worker, block) => FormatReport(block, callingCode, scan, outcomes, parsers[worker]), async (block, lines) =>
                {
                    try
                    {
                        await WriteReportBytesAsync(pipe.Writer, lines.Bytes.AsMemory(0, lines.Length), stored, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(lines.Bytes);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }

            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The store's read ends with the failure, so it stores no report that looks complete.
            await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
            await stored.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
            throw;
        }

        return await stored.ConfigureAwait(false);

        async Task<string> StoreAsync(PipeReader reader, CancellationToken ct)
        {
            try
            {
                return await blobs.PutAsync(reader.AsStream(leaveOpen: true), ct).ConfigureAwait(false);
            }
            finally
            {
                // However the store ended, a writer waiting for room in the pipe is released.
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes to the report pipe; if the blob store stopped reading (it failed), its failure is what the caller sees.</summary>
    private static async ValueTask WriteReportBytesAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, Task<string> stored, CancellationToken cancellationToken)
    {
        var flush = await writer.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            await stored.ConfigureAwait(false);
            throw new InvalidOperationException("The blob store stopped reading the report before its end.");
        }
    }

    /// <summary>A block's report lines, UTF-8, in a pooled buffer.</summary>
    private readonly record struct ReportLines(byte[] Bytes, int Length);

    [ThreadStatic]
    private static StringBuilder? t_line;

    [ThreadStatic]
    private static char[]? t_lineChars;

    private static ReportLines FormatReport(CellBlock block, int callingCode, ScanResult scan, NumberOutcome[] outcomes, CellParse parse)
    {
        var line = t_line ??= new StringBuilder(1024);
        var bytes = ArrayPool<byte>.Shared.Rent(block.Count * 128);
        var length = 0;
        for (var i = 0; i < block.Count; i++)
        {
            var row = block.FirstRow + i;
            var rowKey = scan.RowKeys[row - 1];
            var value = ReportLine.Value(block.Values[i]);
            line.Clear();
            if (rowKey.IsRejected)
            {
                parse(block.Values[i], callingCode, out var reason);
                ReportLine.Append(line, row, value, 0, "Rejected", reason);
            }
            else if (rowKey.IsDuplicate)
            {
                ReportLine.Append(line, row, value, (long)rowKey.DuplicateNumber.Digits, "Duplicate", "the number appears earlier in the file");
            }
            else
            {
                var outcome = outcomes[rowKey.Place];
                var number = scan.Numbers[rowKey.Place];
                ReportLine.Append(line, row, value, (long)number.Digits, outcome switch
                {
                    NumberOutcome.OptedOut => "OptedOut",
                    NumberOutcome.AlreadyOptedOut => "AlreadyOptedOut",
                    _ => "Superseded",
                }, outcome == NumberOutcome.Superseded ? "a newer opt-in keeps this number opted in"
                    : !number.IsFlagged ? null : "possible but not a valid number: opted out anyway, flagged");
            }

            // Each line is encoded on its own (a value cut at 100 characters may end in half a surrogate pair); the
            // report's bytes are a published format, pinned by its specs.
            var chars = t_lineChars is { } c && c.Length >= line.Length ? c : t_lineChars = new char[Math.Max(line.Length, 1024)];
            line.CopyTo(0, chars, 0, line.Length);
            var needed = Encoding.UTF8.GetMaxByteCount(line.Length);
            if (bytes.Length - length < needed)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length * 2, length + needed));
                bytes.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(bytes);
                bytes = larger;
            }

            length += Encoding.UTF8.GetBytes(chars.AsSpan(0, line.Length), bytes.AsSpan(length));
        }

        return new ReportLines(bytes, length);
    }
}
