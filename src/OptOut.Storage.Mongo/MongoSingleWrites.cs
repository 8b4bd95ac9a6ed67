using MongoDB.Driver;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>
/// One record's write as one single-document operation: an insert for a new number (a duplicate key is an outcome,
/// false), the <see cref="MongoCompareAndSwap"/> update for an existing one. <see cref="MongoOptOutStore.TryWriteAsync"/>
/// sends these, and <see cref="MongoBatchWriter"/> falls back to them when a bulk's outcome can't be told.
/// </summary>
internal static class MongoSingleWrites
{
    public static ValueTask<bool> InsertAsync(IMongoCollection<OptOutDocument> collection, OptOutWrite write, CancellationToken cancellationToken) =>
        InsertAsync(collection, OptOutDocument.From(write), cancellationToken);

    public static async ValueTask<bool> InsertAsync(IMongoCollection<OptOutDocument> collection, OptOutDocument document, CancellationToken cancellationToken)
    {
        try
        {
            await collection.InsertOneAsync(document, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (MongoErrors.IsDuplicateKey(e))
        {
            // Another writer inserted this number first (or a retried insert of ours landed): the caller re-reads.
            return false;
        }
    }

    public static async ValueTask<bool> UpdateAsync(IMongoCollection<OptOutDocument> collection, OptOutWrite write, CancellationToken cancellationToken)
    {
        var (filter, update) = MongoCompareAndSwap.For(write);
        var result = await collection.UpdateOneAsync(filter, update, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Matched 0: the version moved on (or the record is gone). Another writer won; nothing was written.
        return result.MatchedCount == 1;
    }
}
