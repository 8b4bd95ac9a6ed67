using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Processes a bulk upload (issue #3) in durable stages, each resumable from the upload's stored state after a crash
/// (the redelivered message calls <see cref="RunAsync"/> again):
/// <list type="number">
/// <item><b>Read</b> the whole file once: check it is usable (header, text, row length, row count) and normalize and
/// de-duplicate every row (8 bytes a row), before anything is written; an unusable file fails with nothing changed.
/// One thread reads, one per core normalizes (<see cref="CellBlockPipeline"/>, <see cref="BulkUploadOptions.ParseThreads"/>),
/// and meanwhile the account's stored numbers are listed (<see cref="IOptOutStore.ListPhonesAsync"/>).</item>
/// <item><b>Apply</b> the distinct numbers in phone order, a batch at a time: the records of the listed ones are read
/// (one round trip), every number is decided, and one round trip writes the batch (inserts for the new numbers; a dry
/// run writes nothing). The next batches are
/// prepared while the store writes one. A checkpoint every
/// <see cref="BulkUploadOptions.CheckpointRows"/> numbers covers only batches whose writes committed, and records the
/// numbers of that stretch the upload changed (<see cref="IOptOutStore.RecordChangesAsync"/>). A resumed run
/// reads the file again and continues after the checkpoint; numbers applied after it before the crash come back as
/// <see cref="ChangeKind.Replayed"/> and count as new opt-outs once.</item>
/// <item><b>Report</b> every row in file order (a stored per-row CSV), its lines formatted on the workers.</item>
/// <item><b>Dispatch</b> one ConversationOptStateChanged per number the upload changed, read back from the store
/// (the store is the outbox: the records of the numbers recorded at the checkpoints), with a cursor checkpointed per
/// page: a crash re-publishes at most one page, with the same message ids.</item>
/// </list>
/// BulkUploadCompleted goes out between ingest and dispatch, so the report doesn't wait for the events.
/// </summary>
public sealed class BulkUploadProcessor(
    IOptOutStore store, IBulkUploadStore uploads, IBlobStore blobs, OptOutService optOuts, SettingsCache settings,
    TimeProvider clock, BulkUploadOptions options)
{
    private const int MaxReportValueLength = 100;

    /// <summary>Processes (or resumes, or re-announces) an upload. <c>openFile</c> opens the uploaded file from the start; it is called once per pass.</summary>
    public async Task RunAsync(BulkUploadJob job, Func<CancellationToken, Task<Stream>> openFile, IBulkUploadEvents events,
        CancellationToken cancellationToken)
    {
        var state = await StartAsync(job, cancellationToken).ConfigureAwait(false);
        switch (state.Status)
        {
            case BulkUploadStatus.Failed:
                await events.FailedAsync(state, cancellationToken).ConfigureAwait(false);
                return;
            case BulkUploadStatus.Completed or BulkUploadStatus.Undone:
                // A redelivery after everything was done: announce the result again; downstream de-duplicates.
                await events.CompletedAsync(state, cancellationToken).ConfigureAwait(false);
                return;
        }

        if (state.Status == BulkUploadStatus.Running)
        {
            state = await IngestAsync(job, state, openFile, events, cancellationToken).ConfigureAwait(false);
            if (state.Status == BulkUploadStatus.Failed)
            {
                await events.FailedAsync(state, cancellationToken).ConfigureAwait(false);
                return;
            }

            await events.CompletedAsync(state, cancellationToken).ConfigureAwait(false);
        }
        else if (state.Status == BulkUploadStatus.Ingested && state.EventsDispatchedAfter is null)
        {
            // Ingested with no dispatch page stored: the crash may have come between storing "Ingested" and publishing
            // BulkUploadCompleted, so announce it (again: the same message id, downstream de-duplicates). Once a page is
            // stored, the announcement went out before it.
            await events.CompletedAsync(state, cancellationToken).ConfigureAwait(false);
        }

        if (state.Status == BulkUploadStatus.Ingested)
        {
            state = await DispatchAsync(job, state, events, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Undo (issue #3): opt back in exactly the numbers the upload newly opted out that nothing has opted out since.
    /// "Since" includes a later opt-out message that changed nothing (the number was already out): it moved the
    /// record's clock past the upload's entry, and a contact who texted STOP after the upload stays opted out.
    /// </summary>
    public async Task UndoAsync(Guid accountId, Guid uploadId, string requestedBy, DateTimeOffset requestedAt, IBulkUploadEvents events,
        CancellationToken cancellationToken)
    {
        var state = await uploads.GetAsync(accountId, uploadId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidMessageException($"upload {uploadId} does not exist in account {accountId}");
        if (state.UndoRefusal is { } refusal)
            throw new InvalidMessageException($"upload {uploadId} can't be undone: {refusal}");
        if (state.Status == BulkUploadStatus.Undone)
        {
            // Undoing twice changes nothing the second time.
            await events.UndoneAsync(state, 0, state.UndoKept, cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = clock.GetUtcNow();
        requestedAt = Clamp(requestedAt, now);
        var causation = BulkUploadJob.CausationFor(uploadId);
        var undoCausation = BulkUploadJob.UndoCausationFor(uploadId);
        var note = $"Bulk upload \"{state.FileName}\" ({uploadId:N}) undone by {requestedBy}";
        long optedIn = 0, kept = 0;
        string? after = null;
        do
        {
            var page = await store.ListByCausationAsync(accountId, causation, after, options.BatchSize, cancellationToken).ConfigureAwait(false);
            after = page.Next;

            var undo = new List<(OptChange Change, OptDecision Decision)>();
            foreach (var record in page.Records)
            {
                var last = record.History[^1];
                var byThisUpload = record.State == OptState.OptedOut && last.CausationId == causation && record.StateAt == last.At;
                var byThisUndo = record.State == OptState.OptedIn && last.CausationId == undoCausation;
                if (!byThisUpload && !byThisUndo)
                {
                    if (record.State == OptState.OptedOut)
                        kept++;
                    continue;
                }

                var change = new OptChange
                {
                    AccountId = accountId,
                    Phone = PhoneNumber.FromStored(record.Phone, !record.Flagged),
                    State = OptState.OptedIn,
                    Source = OptOutSource.BulkUpload,
                    At = requestedAt,
                    CausationId = undoCausation,
                    Actor = requestedBy,
                    Note = note,
                };
                undo.Add((change, OptOutStateMachine.Decide(record, change, now)));
            }

            var decided = await WriteAsync(undo, cancellationToken).ConfigureAwait(false);
            var changes = new List<StateChange>();
            foreach (var (change, decision) in decided)
            {
                if (decision.Publishes)
                {
                    optedIn++;
                    changes.Add(StateChange.From(change));
                }
                else
                {
                    kept++;
                }
            }

            if (changes.Count > 0)
                await events.StateChangesAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        while (after is not null);

        state = await SaveAsync(state with
        {
            Status = BulkUploadStatus.Undone,
            UndoneAt = now,
            UndoneBy = requestedBy,
            UndoOptedIn = optedIn,
            UndoKept = kept,
        }, cancellationToken).ConfigureAwait(false);
        await events.UndoneAsync(state, optedIn, kept, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BulkUploadState> StartAsync(BulkUploadJob job, CancellationToken cancellationToken)
    {
        var existing = await uploads.GetAsync(job.AccountId, job.UploadId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
            return existing;

        var state = new BulkUploadState
        {
            UploadId = job.UploadId,
            AccountId = job.AccountId,
            FileName = job.FileName,
            SubmittedBy = job.SubmittedBy,
            SubmittedAt = job.SubmittedAt,
            DryRun = job.DryRun,
            Status = BulkUploadStatus.Running,
            StartedAt = clock.GetUtcNow(),
            Version = 1,
        };
        if (await uploads.TrySaveAsync(state, 0, cancellationToken).ConfigureAwait(false))
            return state;
        // A duplicate of the message got there first: carry on from what it stored.
        return await uploads.GetAsync(job.AccountId, job.UploadId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Upload {job.UploadId} vanished while being created.");
    }

    private async Task<BulkUploadState> IngestAsync(BulkUploadJob job, BulkUploadState state, Func<CancellationToken, Task<Stream>> openFile,
        IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var at = Clamp(job.SubmittedAt, clock.GetUtcNow());
        var callingCode = (await settings.GetAsync(job.AccountId, cancellationToken).ConfigureAwait(false)).Settings.DefaultCountryCode;
        var note = $"Bulk upload \"{job.FileName}\" ({job.UploadId:N}) by {job.SubmittedBy}";

        // Pass 1: read and normalize every row once. A resumed run repeats it: it is deterministic and costs seconds.
        // Meanwhile the account's numbers are listed (a walk of the store's key, no lookups), so that pass 2 reads only
        // the records of the upload's numbers among them (a fifth of a typical upload) and inserts the rest unread.
        using var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listLimit = new StrongBox<int>(options.MaxListedNumbers);
        var listed = Task.Run(() => ListKnownNumbersAsync(job.AccountId, listLimit, listing.Token), listing.Token);

        // When the read fails, the listing stops too: nothing of the upload runs on after the call.
        async Task StopListingAsync()
        {
            await listing.CancelAsync().ConfigureAwait(false);
            await listed.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
        }

        ScanResult scan;
        ulong[]? known;
        try
        {
            scan = await ScanAsync(openFile, callingCode, state.TotalRows, cancellationToken).ConfigureAwait(false);
            // A listing still running now is of an account much larger than the file may be: past twice the file's
            // numbers, reading them is cheaper than listing on (a 10-row upload must not list a million numbers).
            Volatile.Write(ref listLimit.Value, (int)Math.Min(options.MaxListedNumbers, Math.Max(2L * scan.Numbers.Length, KnownNumbersPage)));
            known = await listed.ConfigureAwait(false);
        }
        catch (BulkFileException e) when (state.NumbersApplied == 0)
        {
            // The read checks the whole file (header, text, row length, row count) before anything is written, so an
            // unusable file fails the upload with nothing changed. (Once numbers were applied, a file that can't be
            // read again is an error to retry, not an unusable upload.)
            await StopListingAsync().ConfigureAwait(false);
            return await SaveAsync(state with { Status = BulkUploadStatus.Failed, FailureReason = e.Message, CompletedAt = clock.GetUtcNow() },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopListingAsync().ConfigureAwait(false);
            throw;
        }

        if (state.TotalRows != scan.Rows)
            state = await SaveAsync(state with { TotalRows = scan.Rows }, cancellationToken).ConfigureAwait(false);
        var counts = scan.Counts with
        {
            OptedOut = state.Counts.OptedOut,
            AlreadyOptedOut = state.Counts.AlreadyOptedOut,
            SupersededRows = state.Counts.SupersededRows,
        };
        await events.ProgressAsync(state, scan.Rows, counts, cancellationToken).ConfigureAwait(false);

        // Pass 2: apply the distinct numbers in phone order. Every index of the store (and the history's) then grows
        // at one end instead of everywhere: a B-tree page is written once per batch, not once per row (SQLite wrote
        // 7x more than the rows themselves in file order). Batches are written while the next ones are prepared; a
        // checkpoint covers only batches whose writes committed.
        var outcomes = new byte[scan.Numbers.Length];
        await RecoverOutcomesAsync(job, scan.Numbers, (int)state.NumbersApplied, outcomes, cancellationToken).ConfigureAwait(false);
        var existed = Existed(scan.Numbers, known);
        var lastProgress = Stopwatch.StartNew();
        var lastCheckpoint = state.NumbersApplied;
        var applied = (int)state.NumbersApplied;
        // The writer: one task writes the prepared batches in order while this one prepares the next ones. Batches wait
        // in the queue, so the writer goes on to the next the moment it is done with one (handing each batch to a new
        // task left the store idle for a thread's wake-up twice a batch: a fifth of the apply on a 2-core machine).
        // Up to PreparedAhead of them: a stretch of numbers that exist takes longer to prepare (their records are read)
        // than to write, a stretch of new ones the other way round (one batch ahead, the store idled 0.2-0.3 s of a
        // 2.6 s apply; four ahead, 0.04-0.09 s).
        var queue = Channel.CreateBounded<(PreparedBatch Batch, int Start)>(new BoundedChannelOptions(PreparedAhead) { SingleReader = true, SingleWriter = true });
        var written = Channel.CreateUnbounded<(int End, BatchCounts Counts)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(() => WriteBatchesAsync(job, queue, written.Writer, outcomes, cancellationToken), cancellationToken);
        try
        {
            for (var i = applied; i < scan.Numbers.Length; i += options.BatchSize)
            {
                var count = Math.Min(options.BatchSize, scan.Numbers.Length - i);
                var batch = await PrepareAsync(job, at, note, new ArraySegment<ulong>(scan.Numbers, i, count), new ArraySegment<bool>(existed, i, count),
                    cancellationToken).ConfigureAwait(false);
                await queue.Writer.WriteAsync((batch, i), cancellationToken).ConfigureAwait(false);
                while (written.Reader.TryRead(out var done))
                    await SettleAsync(done).ConfigureAwait(false);
            }

            queue.Writer.Complete();
            await foreach (var done in written.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await SettleAsync(done).ConfigureAwait(false);
            await writer.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nothing of the upload runs on after the call fails (a retry starts from the stored checkpoint); a failed
            // write is what the caller sees, not the closed queue it left behind.
            queue.Writer.TryComplete();
            await writer.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
            if (e is ChannelClosedException && (writer.IsFaulted || writer.IsCanceled))
                await writer.ConfigureAwait(false);
            throw;
        }

        // Counts the batches written in order and saves a checkpoint every CheckpointRows numbers: it covers only
        // batches whose writes committed (later ones may have committed too; a resumed run redoes them as replays).
        async Task SettleAsync((int End, BatchCounts Counts) done)
        {
            counts = done.Counts.AddTo(counts);
            applied = done.End;
            if (applied - lastCheckpoint >= options.CheckpointRows || applied == scan.Numbers.Length)
            {
                // The stretch's changed numbers first (dispatch and undo list them): a crash before the checkpoint
                // is saved redoes the stretch and records it again, replacing this.
                if (!job.DryRun)
                {
                    await store.RecordChangesAsync(job.AccountId, job.CausationId, lastCheckpoint,
                        ChangedNumbers(scan.Numbers, outcomes, (int)lastCheckpoint, applied), cancellationToken).ConfigureAwait(false);
                }

                state = await SaveAsync(state with { NumbersApplied = applied, Counts = counts, RejectedRows = scan.Rejected },
                    cancellationToken).ConfigureAwait(false);
                lastCheckpoint = applied;
            }

            if (lastProgress.Elapsed >= options.ProgressInterval)
            {
                await events.ProgressAsync(state, scan.Rows, counts, cancellationToken).ConfigureAwait(false);
                lastProgress.Restart();
            }
        }

        // Pass 3: the per-row report, in file order, from what the first two passes found.
        var reportAddress = await WriteReportAsync(openFile, callingCode, scan, outcomes, cancellationToken).ConfigureAwait(false);
        var ingested = state with
        {
            Status = job.DryRun ? BulkUploadStatus.Completed : BulkUploadStatus.Ingested,
            TotalRows = scan.Rows,
            NumbersApplied = scan.Numbers.Length,
            Counts = counts,
            RejectedRows = scan.Rejected,
            ReportAddress = reportAddress,
            IngestedAt = clock.GetUtcNow(),
            CompletedAt = job.DryRun ? clock.GetUtcNow() : null,
        };
        await events.ProgressAsync(ingested, scan.Rows, counts, cancellationToken).ConfigureAwait(false);
        return await SaveAsync(ingested, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What pass 1 found: per row its number key (or that it was rejected), the distinct numbers sorted, the counts it can give.</summary>
    /// <remarks>
    /// <c>RowKeys</c> holds per row <see cref="Rejected"/>, a repeat's key with <see cref="DuplicateBit"/>, or for a
    /// number's first row its index in <c>Numbers</c>.
    /// </remarks>
    private sealed record ScanResult(long Rows, long[] RowKeys, ulong[] Numbers, BulkUploadCounts Counts, IReadOnlyList<BulkUploadRejectedRow> Rejected);

    /// <summary>How many prepared batches may wait for the writer (a batch holds a thousand decisions).</summary>
    private const int PreparedAhead = 4;

    private const long Rejected = CellParser.Rejected;
    private const long FlaggedBit = CellParser.FlaggedBit;
    private const long DuplicateBit = 1L << 61;

    private async Task<ScanResult> ScanAsync(Func<CancellationToken, Task<Stream>> openFile, int callingCode, long expectedRows,
        CancellationToken cancellationToken)
    {
        var rowKeys = new List<long>((int)Math.Min(Math.Max(expectedRows, 16), int.MaxValue / 16));
        var seen = new HashSet<ulong>();
        var numbers = new List<ulong>();
        var rejected = new List<BulkUploadRejectedRow>();
        long invalid = 0, duplicates = 0, flagged = 0;

        var stream = await openFile(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // libphonenumber on the workers (each with its own, CellParser), the rest here in file order: the same keys,
            // numbers and counts as one thread.
            using var parsers = CellParser.Rent(options.ParseThreads);
            await CellBlockPipeline.RunAsync(stream, options.Limits, options.ParseThreads,
                (worker, block) => ParseBlock(block, callingCode, parsers[worker]), (block, parsed) =>
            {
                for (var i = 0; i < block.Count; i++)
                {
                    var key = parsed.Keys[i];
                    if (key == Rejected)
                    {
                        invalid++;
                        if (rejected.Count < BulkUploadState.MaxRejectedRowsInline)
                            rejected.Add(new BulkUploadRejectedRow { Row = block.FirstRow + i, Value = Truncate(block.Values[i]), Reason = parsed.Errors![i]! });
                        rowKeys.Add(Rejected);
                        continue;
                    }

                    if (seen.Add((ulong)(key & (FlaggedBit - 1))))
                    {
                        numbers.Add((ulong)key);
                        if ((key & FlaggedBit) != 0)
                            flagged++;
                        rowKeys.Add(key);
                    }
                    else
                    {
                        duplicates++;
                        rowKeys.Add(key | DuplicateBit);
                    }
                }

                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }

        var sorted = numbers.ToArray();
        var firstSeen = new int[sorted.Length];
        for (var i = 0; i < firstSeen.Length; i++)
            firstSeen[i] = i;
        // Flagged numbers sort after the valid ones (bit 60); within each group, phone order.
        Array.Sort(sorted, firstSeen);
        // A number's first row gets the number's place in the sorted list: the report finds its outcome there without a search.
        var place = new int[sorted.Length];
        for (var i = 0; i < place.Length; i++)
            place[firstSeen[i]] = i;
        var keys = rowKeys.ToArray();
        for (int row = 0, first = 0; row < keys.Length; row++)
        {
            if (keys[row] != Rejected && (keys[row] & DuplicateBit) == 0)
                keys[row] = place[first++];
        }

        return new ScanResult(keys.Length, keys, sorted,
            new BulkUploadCounts { InvalidRows = invalid, DuplicateRows = duplicates, FlaggedRows = flagged }, rejected);
    }

    private const int KnownNumbersPage = 10_000;

    /// <summary>
    /// The keys of the account's numbers, sorted; null when it has more than <paramref name="limit"/> (at first
    /// <see cref="BulkUploadOptions.MaxListedNumbers"/>; lowered when the file turns out to be small).
    /// </summary>
    private async Task<ulong[]?> ListKnownNumbersAsync(Guid accountId, StrongBox<int> limit, CancellationToken cancellationToken)
    {
        var keys = new List<ulong>();
        string? after = null;
        while (true)
        {
            var page = await store.ListPhonesAsync(accountId, after, KnownNumbersPage, cancellationToken).ConfigureAwait(false);
            if (keys.Count + page.Count > Volatile.Read(ref limit.Value))
                return null;
            foreach (var phone in page)
            {
                // Stored numbers are E.164; anything else can't be one of the upload's numbers.
                if (phone.StartsWith('+') && ulong.TryParse(phone.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var key))
                    keys.Add(key);
            }

            if (page.Count < KnownNumbersPage)
                break;
            after = page[^1];
        }

        var sorted = keys.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>Per number of the scan, whether it had a record when the account was listed (all true when it wasn't).</summary>
    private static bool[] Existed(ulong[] numbers, ulong[]? known)
    {
        var existed = new bool[numbers.Length];
        if (known is null)
        {
            Array.Fill(existed, true);
            return existed;
        }

        // Both lists are sorted (the numbers in two runs: valid, then flagged), so one walk of each finds them all.
        var previous = 0UL;
        for (int i = 0, k = 0; i < numbers.Length; i++)
        {
            var number = numbers[i] & (ulong)(FlaggedBit - 1);
            if (number < previous)
                k = 0;
            previous = number;
            while (k < known.Length && known[k] < number)
                k++;
            existed[i] = k < known.Length && known[k] == number;
        }

        return existed;
    }

    /// <summary>A block's row keys (<see cref="Rejected"/> or the number's key with <see cref="FlaggedBit"/>) and, for rejected rows, the reasons.</summary>
    private readonly record struct ParsedBlock(long[] Keys, string?[]? Errors);

    private static ParsedBlock ParseBlock(CellBlock block, int callingCode, CellParse parse)
    {
        var keys = new long[block.Count];
        string?[]? errors = null;
        for (var i = 0; i < block.Count; i++)
        {
            keys[i] = parse(block.Values[i], callingCode, out var error);
            if (keys[i] == Rejected)
                (errors ??= new string?[block.Count])[i] = error;
        }

        return new ParsedBlock(keys, errors);
    }

    /// <summary>
    /// After a crash the outcomes of the numbers applied before the checkpoint are read back from the store (the
    /// counts were checkpointed): a number this upload changed has its transition in its history.
    /// </summary>
    private async Task RecoverOutcomesAsync(BulkUploadJob job, ulong[] numbers, int applied, byte[] outcomes, CancellationToken cancellationToken)
    {
        for (var i = 0; i < applied; i += options.BatchSize)
        {
            var count = Math.Min(options.BatchSize, applied - i);
            var phones = new List<string>(count);
            for (var j = i; j < i + count; j++)
                phones.Add(Phone(numbers[j]).E164);
            var records = await store.FindManyAsync(job.AccountId, phones, cancellationToken).ConfigureAwait(false);
            for (var j = i; j < i + count; j++)
            {
                var record = records.GetValueOrDefault(phones[j - i]);
                outcomes[j] = record is null ? OutcomeSuperseded
                    : record.History.Any(h => h.CausationId == job.CausationId) ? OutcomeOptedOut
                    : record.State == OptState.OptedOut ? OutcomeAlready
                    : OutcomeSuperseded;
            }
        }
    }

    private const byte OutcomeOptedOut = 1;
    private const byte OutcomeAlready = 2;
    private const byte OutcomeSuperseded = 3;

    /// <summary>A batch's changes, each decided against its record (read for the numbers that were listed).</summary>
    private sealed record PreparedBatch(List<(OptChange Change, OptDecision Decision)> Decided);

    /// <summary>What a batch did to the counts.</summary>
    private readonly record struct BatchCounts(long OptedOut, long Already, long Superseded)
    {
        /// <summary>Records the outcome of number <paramref name="number"/> and counts it.</summary>
        public BatchCounts Add(byte[] outcomes, int number, ChangeKind kind)
        {
            switch (kind)
            {
                case ChangeKind.Changed or ChangeKind.Replayed:
                    outcomes[number] = OutcomeOptedOut;
                    return this with { OptedOut = OptedOut + 1 };
                case ChangeKind.Unchanged:
                    outcomes[number] = OutcomeAlready;
                    return this with { Already = Already + 1 };
                default:
                    outcomes[number] = OutcomeSuperseded;
                    return this with { Superseded = Superseded + 1 };
            }
        }

        public BulkUploadCounts AddTo(BulkUploadCounts counts) => counts with
        {
            OptedOut = counts.OptedOut + OptedOut,
            AlreadyOptedOut = counts.AlreadyOptedOut + Already,
            SupersededRows = counts.SupersededRows + Superseded,
        };
    }

    /// <summary>
    /// The batch's changes, decided here while the batches before it are being written: the numbers that had a record
    /// when the account was listed are read (one round trip) and decided against it; the others are decided as new
    /// numbers, an insert. A read is a snapshot either way: a write that a racing writer made stale (an insert that
    /// finds a record, a version that moved on) fails its compare-and-swap and is applied again on its own.
    /// </summary>
    private async Task<PreparedBatch> PrepareAsync(BulkUploadJob job, DateTimeOffset at, string note, ArraySegment<ulong> batch,
        ArraySegment<bool> existed, CancellationToken cancellationToken)
    {
        var changes = new OptChange[batch.Count];
        List<string>? phones = null;
        for (var i = 0; i < changes.Length; i++)
        {
            changes[i] = new OptChange
            {
                AccountId = job.AccountId,
                Phone = Phone(batch[i]),
                State = OptState.OptedOut,
                Source = OptOutSource.BulkUpload,
                At = at,
                CausationId = job.CausationId,
                Actor = job.SubmittedBy,
                Note = note,
            };
            if (existed[i])
                (phones ??= []).Add(changes[i].Phone.E164);
        }

        var records = phones is null
            ? null
            : await store.FindManyAsync(job.AccountId, phones, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var decided = new List<(OptChange Change, OptDecision Decision)>(changes.Length);
        OptDecision? created = null;
        foreach (var change in changes)
        {
            var record = records?.GetValueOrDefault(change.Phone.E164);
            if (record is not null)
            {
                decided.Add((change, OptOutStateMachine.Decide(record, change, now)));
                continue;
            }

            // A number without a record: every one of the batch is decided alike but for the number (the changes differ
            // in nothing else), so they share one decision's history entry, and the store can insert them together.
            created ??= OptOutStateMachine.Decide(null, change, now);
            var inserted = created.Record! with { Phone = change.Phone.E164, Flagged = !change.Phone.IsValid };
            decided.Add((change, new OptDecision(created.Kind, inserted, new OptOutWrite(inserted, 0, created.Write!.Appended))));
        }

        return new PreparedBatch(decided);
    }

    /// <summary>
    /// Writes the queued batches in order and reports each one's end and counts. A failure closes both channels, so
    /// the preparing side neither waits for room in the queue nor for a batch that will not be written.
    /// </summary>
    private async Task WriteBatchesAsync(BulkUploadJob job, Channel<(PreparedBatch Batch, int Start)> queue,
        ChannelWriter<(int End, BatchCounts Counts)> written, byte[] outcomes, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (batch, start) in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var batchCounts = await ApplyBatchAsync(job, batch, start, outcomes, cancellationToken).ConfigureAwait(false);
                written.TryWrite((start + batch.Decided.Count, batchCounts));
            }

            written.TryComplete();
        }
        catch (Exception e)
        {
            queue.Writer.TryComplete(e);
            written.TryComplete(e);
            throw;
        }
    }

    /// <summary>Writes a prepared batch in one round trip (any write that loses a race is applied on its own, <see cref="WriteAsync"/>; a dry run writes nothing) and counts it.</summary>
    private async Task<BatchCounts> ApplyBatchAsync(BulkUploadJob job, PreparedBatch batch, int start, byte[] outcomes,
        CancellationToken cancellationToken)
    {
        var decided = batch.Decided;
        if (!job.DryRun)
            decided = await WriteAsync(decided, cancellationToken).ConfigureAwait(false);
        var counts = default(BatchCounts);
        for (var i = 0; i < decided.Count; i++)
            counts = counts.Add(outcomes, start + i, decided[i].Decision.Kind);
        return counts;
    }

    /// <summary>
    /// Writes decided changes in one round trip; any that lost a race with another writer (a STOP, an opt-in,
    /// another upload) is applied again on its own, reading the winner's state, so event-time order holds.
    /// </summary>
    private async Task<List<(OptChange Change, OptDecision Decision)>> WriteAsync(List<(OptChange Change, OptDecision Decision)> decided,
        CancellationToken cancellationToken)
    {
        var writes = new List<OptOutWrite>();
        var writeIndex = new List<int>();
        for (var i = 0; i < decided.Count; i++)
        {
            if (decided[i].Decision.Write is { } write)
            {
                writes.Add(write);
                writeIndex.Add(i);
            }
        }

        if (writes.Count == 0)
            return decided;

        var results = await store.TryWriteManyAsync(writes, cancellationToken).ConfigureAwait(false);
        for (var w = 0; w < results.Count; w++)
        {
            if (results[w])
                continue;
            var i = writeIndex[w];
            decided[i] = (decided[i].Change, await optOuts.ApplyAsync(decided[i].Change, cancellationToken).ConfigureAwait(false));
        }

        return decided;
    }

    /// <summary>
    /// Writes the per-row report in file order straight into one stored blob and returns its address: the lines go
    /// through a bounded pipe as they are formatted while the blob store reads the other end, so the report is never
    /// held whole in memory, nor written twice (it used to be stored in 4 MB chunks and then once more as their
    /// concatenation, and the chunks stayed behind until they expired).
    /// </summary>
    private async Task<string> WriteReportAsync(Func<CancellationToken, Task<Stream>> openFile, int callingCode, ScanResult scan, byte[] outcomes,
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
                // The lines are formatted on the workers (a rejected row's reason means parsing it again), written here in file order.
                using var parsers = CellParser.Rent(options.ParseThreads);
                await CellBlockPipeline.RunAsync(stream, options.Limits, options.ParseThreads,
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

    /// <summary>The report pipe holds at most this much before the formatting waits for the blob store.</summary>
    private const int ReportPipeBytes = 1024 * 1024;

    /// <summary>A block's report lines, UTF-8, in a pooled buffer.</summary>
    private readonly record struct ReportLines(byte[] Bytes, int Length);

    [ThreadStatic]
    private static StringBuilder? t_line;

    [ThreadStatic]
    private static char[]? t_lineChars;

    private static ReportLines FormatReport(CellBlock block, int callingCode, ScanResult scan, byte[] outcomes, CellParse parse)
    {
        var line = t_line ??= new StringBuilder(1024);
        var bytes = ArrayPool<byte>.Shared.Rent(block.Count * 128);
        var length = 0;
        for (var i = 0; i < block.Count; i++)
        {
            var row = block.FirstRow + i;
            var rowKey = scan.RowKeys[row - 1];
            var value = Truncate(block.Values[i]);
            line.Clear();
            if (rowKey == Rejected)
            {
                parse(block.Values[i], callingCode, out var reason);
                ReportLine.Append(line, row, value, 0, "Rejected", reason);
            }
            else if ((rowKey & DuplicateBit) != 0)
            {
                ReportLine.Append(line, row, value, rowKey & (FlaggedBit - 1), "Duplicate", "the number appears earlier in the file");
            }
            else
            {
                var outcome = outcomes[rowKey];
                var number = (long)scan.Numbers[rowKey];
                ReportLine.Append(line, row, value, number & (FlaggedBit - 1), outcome switch
                {
                    OutcomeOptedOut => "OptedOut",
                    OutcomeAlready => "AlreadyOptedOut",
                    _ => "Superseded",
                }, outcome == OutcomeSuperseded ? "a newer opt-in keeps this number opted in"
                    : (number & FlaggedBit) == 0 ? null : "possible but not a valid number: opted out anyway, flagged");
            }

            // Each line is encoded on its own, as it always was (a value cut at 100 characters may end in half a surrogate pair).
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

    private static string Truncate(string value) => value.Length > MaxReportValueLength ? value[..MaxReportValueLength] : value;

    /// <summary>The phone number a scan key stands for (E.164 digits, flag bits stripped).</summary>
    private static PhoneNumber Phone(ulong key) =>
        PhoneNumber.FromStored(string.Create(CultureInfo.InvariantCulture, $"+{(long)key & (FlaggedBit - 1)}"), ((long)key & FlaggedBit) == 0);

    /// <summary>The E.164 numbers among <c>numbers[from..to)</c> that this upload opted out.</summary>
    private static List<string> ChangedNumbers(ulong[] numbers, byte[] outcomes, int from, int to)
    {
        var changed = new List<string>();
        for (var i = from; i < to; i++)
        {
            if (outcomes[i] == OutcomeOptedOut)
                changed.Add(Phone(numbers[i]).E164);
        }

        return changed;
    }

    private async Task<BulkUploadState> DispatchAsync(BulkUploadJob job, BulkUploadState state, IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var causation = job.CausationId;
        while (true)
        {
            var page = await store.ListByCausationAsync(job.AccountId, causation, state.EventsDispatchedAfter, options.BatchSize, cancellationToken)
                .ConfigureAwait(false);
            var changes = new List<StateChange>(page.Records.Count);
            foreach (var record in page.Records)
            {
                // Only numbers whose current state is still the upload's transition: a newer change announced itself.
                var last = record.History[^1];
                if (last.CausationId == causation && record.State == OptState.OptedOut)
                    changes.Add(new StateChange(record.AccountId, record.Phone, OptState.OptedOut, OptOutSource.BulkUpload, last.Note, last.At, causation));
            }

            if (changes.Count > 0)
                await events.StateChangesAsync(changes, cancellationToken).ConfigureAwait(false);
            var dispatched = state.EventsDispatched + changes.Count;
            if (page.Next is null)
            {
                return await SaveAsync(state with { EventsDispatched = dispatched, Status = BulkUploadStatus.Completed, CompletedAt = clock.GetUtcNow() },
                    cancellationToken).ConfigureAwait(false);
            }

            state = await SaveAsync(state with { EventsDispatchedAfter = page.Next, EventsDispatched = dispatched }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BulkUploadState> SaveAsync(BulkUploadState next, CancellationToken cancellationToken)
    {
        var saved = next with { Version = next.Version + 1 };
        if (!await uploads.TrySaveAsync(saved, next.Version, cancellationToken).ConfigureAwait(false))
            throw new UploadConflictException(next.UploadId);
        return saved;
    }

    private static DateTimeOffset Clamp(DateTimeOffset at, DateTimeOffset now) => at > now + OptOutService.MaxClockSkew ? now : at;
}

/// <summary>
/// Another process saved the upload's state in between (a duplicate delivery running in parallel). Transient: the
/// message is retried and then resumes from what that process stored.
/// </summary>
public sealed class UploadConflictException(Guid uploadId)
    : Exception($"Upload {uploadId} was updated by another process; retrying from its stored state.");
