using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>Creates the indexes of every MongoDB store collection (each step idempotent).</summary>
public sealed class MongoStoreInitializer(MongoOptOutStore optOuts, MongoBulkUploadStore bulkUploads) : IStoreInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await optOuts.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await bulkUploads.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }
}
