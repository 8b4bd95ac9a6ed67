using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The production store (DESIGN.md "Architecture"): collection <c>optOuts</c>, one document per (accountId, phone)
/// with its history embedded, a unique index on (accountId, phone). A write is one single-document operation, which
/// MongoDB applies atomically, so compare-and-swap needs no transaction: the update filters on the expected
/// version and pushes the history entry in the same statement. Bulk uploads read a batch with one <c>$in</c> query
/// and write it with one unordered bulk write (<see cref="TryWriteManyAsync"/>).
/// </summary>
public sealed class MongoOptOutStore : IOptOutStore, IStoreInitializer
{
    public const string CollectionName = "optOuts";

    private static readonly FilterDefinitionBuilder<OptOutDocument> Filter = Builders<OptOutDocument>.Filter;

    // Unordered: the server applies every write of a batch even when some fail (a duplicate key), and may run them in
    // parallel; the writes of one batch never depend on each other (see Waves).
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    // A dotted path into the embedded history array: MongoDB matches a document when any entry matches.
    private static readonly StringFieldDefinition<OptOutDocument, string> HistoryCausationId = new("history.causationId");

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<OptOutDocument> _collection;
    private readonly ResiliencePipeline _pipeline;

    public MongoOptOutStore(IMongoDatabase database, ILogger<MongoOptOutStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        MongoMappings.Register();
        _database = database;
        _collection = database.GetCollection<OptOutDocument>(CollectionName);
        _pipeline = StoreResilience.Create("MongoDB", MongoErrors.IsTransient, logger, resilience);
    }

    /// <summary>
    /// Creates the indexes (idempotent: creating an index that exists with the same keys and options is a no-op).
    /// The unique one makes a duplicate insert an outcome (false), never a second record.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<OptOutDocument>.IndexKeys;
        CreateIndexModel<OptOutDocument>[] indexes =
        [
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_phone_unique", Unique = true }),
            // Pages by state walk this index in phone order: equality on account and state, range and sort on phone.
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.State).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_state_phone" }),
            // The numbers one message (a bulk upload) changed, in phone order (ListByCausationAsync). Multikey on the
            // history array; phone is a scalar, so the index still yields the phone order for one causation id.
            new(keys.Ascending(x => x.AccountId).Ascending(HistoryCausationId).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_historyCausationId_phone" }),
        ];

        return _pipeline.ExecuteAsync(
            static async (s, ct) => await s.Indexes.CreateManyAsync(s.indexes, ct).ConfigureAwait(false),
            (_collection.Indexes, indexes),
            cancellationToken).AsTask();
    }

    public Task<OptOutRecord?> FindAsync(Guid accountId, string phone, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(phone);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var document = await s.self._collection
                    .Find(KeyFilter(s.accountId, s.phone))
                    .Limit(1)
                    .FirstOrDefaultAsync(ct)
                    .ConfigureAwait(false);
                return document?.ToRecord();
            },
            (self: this, accountId, phone),
            cancellationToken).AsTask();
    }

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default)
    {
        Validate(write);

        // Retrying a write is safe even when a lost connection hid that it was applied: the retry then finds the
        // version moved (or the key taken) and returns false, and the caller re-reads and sees its own causation id.
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.write.ExpectedVersion == 0 ? s.self.InsertAsync(s.write, ct) : s.self.UpdateAsync(s.write, ct),
            (self: this, write),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        var filter = PageFilter(accountId, state, afterPhone);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var page = await s.collection
                    .Find(s.filter)
                    .Sort(Builders<OptOutDocument>.Sort.Ascending(x => x.Phone))
                    .Limit(s.limit)
                    // A page never carries history: it can be thousands of entries for a number that flapped.
                    .Project<OptOutDocument>(Builders<OptOutDocument>.Projection.Exclude(x => x.History))
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return (IReadOnlyList<OptOutRecord>)page.ConvertAll(d => d.ToRecord());
            },
            (collection: _collection, filter, limit),
            cancellationToken).AsTask();
    }

    /// <summary>One <c>$in</c> query on the (accountId, phone) index, history included.</summary>
    public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(
        Guid accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(phones);
        if (phones.Count == 0)
            return Task.FromResult<IReadOnlyDictionary<string, OptOutRecord>>(new Dictionary<string, OptOutRecord>(StringComparer.Ordinal));

        var filter = Filter.Eq(x => x.AccountId, accountId) & Filter.In(x => x.Phone, phones);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var documents = await s.collection.Find(s.filter).ToListAsync(ct).ConfigureAwait(false);
                var found = new Dictionary<string, OptOutRecord>(documents.Count, StringComparer.Ordinal);
                foreach (var document in documents)
                    found[document.Phone] = document.ToRecord();
                return (IReadOnlyDictionary<string, OptOutRecord>)found;
            },
            (collection: _collection, filter),
            cancellationToken).AsTask();
    }

    /// <summary>An account's records (in one state, when given) after a phone: the filter of a page in phone order.</summary>
    private static FilterDefinition<OptOutDocument> PageFilter(Guid accountId, OptState? state, string? afterPhone)
    {
        var filter = Filter.Eq(x => x.AccountId, accountId);
        if (state is { } s)
            filter &= Filter.Eq(x => x.State, s);
        if (afterPhone is not null)
            filter &= Filter.Gt(x => x.Phone, afterPhone);
        return filter;
    }

    /// <summary>The phones alone, from the unique (accountId, phone) index (a covered query: no document is read).</summary>
    public Task<IReadOnlyList<string>> ListPhonesAsync(Guid accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var filter = PageFilter(accountId, null, afterPhone);
        var projection = Builders<OptOutDocument>.Projection.Include(x => x.Phone).Exclude(x => x.Id);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var documents = await s.collection.Find(s.filter).Sort(Builders<OptOutDocument>.Sort.Ascending(x => x.Phone)).Limit(s.limit)
                    .Project(s.projection).ToListAsync(ct).ConfigureAwait(false);
                return (IReadOnlyList<string>)documents.ConvertAll(d => d["phone"].AsString);
            },
            (collection: _collection, filter, projection, limit),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// One unordered bulk write per batch: an insert per new record (a duplicate key makes that result false) and a
    /// version-filtered update per existing one. MongoDB 7 reports only the total matched count of a bulk's updates,
    /// not which matched, so when it falls short the store re-reads those records to find the ones that lost.
    /// </summary>
    /// <remarks>
    /// Retrying the bulk after a transient error is safe: an insert that already landed is recognised by its
    /// <c>_id</c> and an update by its history entry, so a write is never reported lost because of its own earlier
    /// attempt, and never reported applied when another writer won.
    /// </remarks>
    public async Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
            Validate(write);

        var results = new bool[writes.Count];
        foreach (var wave in Waves(writes))
        {
            // Documents (and their _id) are made once, outside the retries: a retry must send the same inserts.
            var batch = WriteBatch.Of(writes, wave);
            await _pipeline.ExecuteAsync(
                static async (s, ct) => await s.self.ApplyAsync(s.batch, ct).ConfigureAwait(false),
                (self: this, batch),
                cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < wave.Length; i++)
                results[wave[i]] = batch.Results[i];
        }

        return results;
    }

    /// <summary>
    /// Nothing to record: MongoDB finds the numbers by the multikey index of their history's causation ids
    /// (<see cref="ListByCausationAsync"/>), which a document store keeps up cheaply within the record's own write.
    /// </summary>
    public Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentNullException.ThrowIfNull(phones);
        return Task.CompletedTask;
    }

    /// <summary>Every record whose history holds an entry of the causation, in phone order; the cursor is the last phone of a full page.</summary>
    public Task<CausationPage> ListByCausationAsync(
        Guid accountId, string causationId, string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        var filter = Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(HistoryCausationId, causationId);
        if (after is not null)
            filter &= Filter.Gt(x => x.Phone, after);

        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var page = await s.collection
                    .Find(s.filter)
                    .Sort(Builders<OptOutDocument>.Sort.Ascending(x => x.Phone))
                    .Limit(s.limit)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return new CausationPage(page.ConvertAll(d => d.ToRecord()), page.Count < s.limit ? null : page[^1].Phone);
            },
            (collection: _collection, filter, limit),
            cancellationToken).AsTask();
    }

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    private static void Validate(OptOutWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        // The version is the compare-and-swap token: it must move forward on every write, or a writer holding an
        // old read could overwrite a newer state (ABA).
        if (write.Record.Version <= write.ExpectedVersion || write.ExpectedVersion < 0)
            throw new ArgumentException(
                $"Record version {write.Record.Version} must be greater than expected version {write.ExpectedVersion}.", nameof(write));
    }

    /// <summary>
    /// Splits a batch into waves in which each number appears once, keeping the order of a number's writes across
    /// waves. An unordered bulk may apply its writes in any order, so two writes of one number (an insert and the
    /// update that expects it) must not share one. A bulk upload's batch has distinct numbers: one wave.
    /// </summary>
    private static List<int[]> Waves(IReadOnlyList<OptOutWrite> writes)
    {
        var occurrences = new Dictionary<(Guid, string), int>(writes.Count);
        var waveOf = new int[writes.Count];
        var waveCount = writes.Count == 0 ? 0 : 1;
        for (var i = 0; i < writes.Count; i++)
        {
            var key = (writes[i].Record.AccountId, writes[i].Record.Phone);
            var seen = occurrences.GetValueOrDefault(key);
            occurrences[key] = seen + 1;
            waveOf[i] = seen;
            waveCount = Math.Max(waveCount, seen + 1);
        }

        if (waveCount <= 1)
            return waveCount == 0 ? [] : [Enumerable.Range(0, writes.Count).ToArray()];

        var waves = new List<int>[waveCount];
        for (var w = 0; w < waveCount; w++)
            waves[w] = [];
        for (var i = 0; i < writes.Count; i++)
            waves[waveOf[i]].Add(i);
        return [.. waves.Select(w => w.ToArray())];
    }

    /// <summary>Applies one wave and sets <see cref="WriteBatch.Results"/>.</summary>
    private async Task ApplyAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        long matched;
        List<int> duplicateInserts = [];
        try
        {
            var result = await _collection.BulkWriteAsync(batch.Models, Unordered, cancellationToken).ConfigureAwait(false);
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
    private async Task SettleUpdatesAsync(WriteBatch batch, long failed, CancellationToken cancellationToken)
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
    private async Task SettleAfterCommandErrorAsync(WriteBatch batch, CancellationToken cancellationToken)
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
                    ? await InsertAsync(batch.Documents[i]!, cancellationToken).ConfigureAwait(false)
                    : await UpdateAsync(batch.Writes[i], cancellationToken).ConfigureAwait(false);
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
    private async Task<Dictionary<(Guid, string), OptOutDocument>> ReadStoredAsync(
        WriteBatch batch, IEnumerable<int> indexes, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<(Guid, string), OptOutDocument>();
        foreach (var account in indexes.Select(batch.Key).GroupBy(k => k.AccountId, k => k.Phone))
        {
            var filter = Filter.Eq(x => x.AccountId, account.Key) & Filter.In(x => x.Phone, account);
            var documents = await _collection.Find(filter).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var document in documents)
                stored[(document.AccountId, document.Phone)] = document;
        }

        return stored;
    }

    private static FilterDefinition<OptOutDocument> KeyFilter(Guid accountId, string phone) =>
        Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(x => x.Phone, phone);

    private ValueTask<bool> InsertAsync(OptOutWrite write, CancellationToken cancellationToken) =>
        InsertAsync(OptOutDocument.From(write.Record, write.Appended), cancellationToken);

    private async ValueTask<bool> InsertAsync(OptOutDocument document, CancellationToken cancellationToken)
    {
        try
        {
            await _collection.InsertOneAsync(document, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
        {
            // Another writer inserted this number first (or a retried insert of ours landed): the caller re-reads.
            return false;
        }
    }

    private async ValueTask<bool> UpdateAsync(OptOutWrite write, CancellationToken cancellationToken)
    {
        var (filter, update) = CompareAndSwap(write);
        var result = await _collection.UpdateOneAsync(filter, update, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Matched 0: the version moved on (or the record is gone). Another writer won; nothing was written.
        return result.MatchedCount == 1;
    }

    /// <summary>The compare-and-swap update: match the expected version, set the next record, append the entry.</summary>
    internal static (FilterDefinition<OptOutDocument> Filter, UpdateDefinition<OptOutDocument> Update) CompareAndSwap(OptOutWrite write)
    {
        var record = write.Record;
        var filter = KeyFilter(record.AccountId, record.Phone) & Filter.Eq(x => x.Version, write.ExpectedVersion);
        var update = Builders<OptOutDocument>.Update
            .Set(x => x.State, record.State)
            .Set(x => x.Source, record.Source)
            .Set(x => x.Note, record.Note)
            .Set(x => x.Actor, record.Actor)
            .Set(x => x.StateAt, record.StateAt.ToUniversalTime())
            .Set(x => x.CreatedAt, record.CreatedAt.ToUniversalTime())
            .Set(x => x.UpdatedAt, record.UpdatedAt.ToUniversalTime())
            .Set(x => x.Flagged, record.Flagged)
            .Set(x => x.Version, record.Version);
        if (write.Appended is { } entry)
            update = update.Push(x => x.History, HistoryDocument.From(entry));
        return (filter, update);
    }

    /// <summary>One wave of a batch: its writes, the bulk's models (built once, so a retry resends the same inserts) and the results.</summary>
    private sealed class WriteBatch
    {
        private WriteBatch(OptOutWrite[] writes, OptOutDocument?[] documents, WriteModel<OptOutDocument>[] models)
        {
            Writes = writes;
            Documents = documents;
            Models = models;
            Results = new bool[writes.Length];
            UpdateCount = documents.Count(d => d is null);
        }

        public OptOutWrite[] Writes { get; }

        /// <summary>The inserted document per insert (null for an update).</summary>
        public OptOutDocument?[] Documents { get; }

        public WriteModel<OptOutDocument>[] Models { get; }

        public bool[] Results { get; }

        public int Count => Writes.Length;

        public int UpdateCount { get; }

        public static WriteBatch Of(IReadOnlyList<OptOutWrite> all, int[] wave)
        {
            var writes = new OptOutWrite[wave.Length];
            var documents = new OptOutDocument?[wave.Length];
            var models = new WriteModel<OptOutDocument>[wave.Length];
            for (var i = 0; i < wave.Length; i++)
            {
                var write = all[wave[i]];
                writes[i] = write;
                if (write.ExpectedVersion == 0)
                {
                    var document = OptOutDocument.From(write.Record, write.Appended);
                    documents[i] = document;
                    models[i] = new InsertOneModel<OptOutDocument>(document);
                }
                else
                {
                    var (filter, update) = CompareAndSwap(write);
                    models[i] = new UpdateOneModel<OptOutDocument>(filter, update);
                }
            }

            return new WriteBatch(writes, documents, models);
        }

        /// <summary>The writes at <paramref name="indexes"/>, with the same documents and models.</summary>
        public WriteBatch Subset(List<int> indexes) => new(
            [.. indexes.Select(i => Writes[i])], [.. indexes.Select(i => Documents[i])], [.. indexes.Select(i => Models[i])]);

        public bool IsInsert(int i) => Documents[i] is not null;

        public ObjectId InsertedId(int i) => Documents[i]!.Id;

        public (Guid AccountId, string Phone) Key(int i) => (Writes[i].Record.AccountId, Writes[i].Record.Phone);
    }
}
