using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace OptOut.Core.Bulk;

/// <summary>Consecutive data rows' phone cells, as <see cref="CsvPhoneReader"/> numbered them.</summary>
internal sealed class CellBlock(long firstRow)
{
    /// <summary>Cells per block: big enough that handing a block between threads costs nothing next to parsing it, small enough to stay off the large object heap.</summary>
    public const int Size = 4_096;

    /// <summary>The row number of <c>Values[0]</c>; the block's rows follow it without gaps.</summary>
    public long FirstRow { get; } = firstRow;

    public string[] Values { get; } = new string[Size];

    public int Count { get; set; }
}

/// <summary>
/// Reads an uploaded file's phone column on one thread and transforms blocks of its cells on worker threads (libphonenumber
/// is what an upload's read spends its time on, and it is single-threaded per call), handing each block's result back to
/// the caller in file order, so whatever the caller builds from them is exactly what a single-threaded loop builds.
/// </summary>
/// <remarks>
/// Memory is bounded: the reader runs at most <see cref="BlocksAhead"/> blocks ahead of the caller. Every check of the
/// file stays in <see cref="CsvPhoneReader"/>, on the reading thread; a <see cref="BulkFileException"/> reaches the
/// caller after the blocks read before it, so it still sees the rows in order and the reason of the first problem.
/// The threads are dedicated ones, not the thread pool's: they block on the queues, and the bus shares the pool. The
/// workers run at a lower priority (<see cref="IParsingThreads.LowerPriority"/>): the keyword path goes first.
/// </remarks>
internal static class CellBlockPipeline
{
    /// <summary>How many blocks may be read but not yet consumed (a few MB at most).</summary>
    private const int BlocksAhead = 8;

    /// <param name="stream">The file, from its start; it stays open (it belongs to the caller).</param>
    /// <param name="limits">The file's limits, checked as <see cref="CsvPhoneReader"/> does.</param>
    /// <param name="workers">How many threads run <paramref name="transform"/> (<see cref="BulkUploadOptions.ParseThreads"/>).</param>
    /// <param name="parsingThreads">Lowers each worker thread's priority as it starts.</param>
    /// <param name="transform">Runs on the worker threads (it is given the worker's index, 0 to <paramref name="workers"/> - 1), on
    /// blocks in any order and several at a time: it must not touch shared state.</param>
    /// <param name="consume">Runs on the caller's context, one block at a time, in file order.</param>
    /// <param name="cancellationToken">Stops reading, the workers and the caller.</param>
    public static async Task RunAsync<TResult>(Stream stream, BulkFileLimits limits, int workers, IParsingThreads parsingThreads, Func<int, CellBlock, TResult> transform,
        Func<CellBlock, TResult, ValueTask> consume, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        using var work = new BlockingCollection<Pending<TResult>>(BlocksAhead);
        var inOrder = Channel.CreateBounded<Pending<TResult>>(new BoundedChannelOptions(BlocksAhead) { SingleReader = true, SingleWriter = true });
        Exception? readFailure = null;

        var threads = new List<Task>(workers + 1)
        {
            Task.Factory.StartNew(() =>
            {
                try
                {
                    Read(stream, limits, work, inOrder.Writer, token);
                }
                catch (Exception e)
                {
                    // Handed to the caller after the blocks before it (an OperationCanceledException here only follows
                    // the caller's own failure or cancellation, which is what the caller reports).
                    readFailure = e;
                }
                finally
                {
                    work.CompleteAdding();
                    inOrder.Writer.TryComplete();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        };
        for (var i = 0; i < workers; i++)
        {
            var worker = i;
            threads.Add(Task.Factory.StartNew(() => Transform(work, parsingThreads, block => transform(worker, block), token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        try
        {
            await foreach (var pending in inOrder.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await pending.Done.Task.WaitAsync(token).ConfigureAwait(false);
                await consume(pending.Block, pending.Result!).ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // No thread outlives the call: none of them may touch the stream or the caller's state afterwards.
            await Task.WhenAll(threads).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).ConfigureAwait(false);
        }

        if (readFailure is not null)
            ExceptionDispatchInfo.Throw(readFailure);
    }

    private static void Read<TResult>(Stream stream, BulkFileLimits limits, BlockingCollection<Pending<TResult>> work,
        ChannelWriter<Pending<TResult>> inOrder, CancellationToken cancellationToken)
    {
        using var reader = new CsvPhoneReader(stream, limits);
        CellBlock? block = null;
        while (reader.TryRead(out var cell))
        {
            if (block is not null && (block.Count == CellBlock.Size || cell.Row != block.FirstRow + block.Count))
            {
                Post(block, work, inOrder, cancellationToken);
                block = null;
            }

            block ??= new CellBlock(cell.Row);
            block.Values[block.Count++] = cell.Value;
        }

        if (block is not null)
            Post(block, work, inOrder, cancellationToken);
    }

    private static void Post<TResult>(CellBlock block, BlockingCollection<Pending<TResult>> work, ChannelWriter<Pending<TResult>> inOrder,
        CancellationToken cancellationToken)
    {
        var pending = new Pending<TResult>(block);
        // In order first: a worker may finish the block before the caller looks for it, never the other way round.
        if (!inOrder.TryWrite(pending))
            inOrder.WriteAsync(pending, cancellationToken).AsTask().GetAwaiter().GetResult();
        work.Add(pending, cancellationToken);
    }

    private static void Transform<TResult>(BlockingCollection<Pending<TResult>> work, IParsingThreads parsingThreads, Func<CellBlock, TResult> transform,
        CancellationToken cancellationToken)
    {
        // A thread of its own (LongRunning), so the lower priority ends with it.
        parsingThreads.LowerPriority();
        try
        {
            foreach (var pending in work.GetConsumingEnumerable(cancellationToken))
            {
                try
                {
                    pending.Result = transform(pending.Block);
                    pending.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller failed or was cancelled: it reports that.
        }
    }

    private sealed class Pending<TResult>(CellBlock block)
    {
        public CellBlock Block { get; } = block;

        public TResult? Result { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
