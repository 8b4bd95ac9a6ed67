using System.Diagnostics;
using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Where the apply stage of one upload stands: the numbers applied so far (in the scan's order), the counts, and the
/// stored checkpoint. Every <see cref="BulkUploadOptions.CheckpointRows"/> numbers it records the stretch's changed
/// numbers in the change log (dispatch and undo list them) and then saves the upload's state; a checkpoint covers only
/// batches whose writes committed (later ones may have committed too: a resumed run redoes them as replays).
/// </summary>
internal sealed class ApplyCheckpoint
{
    private readonly BulkUploadJob _job;
    private readonly ScanResult _scan;
    private readonly NumberOutcome[] _outcomes;
    private readonly IBulkChangeLog _changeLog;
    private readonly UploadStates _states;
    private readonly IBulkUploadEvents _events;
    private readonly BulkUploadOptions _options;
    private readonly Stopwatch _lastProgress = Stopwatch.StartNew();
    private int _saved;

    private ApplyCheckpoint(BulkUploadJob job, ScanResult scan, NumberOutcome[] outcomes, BulkUploadState state, BulkUploadCounts counts,
        IBulkChangeLog changeLog, UploadStates states, IBulkUploadEvents events, BulkUploadOptions options)
    {
        _job = job;
        _scan = scan;
        _outcomes = outcomes;
        _changeLog = changeLog;
        _states = states;
        _events = events;
        _options = options;
        State = state;
        Counts = counts;
        Applied = _saved = (int)state.NumbersApplied;
    }

    /// <summary>The upload's state as last saved.</summary>
    public BulkUploadState State { get; private set; }

    /// <summary>The counts of the numbers applied so far and of what the scan found.</summary>
    public BulkUploadCounts Counts { get; private set; }

    /// <summary>How many of the scan's numbers are applied (written, or decided in a dry run): the next one to apply.</summary>
    public int Applied { get; private set; }

    /// <summary>Per number of the scan, what applying it did (<see cref="NumberOutcome.None"/> until then).</summary>
    public NumberOutcome[] Outcomes => _outcomes;

    /// <summary>
    /// The counts an upload goes on from: what the scan counted (it counts again on every run), and the applied
    /// numbers' outcomes as the checkpoint saved them.
    /// </summary>
    public static BulkUploadCounts CountsFrom(ScanResult scan, BulkUploadState state) => scan.Counts with
    {
        OptedOut = state.Counts.OptedOut,
        AlreadyOptedOut = state.Counts.AlreadyOptedOut,
        SupersededRows = state.Counts.SupersededRows,
    };

    /// <summary>
    /// Continues from the upload's stored checkpoint (none: from the start). The outcomes of the numbers applied before
    /// it are read back from the store (the counts were checkpointed, <see cref="CountsFrom"/>): a number this upload
    /// changed has its transition in its history.
    /// </summary>
    public static async Task<ApplyCheckpoint> ResumeAsync(BulkUploadJob job, ScanResult scan, BulkUploadState state,
        IOptOutStore store, IBulkChangeLog changeLog, UploadStates states, IBulkUploadEvents events, BulkUploadOptions options,
        CancellationToken cancellationToken)
    {
        var outcomes = new NumberOutcome[scan.Numbers.Length];
        var applied = (int)state.NumbersApplied;
        for (var i = 0; i < applied; i += options.BatchSize)
        {
            var count = Math.Min(options.BatchSize, applied - i);
            var phones = new List<string>(count);
            for (var j = i; j < i + count; j++)
                phones.Add(scan.Numbers[j].ToPhone().E164);
            var records = await store.FindManyAsync(job.AccountId, phones, cancellationToken).ConfigureAwait(false);
            for (var j = i; j < i + count; j++)
            {
                var record = records.GetValueOrDefault(phones[j - i]);
                outcomes[j] = record is null ? NumberOutcome.Superseded
                    : record.History.Any(h => h.CausationId == job.CausationId) ? NumberOutcome.OptedOut
                    : record.State == OptState.OptedOut ? NumberOutcome.AlreadyOptedOut
                    : NumberOutcome.Superseded;
            }
        }

        return new ApplyCheckpoint(job, scan, outcomes, state, CountsFrom(scan, state), changeLog, states, events, options);
    }

    /// <summary>
    /// Counts a batch the store committed (batches settle in order: <paramref name="end"/> is the place after its last
    /// number) and saves a checkpoint when <see cref="BulkUploadOptions.CheckpointRows"/> numbers have been applied
    /// since the last one, or the last number has. Progress goes out at most every <see cref="BulkUploadOptions.ProgressInterval"/>.
    /// </summary>
    public async ValueTask SettleAsync(int end, BatchCounts batch, CancellationToken cancellationToken)
    {
        Counts = batch.AddTo(Counts);
        Applied = end;
        if (Applied - _saved >= _options.CheckpointRows || Applied == _scan.Numbers.Length)
        {
            // The stretch's changed numbers first (dispatch and undo list them): a crash before the checkpoint
            // is saved redoes the stretch and records it again, replacing this.
            if (!_job.DryRun)
            {
                await _changeLog.RecordChangesAsync(_job.AccountId, _job.CausationId, _saved, ChangedNumbers(_saved, Applied), cancellationToken)
                    .ConfigureAwait(false);
            }

            State = await _states.SaveAsync(State with { NumbersApplied = Applied, Counts = Counts, RejectedRows = _scan.Rejected },
                cancellationToken).ConfigureAwait(false);
            _saved = Applied;
        }

        if (_lastProgress.Elapsed >= _options.ProgressInterval)
        {
            await _events.ProgressAsync(State, _scan.Rows, Counts, cancellationToken).ConfigureAwait(false);
            _lastProgress.Restart();
        }
    }

    /// <summary>The E.164 numbers among the scan's numbers <c>[from..to)</c> that this upload opted out.</summary>
    private List<string> ChangedNumbers(int from, int to)
    {
        var changed = new List<string>();
        for (var i = from; i < to; i++)
        {
            if (_outcomes[i] == NumberOutcome.OptedOut)
                changed.Add(_scan.Numbers[i].ToPhone().E164);
        }

        return changed;
    }
}
