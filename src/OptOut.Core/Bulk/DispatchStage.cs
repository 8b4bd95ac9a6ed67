using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// The last stage of an upload: one ConversationOptStateChanged per number the upload changed, read back from the
/// store (the store is the outbox: the records of the numbers its change log recorded at the checkpoints), with a cursor checkpointed
/// per page: a crash re-publishes at most one page, with the same message ids.
/// </summary>
internal sealed class DispatchStage(IOptOutStore store, IBulkChangeLog changeLog, UploadStates states, TimeProvider clock, BulkUploadOptions options)
{
    /// <summary>Dispatches from the stored cursor on and saves the upload as Completed.</summary>
    public async Task<BulkUploadState> RunAsync(BulkUploadJob job, BulkUploadState state, IBulkUploadEvents events, CancellationToken cancellationToken)
    {
        var causation = job.CausationId;
        while (true)
        {
            var page = await ChangedRecords.PageAsync(changeLog, store, job.AccountId, causation, state.EventsDispatchedAfter, options.BatchSize,
                cancellationToken).ConfigureAwait(false);
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
                return await states.SaveAsync(state with { EventsDispatched = dispatched, Status = BulkUploadStatus.Completed, CompletedAt = clock.GetUtcNow() },
                    cancellationToken).ConfigureAwait(false);
            }

            state = await states.SaveAsync(state with { EventsDispatchedAfter = page.Next, EventsDispatched = dispatched }, cancellationToken).ConfigureAwait(false);
        }
    }
}
