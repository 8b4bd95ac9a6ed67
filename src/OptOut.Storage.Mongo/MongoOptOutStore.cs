using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Compliance;
using OptOut.Core.Outbox;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The production store: collection <c>optOuts</c>, one document per (accountId, phone) with its history embedded
/// (<see cref="OptOutDocument"/>), a unique index on (accountId, phone) (<see cref="MongoOptOutIndexes"/>). A write is
/// one single-document compare-and-swap (<see cref="MongoCompareAndSwap"/>), which needs no transaction. Bulk uploads
/// read a batch with one <c>$in</c> query (<see cref="FindManyAsync"/>) and write it with one unordered bulk write
/// (<see cref="MongoBatchWriter"/>); the numbers an upload changed are listed apart (<see cref="MongoBulkChangeLog"/>).
/// A transition's pending events live in its record, written by the same update (<see cref="MongoOutbox"/>).
/// </summary>
public sealed class MongoOptOutStore : IOptOutStore, IOutbox, IReviewStore, IStoreInitializer
{
    public const string CollectionName = "optOuts";

    private static FilterDefinitionBuilder<OptOutDocument> Filter => MongoCompareAndSwap.Filter;

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<OptOutDocument> _collection;
    private readonly ResiliencePipeline _pipeline;
    private readonly MongoBatchWriter _batches;
    private readonly MongoOutbox _outbox;
    private readonly MongoReviewItems _reviews;

    public MongoOptOutStore(IMongoDatabase database, ILogger<MongoOptOutStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        MongoMappings.Register();
        _database = database;
        _collection = database.GetCollection<OptOutDocument>(CollectionName);
        _pipeline = StoreResilience.Create("MongoDB", MongoErrors.IsTransient, logger, resilience);
        _batches = new MongoBatchWriter(_collection, _pipeline);
        _outbox = new MongoOutbox(_collection, _pipeline);
        _reviews = new MongoReviewItems(database.GetCollection<ReviewItemDocument>(MongoReviewItems.CollectionName), _pipeline);
    }

    /// <summary>Creates the indexes of <c>optOuts</c> (<see cref="MongoOptOutIndexes"/>) and of <c>reviewItems</c> (<see cref="MongoReviewItemIndexes"/>).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _pipeline.ExecuteAsync(
            static async (s, ct) => await s.Indexes.CreateManyAsync(s.indexes, ct).ConfigureAwait(false),
            (_collection.Indexes, indexes: MongoOptOutIndexes.All()),
            cancellationToken).ConfigureAwait(false);
        await _reviews.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns the account ids an earlier version stored as UUIDs into strings, in every collection (<see cref="MongoAccountIdConversion"/>).</summary>
    internal Task ConvertAccountIdsAsync(CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            static async (database, ct) => await new MongoAccountIdConversion(database).RunAsync(ct).ConfigureAwait(false),
            _database,
            cancellationToken).AsTask();

    public Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(phone);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var document = await s.self._collection
                    .Find(MongoCompareAndSwap.KeyFilter(s.accountId, s.phone))
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
        MongoCompareAndSwap.Validate(write);

        // Retrying a write is safe even when a lost connection hid that it was applied: the retry then finds the
        // version moved (or the key taken) and returns false, and the caller re-reads and sees its own causation id.
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.write.ExpectedVersion == 0
                ? MongoSingleWrites.InsertAsync(s.collection, s.write, ct)
                : MongoSingleWrites.UpdateAsync(s.collection, s.write, ct),
            (collection: _collection, write),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        AccountId accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default)
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
        AccountId accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
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

    /// <summary>The phones alone, from the unique (accountId, phone) index (a covered query: no document is read).</summary>
    public Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default)
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

    /// <summary>One unordered bulk write per batch (<see cref="MongoBatchWriter"/>).</summary>
    public Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default) =>
        _batches.TryWriteManyAsync(writes, cancellationToken);

    /// <summary>The same bulk write as <see cref="TryWriteManyAsync"/>: MongoDB inserts alike documents no faster together.</summary>
    public Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inserts);
        inserts.Check(nameof(inserts));
        return _batches.TryWriteManyAsync(inserts.ToWrites(), cancellationToken);
    }

    public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _outbox.TryClaimAsync(key, claim, now, cancellationToken);

    public Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken = default) =>
        _outbox.MarkSentAsync(keys, cancellationToken);

    public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        _outbox.ListDueAsync(now, limit, cancellationToken);

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    /// <summary>An account's records (in one state, when given) after a phone: the filter of a page in phone order.</summary>
    private static FilterDefinition<OptOutDocument> PageFilter(AccountId accountId, OptState? state, string? afterPhone)
    {
        var filter = Filter.Eq(x => x.AccountId, accountId);
        if (state is { } s)
            filter &= Filter.Eq(x => x.State, s);
        if (afterPhone is not null)
            filter &= Filter.Gt(x => x.Phone, afterPhone);
        return filter;
    }

    // The review list (MongoReviewItems), explicit: ListDueAsync shares its parameters with the outbox's.
    Task<bool> IReviewStore.TryAddAsync(ReviewItem item, CancellationToken cancellationToken) =>
        _reviews.TryAddAsync(item, cancellationToken);

    Task<ReviewItem?> IReviewStore.GetAsync(AccountId accountId, Guid id, CancellationToken cancellationToken) =>
        _reviews.GetAsync(accountId, id, cancellationToken);

    Task<IReadOnlyList<ReviewItem>> IReviewStore.ListAsync(AccountId accountId, ReviewState? state, ReviewCursor? after, int limit,
        CancellationToken cancellationToken) =>
        _reviews.ListAsync(accountId, state, after, limit, cancellationToken);

    Task<IReadOnlyDictionary<ReviewState, long>> IReviewStore.CountsAsync(AccountId accountId, CancellationToken cancellationToken) =>
        _reviews.CountsAsync(accountId, cancellationToken);

    Task<bool> IReviewStore.TryResolveAsync(AccountId accountId, Guid id, ReviewState resolution, string resolvedBy, DateTimeOffset at,
        string? note, CancellationToken cancellationToken) =>
        _reviews.TryResolveAsync(accountId, id, resolution, resolvedBy, at, note, cancellationToken);

    Task<int> IReviewStore.CloseOpenForNumberAsync(AccountId accountId, string phone, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken) =>
        _reviews.CloseOpenForNumberAsync(accountId, phone, resolvedBy, at, note, cancellationToken);

    Task<IReadOnlyList<ReviewItem>> IReviewStore.ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        _reviews.ListDueAsync(now, limit, cancellationToken);

    Task<bool> IReviewStore.TryClaimDueAsync(AccountId accountId, Guid id, DateTimeOffset claimedUntil, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        _reviews.TryClaimDueAsync(accountId, id, claimedUntil, now, cancellationToken);
}
