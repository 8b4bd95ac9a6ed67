using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>Creates the indexes of every MongoDB store collection and converts what an earlier version stored (each step idempotent).</summary>
public sealed class MongoStoreInitializer(MongoOptOutStore optOuts, MongoBulkUploadStore bulkUploads, MongoBulkChangeLog changeLog)
    : IStoreInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // First: the indexes and the other conversions find every account id a string.
        await optOuts.ConvertAccountIdsAsync(cancellationToken).ConfigureAwait(false);
        await optOuts.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await bulkUploads.InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Last: its one-time conversion reads the other collections.
        await changeLog.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }
}
