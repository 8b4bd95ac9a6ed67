using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// Upload state in collection <c>bulkUploads</c>, one document per upload (<c>_id</c> = upload id). A save is one
/// single-document insert or replace filtered on the expected <see cref="BulkUploadState.Version"/>: compare-and-swap
/// without a transaction, like the opt-out records.
/// </summary>
public sealed class MongoBulkUploadStore : IBulkUploadStore, IStoreInitializer
{
    public const string CollectionName = "bulkUploads";

    private static readonly FilterDefinitionBuilder<BulkUploadDocument> Filter = Builders<BulkUploadDocument>.Filter;

    // submittedAt is stored like every time here, as { DateTime, Ticks, Offset } in UTC (exact to the tick). Its Ticks
    // is the exact instant as an Int64: the list sorts and pages on that plain number rather than on the embedded
    // document's comparison order.
    private static readonly StringFieldDefinition<BulkUploadDocument, long> SubmittedAtTicks = new("submittedAt.Ticks");

    private static readonly SortDefinition<BulkUploadDocument> NewestFirst =
        Builders<BulkUploadDocument>.Sort.Descending(SubmittedAtTicks).Descending(x => x.UploadId);

    private readonly IMongoCollection<BulkUploadDocument> _collection;
    private readonly ResiliencePipeline _pipeline;

    public MongoBulkUploadStore(IMongoDatabase database, ILogger<MongoBulkUploadStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        MongoMappings.Register();
        _collection = database.GetCollection<BulkUploadDocument>(CollectionName);
        _pipeline = StoreResilience.Create("MongoDB", MongoErrors.IsTransient, logger, resilience);
    }

    /// <summary>
    /// Creates the index the admin panel's list walks: equality on the account, then newest first with the upload id
    /// as tie-break, so the whole sort comes from the index.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        var index = new CreateIndexModel<BulkUploadDocument>(
            Builders<BulkUploadDocument>.IndexKeys.Ascending(x => x.AccountId).Descending(SubmittedAtTicks).Descending(x => x.UploadId),
            new CreateIndexOptions { Name = "accountId_submittedAt_desc" });
        return _pipeline.ExecuteAsync(
            static async (s, ct) => await s.collection.Indexes.CreateOneAsync(s.index, cancellationToken: ct).ConfigureAwait(false),
            (collection: _collection, index),
            cancellationToken).AsTask();
    }

    public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var document = await s.collection.Find(Key(s.accountId, s.uploadId)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                return document?.ToState();
            },
            (collection: _collection, accountId, uploadId),
            cancellationToken).AsTask();

    /// <remarks>
    /// As with records, a save retried after a lost acknowledgement may report false although it applied: the caller
    /// re-reads and finds its own version there.
    /// </remarks>
    public Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        WriteVersion.EnsureAdvances(state.Version, expectedVersion, "Upload", nameof(state));

        var document = BulkUploadDocument.From(state);
        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                if (s.expectedVersion == 0)
                {
                    try
                    {
                        await s.collection.InsertOneAsync(s.document, cancellationToken: ct).ConfigureAwait(false);
                        return true;
                    }
                    catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
                    {
                        // The id is taken: this upload was saved first by another writer (or belongs to another account).
                        return false;
                    }
                }

                var filter = Key(s.document.AccountId, s.document.UploadId) & Filter.Eq(x => x.Version, s.expectedVersion);
                var result = await s.collection.ReplaceOneAsync(filter, s.document, cancellationToken: ct).ConfigureAwait(false);
                return result.MatchedCount == 1;
            },
            (collection: _collection, document, expectedVersion),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<BulkUploadState>> ListAsync(
        AccountId accountId, DateTimeOffset? submittedBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var filter = Filter.Eq(x => x.AccountId, accountId);
        if (submittedBefore is { } before)
            filter &= Filter.Lt(SubmittedAtTicks, before.UtcTicks);

        return _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var page = await s.collection.Find(s.filter).Sort(NewestFirst).Limit(s.limit).ToListAsync(ct).ConfigureAwait(false);
                return (IReadOnlyList<BulkUploadState>)page.ConvertAll(d => d.ToState());
            },
            (collection: _collection, filter, limit),
            cancellationToken).AsTask();
    }

    private static FilterDefinition<BulkUploadDocument> Key(AccountId accountId, Guid uploadId) =>
        Filter.Eq(x => x.UploadId, uploadId) & Filter.Eq(x => x.AccountId, accountId);
}
