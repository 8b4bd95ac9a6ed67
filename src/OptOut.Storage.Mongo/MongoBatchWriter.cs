using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The batch write path of <see cref="MongoOptOutStore.TryWriteManyAsync"/> (a bulk upload's hot path): one unordered
/// bulk write per wave, an insert per new record (a duplicate key makes that result false) and a version-filtered
/// update per existing one. MongoDB 7 reports only the total matched count of a bulk's updates, not which matched, so
/// when it falls short the writer re-reads those records to find the ones that lost.
/// </summary>
/// <remarks>
/// Retrying the bulk after a transient error is safe: an insert that already landed is recognised by its
/// <c>_id</c> and an update by its history entry, so a write is never reported lost because of its own earlier
/// attempt, and never reported applied when another writer won.
/// </remarks>
internal sealed class MongoBatchWriter(IMongoCollection<OptOutDocument> collection, ResiliencePipeline pipeline)
{
    // Unordered: the server applies every write of a batch even when some fail (a duplicate key), and may run them in
    // parallel; the writes of one batch never depend on each other (see MongoWriteBatch.Waves).
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private static FilterDefinitionBuilder<OptOutDocument> Filter => MongoCompareAndSwap.Filter;

    /// <summary>Writes a batch; one result per write, in order.</summary>
    public async Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
            MongoCompareAndSwap.Validate(write);

        var results = new bool[writes.Count];
        foreach (var wave in MongoWriteBatch.Waves(writes))
        {
            // Documents (and their _id) are made once, outside the retries: a retry must send the same inserts.
            var batch = MongoWriteBatch.Of(writes, wave);
            await pipeline.ExecuteAsync(
                static async (s, ct) => await s.self.ApplyAsync(s.batch, ct).ConfigureAwait(false),
                (self: this, batch),
                cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < wave.Length; i++)
                results[wave[i]] = batch.Results[i];
        }

        return results;
    }

    /// <summary>Applies one wave and sets <see cref="MongoWriteBatch.Results"/>.</summary>
    private async Task ApplyAsync(MongoWriteBatch batch, CancellationToken cancellationToken)
    {
        long matched;
        List<int> duplicateInserts = [];
        try
        {
            var result = await collection.BulkWriteAsync(batch.Models, Unordered, cancellationToken).ConfigureAwait(false);
            matched = result.MatchedCount;
        }
        catch (MongoBulkWriteException<OptOutDocument> e)
            when (e.WriteConcernError is null && e.WriteErrors.All(w => w.Category == ServerErrorCategory.DuplicateKey))
        {
            // Each error names its write by index; the unordered bulk applied every other write.
            duplicateInserts.AddRange(e.WriteErrors.Select(w => w.Index));
            matched = e.Result.MatchedCount;
        }
        catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
        {
            // Some servers reject the whole insert command on a duplicate key (a command error, no per-write errors), so
            // which writes applied is unknown.
            await SettleAfterCommandErrorAsync(batch, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
            batch.Results[i] = batch.IsInsert(i);

        if (duplicateInserts.Count > 0)
        {
            // Usually another writer inserted the number first. But if this is a retry of a bulk whose reply was lost,
            // the document may be our own: the _id says which.
            var stored = await ReadStoredAsync(batch, duplicateInserts, cancellationToken).ConfigureAwait(false);
            foreach (var i in duplicateInserts)
                batch.Results[i] = stored.TryGetValue(batch.Key(i), out var document) && document.Id == batch.InsertedId(i);
        }

        if (matched < batch.UpdateCount)
        {
            await SettleUpdatesAsync(batch, batch.UpdateCount - matched, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Every update matched its expected version, so every update applied.
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.IsInsert(i))
                batch.Results[i] = true;
        }
    }

    /// <summary>
    /// Some of the batch's updates did not match (<paramref name="failed"/> of them): re-reads the records to tell
    /// which. A record whose version is below the one the update writes was not updated by it (versions only grow).
    /// When those account for every failure, all the other updates applied; otherwise an update counts as applied only
    /// if its own history entry is in the record, and one that appends none is reported lost (the caller re-reads and
    /// finds nothing left to do).
    /// </summary>
    private async Task SettleUpdatesAsync(MongoWriteBatch batch, long failed, CancellationToken cancellationToken)
    {
        var updates = Enumerable.Range(0, batch.Count).Where(i => !batch.IsInsert(i)).ToList();
        var stored = await ReadStoredAsync(batch, updates, cancellationToken).ConfigureAwait(false);

        var behind = 0;
        List<int> unsure = [];
        foreach (var i in updates)
        {
            if (!stored.TryGetValue(batch.Key(i), out var document) || document.Version < batch.Writes[i].Record.Version)
            {
                batch.Results[i] = false;
                behind++;
            }
            else
            {
                unsure.Add(i);
            }
        }

        foreach (var i in unsure)
            batch.Results[i] = behind == failed || HasOwnEntry(stored[batch.Key(i)], batch.Writes[i]);
    }

    /// <summary>
    /// After a command error left the batch's outcome unknown: reads the records back and settles what it can (an
    /// insert that landed is recognised by its <c>_id</c>, an update by its history entry; a number another writer
    /// holds is lost), then sends the rest again as a smaller bulk. Each round settles at least the insert that
    /// conflicted, so this ends; should a server ever settle nothing, the rest is written one at a time.
    /// </summary>
    private async Task SettleAfterCommandErrorAsync(MongoWriteBatch batch, CancellationToken cancellationToken)
    {
        var stored = await ReadStoredAsync(batch, Enumerable.Range(0, batch.Count), cancellationToken).ConfigureAwait(false);
        List<int> unsettled = [];
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch.Writes[i];
            stored.TryGetValue(batch.Key(i), out var document);
            if (batch.IsInsert(i) ? document is null : document?.Version == write.ExpectedVersion)
                unsettled.Add(i);
            else
                batch.Results[i] = document is not null && (batch.IsInsert(i) ? document.Id == batch.InsertedId(i) : HasOwnEntry(document, write));
        }

        if (unsettled.Count == batch.Count)
        {
            foreach (var i in unsettled)
            {
                batch.Results[i] = batch.IsInsert(i)
                    ? await MongoSingleWrites.InsertAsync(collection, batch.Documents[i]!, cancellationToken).ConfigureAwait(false)
                    : await MongoSingleWrites.UpdateAsync(collection, batch.Writes[i], cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (unsettled.Count > 0)
        {
            var rest = batch.Subset(unsettled);
            await ApplyAsync(rest, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < unsettled.Count; j++)
                batch.Results[unsettled[j]] = rest.Results[j];
        }
    }

    private static bool HasOwnEntry(OptOutDocument document, OptOutWrite write) =>
        document.Version >= write.Record.Version
        && write.Appended is { } entry
        && document.History.Exists(h => h.ToEntry() == entry);

    /// <summary>The stored documents of the batch writes <paramref name="indexes"/>, keyed by (account, phone).</summary>
    private async Task<Dictionary<(AccountId, string), OptOutDocument>> ReadStoredAsync(
        MongoWriteBatch batch, IEnumerable<int> indexes, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<(AccountId, string), OptOutDocument>();
        foreach (var account in indexes.Select(batch.Key).GroupBy(k => k.AccountId, k => k.Phone))
        {
            var filter = Filter.Eq(x => x.AccountId, account.Key) & Filter.In(x => x.Phone, account);
            var documents = await collection.Find(filter).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var document in documents)
                stored[(document.AccountId, document.Phone)] = document;
        }

        return stored;
    }
}
