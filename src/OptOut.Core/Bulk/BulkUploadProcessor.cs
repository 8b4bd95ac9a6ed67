using System.Diagnostics;
using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Processes a bulk upload (issue #3) in three durable stages, each resumable from the upload's stored state after
/// a crash (the redelivered message calls <see cref="RunAsync"/> again):
/// <list type="number">
/// <item><b>Validate</b> the whole file (header, text, row length, row count) before writing anything.</item>
/// <item><b>Ingest</b>: stream the rows, normalize, de-duplicate, and apply them a batch at a time (one store round
/// trip to read, one to write). Every <see cref="BulkUploadOptions.CheckpointRows"/> rows the report chunk and the
/// counts are checkpointed; a resumed run re-reads the rows before the checkpoint only to rebuild the duplicate
/// set, and rows after it are applied again, which the state machine makes exact (its own earlier transitions come
/// back as <see cref="ChangeKind.Replayed"/> and count as new opt-outs once).</item>
/// <item><b>Dispatch</b> one ConversationOptStateChanged per number the upload changed, read back from the store
/// (the store is the outbox), with a cursor checkpointed per page: a crash re-publishes at most one page, with the
/// same message ids.</item>
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
            if (state.RowsCheckpointed == 0)
            {
                var failure = await ValidateAsync(openFile, cancellationToken).ConfigureAwait(false);
                if (failure.Reason is not null)
                {
                    state = await SaveAsync(state with { Status = BulkUploadStatus.Failed, FailureReason = failure.Reason, CompletedAt = clock.GetUtcNow() },
                        cancellationToken).ConfigureAwait(false);
                    await events.FailedAsync(state, cancellationToken).ConfigureAwait(false);
                    return;
                }

                state = await SaveAsync(state with { TotalRows = failure.Rows }, cancellationToken).ConfigureAwait(false);
            }

            state = await IngestAsync(job, state, openFile, events, cancellationToken).ConfigureAwait(false);
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
        var refusal = state switch
        {
            { DryRun: true } => "it was a dry run and changed nothing",
            { Status: BulkUploadStatus.Failed } => "it failed and changed nothing",
            { Status: BulkUploadStatus.Running } => "it is still running: undo it once it has completed",
            _ => null,
        };
        if (refusal is not null)
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
        while (true)
        {
            var page = await store.ListByCausationAsync(accountId, causation, after, options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
                break;
            after = page[^1].Phone;

            var undo = new List<(OptChange Change, OptDecision Decision)>();
            foreach (var record in page)
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

    private async Task<(long Rows, string? Reason)> ValidateAsync(Func<CancellationToken, Task<Stream>> openFile, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await openFile(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                // CPU-bound over a local or buffered stream: keep it off the consumer's thread.
                return (await Task.Run(() => CsvPhoneReader.Validate(stream, options.Limits), cancellationToken).ConfigureAwait(false), null);
            }
        }
        catch (BulkFileException e)
        {
            return (0, e.Message);
        }
    }

    private async Task<BulkUploadState> IngestAsync(BulkUploadJob job, BulkUploadState state, Func<CancellationToken, Task<Stream>> openFile,
        IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var at = Clamp(job.SubmittedAt, now);
        var callingCode = (await settings.GetAsync(job.AccountId, cancellationToken).ConfigureAwait(false)).Settings.DefaultCountryCode;
        var note = $"Bulk upload \"{job.FileName}\" ({job.UploadId:N}) by {job.SubmittedBy}";

        var seen = new HashSet<ulong>();
        var counts = state.Counts;
        var rejected = new List<BulkUploadRejectedRow>(state.RejectedRows);
        var chunks = new List<string>(state.ReportChunks);
        var report = new ReportBuffer();
        var pending = new List<ReportEntry>(options.BatchSize * 2);
        var batch = new List<int>(options.BatchSize);
        var lastProgress = Stopwatch.StartNew();
        long row = state.RowsCheckpointed;
        long lastCheckpoint = state.RowsCheckpointed;

        var stream = await openFile(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new CsvPhoneReader(stream, options.Limits);
            while (reader.TryRead(out var cell))
            {
                var parsed = PhoneNumberParser.Parse(cell.Value, callingCode);
                if (cell.Row <= state.RowsCheckpointed)
                {
                    // Already counted and reported before the crash: only the duplicate set needs rebuilding.
                    if (parsed.Number is { } earlier)
                        seen.Add(Key(earlier));
                    continue;
                }

                row = cell.Row;
                var value = cell.Value.Length > MaxReportValueLength ? cell.Value[..MaxReportValueLength] : cell.Value;
                if (parsed.Number is not { } phone)
                {
                    counts = counts with { InvalidRows = counts.InvalidRows + 1 };
                    if (rejected.Count < BulkUploadState.MaxRejectedRowsInline)
                        rejected.Add(new BulkUploadRejectedRow { Row = cell.Row, Value = value, Reason = parsed.Error! });
                    pending.Add(new ReportEntry(cell.Row, value, null, "Rejected", parsed.Error));
                }
                else if (!seen.Add(Key(phone)))
                {
                    counts = counts with { DuplicateRows = counts.DuplicateRows + 1 };
                    pending.Add(new ReportEntry(cell.Row, value, phone, "Duplicate", "the number appears earlier in the file"));
                }
                else
                {
                    batch.Add(pending.Count);
                    pending.Add(new ReportEntry(cell.Row, value, phone, null, phone.IsValid ? null : "possible but not a valid number: opted out anyway, flagged"));
                }

                if (batch.Count >= options.BatchSize || pending.Count >= options.BatchSize * 2)
                {
                    counts = await ApplyBatchAsync(job, at, note, pending, batch, counts, cancellationToken).ConfigureAwait(false);
                    report.Write(pending);
                    pending.Clear();
                    batch.Clear();

                    if (row - lastCheckpoint >= options.CheckpointRows)
                    {
                        state = await CheckpointAsync(state, row, counts, rejected, chunks, report, cancellationToken).ConfigureAwait(false);
                        lastCheckpoint = row;
                    }
                }

                if (lastProgress.Elapsed >= options.ProgressInterval)
                {
                    await events.ProgressAsync(state, row, counts, cancellationToken).ConfigureAwait(false);
                    lastProgress.Restart();
                }
            }
        }

        counts = await ApplyBatchAsync(job, at, note, pending, batch, counts, cancellationToken).ConfigureAwait(false);
        report.Write(pending);
        state = await CheckpointAsync(state, row, counts, rejected, chunks, report, cancellationToken).ConfigureAwait(false);
        await events.ProgressAsync(state, row, counts, cancellationToken).ConfigureAwait(false);

        var reportAddress = await blobs.PutAsync(new ConcatenatedStream(state.ReportChunks, blobs, ReportBuffer.Header), cancellationToken).ConfigureAwait(false);
        var ingested = state with
        {
            Status = job.DryRun ? BulkUploadStatus.Completed : BulkUploadStatus.Ingested,
            TotalRows = Math.Max(state.TotalRows, row),
            ReportAddress = reportAddress,
            IngestedAt = clock.GetUtcNow(),
            CompletedAt = job.DryRun ? clock.GetUtcNow() : null,
        };
        return await SaveAsync(ingested, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BulkUploadCounts> ApplyBatchAsync(BulkUploadJob job, DateTimeOffset at, string note, List<ReportEntry> pending, List<int> batch,
        BulkUploadCounts counts, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return counts;

        var phones = new List<string>(batch.Count);
        foreach (var index in batch)
            phones.Add(pending[index].Phone!.E164);
        var existing = await store.FindManyAsync(job.AccountId, phones, cancellationToken).ConfigureAwait(false);

        var now = clock.GetUtcNow();
        var decided = new List<(OptChange Change, OptDecision Decision)>(batch.Count);
        foreach (var index in batch)
        {
            var phone = pending[index].Phone!;
            var change = new OptChange
            {
                AccountId = job.AccountId,
                Phone = phone,
                State = OptState.OptedOut,
                Source = OptOutSource.BulkUpload,
                At = at,
                CausationId = job.CausationId,
                Actor = job.SubmittedBy,
                Note = note,
            };
            decided.Add((change, OptOutStateMachine.Decide(existing.GetValueOrDefault(phone.E164), change, now)));
        }

        if (!job.DryRun)
            decided = await WriteAsync(decided, cancellationToken).ConfigureAwait(false);

        long optedOut = 0, already = 0, superseded = 0, flagged = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var (change, decision) = decided[i];
            string outcome;
            switch (decision.Kind)
            {
                case ChangeKind.Changed or ChangeKind.Replayed:
                    optedOut++;
                    outcome = "OptedOut";
                    break;
                case ChangeKind.Unchanged:
                    already++;
                    outcome = "AlreadyOptedOut";
                    break;
                default:
                    superseded++;
                    outcome = "Superseded";
                    break;
            }

            if (!change.Phone.IsValid)
                flagged++;
            pending[batch[i]] = pending[batch[i]] with
            {
                Outcome = outcome,
                Reason = outcome == "Superseded" ? "a newer opt-in keeps this number opted in" : pending[batch[i]].Reason,
            };
        }

        return counts with
        {
            OptedOut = counts.OptedOut + optedOut,
            AlreadyOptedOut = counts.AlreadyOptedOut + already,
            SupersededRows = counts.SupersededRows + superseded,
            FlaggedRows = counts.FlaggedRows + flagged,
        };
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

    private async Task<BulkUploadState> CheckpointAsync(BulkUploadState state, long row, BulkUploadCounts counts, List<BulkUploadRejectedRow> rejected,
        List<string> chunks, ReportBuffer report, CancellationToken cancellationToken)
    {
        if (report.Length > 0)
        {
            using var chunk = report.Detach();
            chunks.Add(await blobs.PutAsync(chunk, cancellationToken).ConfigureAwait(false));
        }

        return await SaveAsync(state with
        {
            RowsCheckpointed = row,
            Counts = counts,
            RejectedRows = [.. rejected],
            ReportChunks = [.. chunks],
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BulkUploadState> DispatchAsync(BulkUploadJob job, BulkUploadState state, IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var causation = job.CausationId;
        while (true)
        {
            var page = await store.ListByCausationAsync(job.AccountId, causation, state.EventsDispatchedAfter, options.BatchSize, cancellationToken)
                .ConfigureAwait(false);
            if (page.Count == 0)
                break;

            var changes = new List<StateChange>(page.Count);
            foreach (var record in page)
            {
                // Only numbers whose current state is still the upload's transition: a newer change announced itself.
                var last = record.History[^1];
                if (last.CausationId == causation && record.State == OptState.OptedOut)
                    changes.Add(new StateChange(record.AccountId, record.Phone, OptState.OptedOut, OptOutSource.BulkUpload, last.Note, last.At, causation));
            }

            if (changes.Count > 0)
                await events.StateChangesAsync(changes, cancellationToken).ConfigureAwait(false);
            state = await SaveAsync(state with
            {
                EventsDispatchedAfter = page[^1].Phone,
                EventsDispatched = state.EventsDispatched + changes.Count,
            }, cancellationToken).ConfigureAwait(false);
        }

        return await SaveAsync(state with { Status = BulkUploadStatus.Completed, CompletedAt = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BulkUploadState> SaveAsync(BulkUploadState next, CancellationToken cancellationToken)
    {
        var saved = next with { Version = next.Version + 1 };
        if (!await uploads.TrySaveAsync(saved, next.Version, cancellationToken).ConfigureAwait(false))
            throw new UploadConflictException(next.UploadId);
        return saved;
    }

    private static DateTimeOffset Clamp(DateTimeOffset at, DateTimeOffset now) => at > now + OptOutService.MaxClockSkew ? now : at;

    /// <summary>E.164 digits fit in 15 decimal digits: a ulong key keeps a million-number duplicate set small.</summary>
    private static ulong Key(PhoneNumber phone) => ulong.Parse(phone.E164.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>
/// Another process saved the upload's state in between (a duplicate delivery running in parallel). Transient: the
/// message is retried and then resumes from what that process stored.
/// </summary>
public sealed class UploadConflictException(Guid uploadId)
    : Exception($"Upload {uploadId} was updated by another process; retrying from its stored state.");
