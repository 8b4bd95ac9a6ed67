using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core.Compliance;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The review list (<see cref="IReviewStore"/>) in collection <c>reviewItems</c> (<see cref="ReviewItemDocument"/>),
/// served by <see cref="MongoOptOutStore"/>. Every write is one single-document insert or conditional update (the
/// number's close is one <c>updateMany</c> whose every document changes on its own), so none needs a transaction
/// (MongoDB 7, several instances), and of concurrent claimers of one item exactly one matches.
/// </summary>
/// <remarks>
/// A conditional write retried after a lost reply answers false although the first attempt landed (the item is no
/// longer open, or already claimed): the outcome the store guarantees (one resolution, one claim) holds, and a claim
/// the claimer did not learn it won runs out and is taken again.
/// </remarks>
internal sealed class MongoReviewItems(IMongoCollection<ReviewItemDocument> collection, ResiliencePipeline pipeline)
{
    public const string CollectionName = "reviewItems";

    public static readonly StringFieldDefinition<ReviewItemDocument, long> DeadlineTicks = new("deadline.Ticks");

    public static readonly StringFieldDefinition<ReviewItemDocument, long> ReceivedAtTicks = new("receivedAt.Ticks");

    private static readonly StringFieldDefinition<ReviewItemDocument, long> ClaimedUntilTicks = new("claimedUntil.Ticks");

    private static FilterDefinitionBuilder<ReviewItemDocument> Filter => Builders<ReviewItemDocument>.Filter;

    private static SortDefinitionBuilder<ReviewItemDocument> Sort => Builders<ReviewItemDocument>.Sort;

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        pipeline.ExecuteAsync(
            static async (s, ct) => await s.Indexes.CreateManyAsync(s.indexes, ct).ConfigureAwait(false),
            (collection.Indexes, indexes: MongoReviewItemIndexes.All()),
            cancellationToken).AsTask();

    /// <summary>An insert; the <c>_id</c>'s duplicate key (a redelivered text) is the outcome false, not a fault.</summary>
    public Task<bool> TryAddAsync(ReviewItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.AccountId.IsEmpty)
            throw new ArgumentException("A review item's account is required.", nameof(item));
        return pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                try
                {
                    await s.collection.InsertOneAsync(s.document, cancellationToken: ct).ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
                {
                    return false;
                }
            },
            (collection, document: ReviewItemDocument.From(item)),
            cancellationToken).AsTask();
    }

    public Task<ReviewItem?> GetAsync(AccountId accountId, Guid id, CancellationToken cancellationToken) =>
        pipeline.ExecuteAsync(
            static async (s, ct) => (await s.collection.Find(s.filter).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToItem(),
            (collection, filter: Key(accountId, id)),
            cancellationToken).AsTask();

    public async Task<IReadOnlyList<ReviewItem>> ListAsync(AccountId accountId, ReviewState? state, ReviewCursor? after, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var account = Filter.Eq(x => x.AccountId, accountId);
        var page = new List<ReviewItem>();
        if (after is not { Open: false } && state is null or ReviewState.Open)
        {
            var filter = account & Filter.Eq(x => x.State, ReviewState.Open);
            if (after is { } cursor)
                filter &= Filter.Gt(DeadlineTicks, cursor.At.UtcTicks)
                           | (Filter.Eq(DeadlineTicks, cursor.At.UtcTicks) & Filter.Gt(x => x.Id, cursor.Id));
            page.AddRange(await FindAsync(filter, Sort.Ascending(DeadlineTicks).Ascending(x => x.Id), limit, cancellationToken).ConfigureAwait(false));
        }

        if (page.Count < limit && state is not ReviewState.Open)
        {
            var filter = account & (state is { } s ? Filter.Eq(x => x.State, s) : Filter.Ne(x => x.State, ReviewState.Open));
            if (after is { Open: false } cursor)
                filter &= Filter.Lt(ReceivedAtTicks, cursor.At.UtcTicks)
                           | (Filter.Eq(ReceivedAtTicks, cursor.At.UtcTicks) & Filter.Lt(x => x.Id, cursor.Id));
            page.AddRange(await FindAsync(filter, Sort.Descending(ReceivedAtTicks).Descending(x => x.Id), limit - page.Count, cancellationToken)
                .ConfigureAwait(false));
        }

        return page;
    }

    /// <summary>One count per state, each on the account-and-state index (an account's list is short).</summary>
    public async Task<IReadOnlyDictionary<ReviewState, long>> CountsAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<ReviewState, long>();
        foreach (var state in Enum.GetValues<ReviewState>())
        {
            var filter = Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(x => x.State, state);
            counts[state] = await pipeline.ExecuteAsync(
                static async (s, ct) => await s.collection.CountDocumentsAsync(s.filter, cancellationToken: ct).ConfigureAwait(false),
                (collection, filter),
                cancellationToken).ConfigureAwait(false);
        }

        return counts;
    }

    public Task<bool> TryResolveAsync(AccountId accountId, Guid id, ReviewState resolution, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken)
    {
        if (resolution == ReviewState.Open || !Enum.IsDefined(resolution))
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "An item is resolved to a closed state.");
        ArgumentException.ThrowIfNullOrWhiteSpace(resolvedBy);
        var filter = Key(accountId, id) & Filter.Eq(x => x.State, ReviewState.Open);
        return pipeline.ExecuteAsync(
            static async (s, ct) => (await s.collection.UpdateOneAsync(s.filter, s.update, cancellationToken: ct).ConfigureAwait(false)).MatchedCount == 1,
            (collection, filter, update: Resolution(resolution, resolvedBy, at, note)),
            cancellationToken).AsTask();
    }

    public Task<int> CloseOpenForNumberAsync(AccountId accountId, string phone, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phone);
        ArgumentException.ThrowIfNullOrWhiteSpace(resolvedBy);
        var filter = Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(x => x.Phone, phone) & Filter.Eq(x => x.State, ReviewState.Open);
        return pipeline.ExecuteAsync(
            static async (s, ct) => (int)(await s.collection.UpdateManyAsync(s.filter, s.update, cancellationToken: ct).ConfigureAwait(false)).ModifiedCount,
            (collection, filter, update: Resolution(ReviewState.ClosedByRevocation, resolvedBy, at, note)),
            cancellationToken).AsTask();
    }

    /// <summary>On index <c>state_deadline</c>; the claim's expiry is checked on the documents it finds (few are due at once).</summary>
    public Task<IReadOnlyList<ReviewItem>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return FindAsync(Due(now), Sort.Ascending(DeadlineTicks).Ascending(x => x.Id), limit, cancellationToken);
    }

    public Task<bool> TryClaimDueAsync(AccountId accountId, Guid id, DateTimeOffset claimedUntil, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = Key(accountId, id) & Due(now);
        var update = Builders<ReviewItemDocument>.Update.Set(x => x.ClaimedUntil, claimedUntil.ToUniversalTime());
        return pipeline.ExecuteAsync(
            static async (s, ct) => (await s.collection.UpdateOneAsync(s.filter, s.update, cancellationToken: ct).ConfigureAwait(false)).MatchedCount == 1,
            (collection, filter, update),
            cancellationToken).AsTask();
    }

    private static FilterDefinition<ReviewItemDocument> Key(AccountId accountId, Guid id) =>
        Filter.Eq(x => x.Id, id) & Filter.Eq(x => x.AccountId, accountId);

    private static FilterDefinition<ReviewItemDocument> Due(DateTimeOffset now) =>
        Filter.Eq(x => x.State, ReviewState.Open) & Filter.Lte(DeadlineTicks, now.UtcTicks) & Filter.Lte(ClaimedUntilTicks, now.UtcTicks);

    private static UpdateDefinition<ReviewItemDocument> Resolution(ReviewState state, string by, DateTimeOffset at, string? note) =>
        Builders<ReviewItemDocument>.Update
            .Set(x => x.State, state)
            .Set(x => x.ResolvedBy, by)
            .Set(x => x.ResolvedAt, at.ToUniversalTime())
            .Set(x => x.Note, note);

    private Task<IReadOnlyList<ReviewItem>> FindAsync(FilterDefinition<ReviewItemDocument> filter, SortDefinition<ReviewItemDocument> sort, int limit,
        CancellationToken cancellationToken) =>
        pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var documents = await s.collection.Find(s.filter).Sort(s.sort).Limit(s.limit).ToListAsync(ct).ConfigureAwait(false);
                return (IReadOnlyList<ReviewItem>)documents.ConvertAll(d => d.ToItem());
            },
            (collection, filter, sort, limit),
            cancellationToken).AsTask();
}
