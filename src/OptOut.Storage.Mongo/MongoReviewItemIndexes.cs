using MongoDB.Driver;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The indexes of collection <c>reviewItems</c>, created at startup with the store's (<see cref="MongoOptOutStore.InitializeAsync"/>;
/// idempotent). Times are indexed on their <c>Ticks</c>, the exact instant as a plain Int64, as the queries compare and sort it.
/// </summary>
internal static class MongoReviewItemIndexes
{
    public static CreateIndexModel<ReviewItemDocument>[] All()
    {
        var keys = Builders<ReviewItemDocument>.IndexKeys;
        return
        [
            // The due list across accounts: equality on state, range and sort on the deadline.
            new(keys.Ascending(x => x.State).Ascending(MongoReviewItems.DeadlineTicks),
                new CreateIndexOptions { Name = "state_deadline" }),
            // An account's open part by deadline (and a state's part of the list, and its counts).
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.State).Ascending(MongoReviewItems.DeadlineTicks).Ascending(x => x.Id),
                new CreateIndexOptions { Name = "accountId_state_deadline_id" }),
            // The rest of an account's list, newest received first.
            new(keys.Ascending(x => x.AccountId).Descending(MongoReviewItems.ReceivedAtTicks).Descending(x => x.Id),
                new CreateIndexOptions { Name = "accountId_receivedAt_id_desc" }),
            // A number's open items, closed by its later revocation.
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_phone" }),
        ];
    }
}
