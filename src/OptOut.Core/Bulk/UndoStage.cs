using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Undo: opts back in exactly the numbers the upload newly opted out that nothing has opted out since.
/// "Since" includes a later opt-out message that changed nothing (the number was already out): it moved the
/// record's clock past the upload's entry, and a contact who texted STOP after the upload stays opted out.
/// </summary>
internal sealed class UndoStage(IOptOutStore store, IBulkChangeLog changeLog, OptOutService optOuts, UploadStates states, TimeProvider clock, BulkUploadOptions options)
{
    /// <exception cref="InvalidMessageException">The upload does not exist, or can't be undone (the reason says why).</exception>
    public async Task RunAsync(AccountId accountId, Guid uploadId, string requestedBy, DateTimeOffset requestedAt, IBulkUploadEvents events,
        CancellationToken cancellationToken)
    {
        var state = await states.GetAsync(accountId, uploadId, cancellationToken).ConfigureAwait(false)
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
        requestedAt = OptOutService.ClampEventTime(requestedAt, now);
        var causation = BulkUploadJob.CausationFor(uploadId);
        var undoCausation = BulkUploadJob.UndoCausationFor(uploadId);
        var note = $"Bulk upload \"{state.FileName}\" ({uploadId:N}) undone by {requestedBy}";
        long optedIn = 0, kept = 0;
        string? after = null;
        do
        {
            var page = await ChangedRecords.PageAsync(changeLog, store, accountId, causation, after, options.BatchSize, cancellationToken)
                .ConfigureAwait(false);
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

            var decided = await optOuts.WriteDecidedAsync(undo, cancellationToken: cancellationToken).ConfigureAwait(false);
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

        state = await states.SaveAsync(state with
        {
            Status = BulkUploadStatus.Undone,
            UndoneAt = now,
            UndoneBy = requestedBy,
            UndoOptedIn = optedIn,
            UndoKept = kept,
        }, cancellationToken).ConfigureAwait(false);
        await events.UndoneAsync(state, optedIn, kept, cancellationToken).ConfigureAwait(false);
    }
}
