using OptOut.Contracts;
namespace OptOut.Core.Bulk;

/// <summary>
/// The workflow of a bulk upload: durable stages, each resumable from the upload's stored state after a
/// crash (the redelivered message calls <see cref="RunAsync"/> again, which goes on from the stored status):
/// <list type="number">
/// <item><see cref="ScanStage"/> reads the whole file once, checks it and normalizes and de-duplicates every row before
/// anything is written, while <see cref="KnownNumbersListing"/> lists the account's stored numbers; an unusable file
/// fails the upload with nothing changed.</item>
/// <item><see cref="ApplyStage"/> decides and writes the distinct numbers in phone order, a batch at a time, with a
/// checkpoint (<see cref="ApplyCheckpoint"/>) every <see cref="BulkUploadOptions.CheckpointRows"/> numbers; a resumed
/// run continues after it, and numbers applied after it before the crash come back as
/// <see cref="ChangeKind.Replayed"/> and count as new opt-outs once.</item>
/// <item><see cref="ReportStage"/> stores the per-row report, every row in file order.</item>
/// <item><see cref="DispatchStage"/> announces each number the upload changed, from the store, a page at a time.</item>
/// </list>
/// BulkUploadCompleted goes out between ingest (the first three) and dispatch, so the report doesn't wait for the
/// events. <see cref="UndoAsync"/> runs <see cref="UndoStage"/>.
/// </summary>
public sealed class BulkUploadProcessor
{
    private readonly IOptOutStore _store;
    private readonly SettingsCache _settings;
    private readonly TimeProvider _clock;
    private readonly BulkUploadOptions _options;
    private readonly UploadStates _states;
    private readonly ScanStage _scan;
    private readonly ApplyStage _apply;
    private readonly ReportStage _report;
    private readonly DispatchStage _dispatch;
    private readonly UndoStage _undo;

    public BulkUploadProcessor(IOptOutStore store, IBulkChangeLog changeLog, IBulkUploadStore uploads, IBlobStore blobs, OptOutService optOuts, SettingsCache settings,
        TimeProvider clock, BulkUploadOptions options, IParsingThreads parsingThreads)
    {
        _store = store;
        _settings = settings;
        _clock = clock;
        _options = options;
        _states = new UploadStates(uploads, clock);
        _scan = new ScanStage(parsingThreads, options);
        _apply = new ApplyStage(store, changeLog, optOuts, _states, clock, options);
        _report = new ReportStage(blobs, parsingThreads, options);
        _dispatch = new DispatchStage(store, changeLog, _states, clock, options);
        _undo = new UndoStage(store, changeLog, optOuts, _states, clock, options);
    }

    /// <summary>Processes (or resumes, or re-announces) an upload. <c>openFile</c> opens the uploaded file from the start; it is called once per pass.</summary>
    public async Task RunAsync(BulkUploadJob job, Func<CancellationToken, Task<Stream>> openFile, IBulkUploadEvents events,
        CancellationToken cancellationToken)
    {
        var state = await _states.StartAsync(job, cancellationToken).ConfigureAwait(false);
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
            await _dispatch.RunAsync(job, state, events, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="UndoStage"/>
    public Task UndoAsync(AccountId accountId, Guid uploadId, string requestedBy, DateTimeOffset requestedAt, IBulkUploadEvents events,
        CancellationToken cancellationToken) =>
        _undo.RunAsync(accountId, uploadId, requestedBy, requestedAt, events, cancellationToken);

    /// <summary>Scan, apply and report; returns the upload Ingested (Completed for a dry run), or Failed when the file is unusable.</summary>
    private async Task<BulkUploadState> IngestAsync(BulkUploadJob job, BulkUploadState state, Func<CancellationToken, Task<Stream>> openFile,
        IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var at = OptOutService.ClampEventTime(job.SubmittedAt, _clock.GetUtcNow());
        var callingCode = (await _settings.GetAsync(job.AccountId, cancellationToken).ConfigureAwait(false)).Settings.DefaultCountryCode;

        ScanResult scan;
        ulong[]? known;
        try
        {
            // Leaving this block stops a listing still running, whatever ended the scan.
            await using var listing = KnownNumbersListing.Start(_store, job.AccountId, _options.MaxListedNumbers, cancellationToken);
            scan = await _scan.RunAsync(openFile, callingCode, state.TotalRows, cancellationToken).ConfigureAwait(false);
            known = await listing.FinishAsync(scan.Numbers.Length).ConfigureAwait(false);
        }
        catch (BulkFileException e) when (state.NumbersApplied == 0)
        {
            // The scan checks the whole file before anything is written, so an unusable file fails the upload with
            // nothing changed. (Once numbers were applied, a file that can't be read again is an error to retry, not an
            // unusable upload.)
            return await _states.SaveAsync(state with { Status = BulkUploadStatus.Failed, FailureReason = e.Message, CompletedAt = _clock.GetUtcNow() },
                cancellationToken).ConfigureAwait(false);
        }

        if (state.TotalRows != scan.Rows)
            state = await _states.SaveAsync(state with { TotalRows = scan.Rows }, cancellationToken).ConfigureAwait(false);
        await events.ProgressAsync(state, scan.Rows, ApplyCheckpoint.CountsFrom(scan, state), cancellationToken).ConfigureAwait(false);

        var applied = await _apply.RunAsync(job, at, state, scan, known, events, cancellationToken).ConfigureAwait(false);
        var reportAddress = await _report.WriteAsync(openFile, callingCode, scan, applied.Outcomes, cancellationToken).ConfigureAwait(false);
        var ingested = applied.State with
        {
            Status = job.DryRun ? BulkUploadStatus.Completed : BulkUploadStatus.Ingested,
            TotalRows = scan.Rows,
            NumbersApplied = scan.Numbers.Length,
            Counts = applied.Counts,
            RejectedRows = scan.Rejected,
            ReportAddress = reportAddress,
            IngestedAt = _clock.GetUtcNow(),
            CompletedAt = job.DryRun ? _clock.GetUtcNow() : null,
        };
        await events.ProgressAsync(ingested, scan.Rows, applied.Counts, cancellationToken).ConfigureAwait(false);
        return await _states.SaveAsync(ingested, cancellationToken).ConfigureAwait(false);
    }
}
