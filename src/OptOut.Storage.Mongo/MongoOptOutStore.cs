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
/// version and pushes the history entry in the same statement.
/// </summary>
public sealed class MongoOptOutStore : IOptOutStore, IStoreInitializer
{
    public const string CollectionName = "optOuts";

    private static readonly FilterDefinitionBuilder<OptOutDocument> Filter = Builders<OptOutDocument>.Filter;

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
        ArgumentNullException.ThrowIfNull(write);
        // The version is the compare-and-swap token: it must move forward on every write, or a writer holding an
        // old read could overwrite a newer state (ABA).
        if (write.Record.Version <= write.ExpectedVersion || write.ExpectedVersion < 0)
            throw new ArgumentException(
                $"Record version {write.Record.Version} must be greater than expected version {write.ExpectedVersion}.", nameof(write));

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

        var filter = Filter.Eq(x => x.AccountId, accountId);
        if (state is { } s)
            filter &= Filter.Eq(x => x.State, s);
        if (afterPhone is not null)
            filter &= Filter.Gt(x => x.Phone, afterPhone);

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

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    private static FilterDefinition<OptOutDocument> KeyFilter(Guid accountId, string phone) =>
        Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(x => x.Phone, phone);

    private async ValueTask<bool> InsertAsync(OptOutWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await _collection.InsertOneAsync(OptOutDocument.From(write.Record, write.Appended), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
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
}
