using MongoDB.Driver;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The indexes of collection <c>optOuts</c>, created at startup by <see cref="MongoOptOutStore.InitializeAsync"/>
/// (idempotent: creating an index that exists with the same keys and options is a no-op). The unique one makes a
/// duplicate insert an outcome (false), never a second record.
/// </summary>
internal static class MongoOptOutIndexes
{
    public static CreateIndexModel<OptOutDocument>[] All()
    {
        var keys = Builders<OptOutDocument>.IndexKeys;
        return
        [
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_phone_unique", Unique = true }),
            // Pages by state walk this index in phone order: equality on account and state, range and sort on phone.
            new(keys.Ascending(x => x.AccountId).Ascending(x => x.State).Ascending(x => x.Phone),
                new CreateIndexOptions { Name = "accountId_state_phone" }),
            // The sweeper's due entries, oldest claim first (MongoOutbox.ListDueAsync). Sparse: only the few records with
            // pending events are in it, not the millions a bulk upload writes.
            new(keys.Ascending(MongoOutbox.ClaimedUntilTicks),
                new CreateIndexOptions { Name = "pending_claimedUntil_sparse", Sparse = true }),
        ];
    }
}
