using MassTransit;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.GridFS;

namespace OptOut.Storage.Mongo;

/// <summary>
/// MassTransit message data (the claim check for bulk upload files and reports) in MongoDB GridFS, for production
/// (MassTransit.MongoDb is not available to this service). Both directions stream: <see cref="Put"/> uploads the source
/// a chunk (255 KiB) at a time and <see cref="Get"/> returns a forward-only stream that reads chunks as the consumer
/// reads, so a large CSV never sits whole in memory.
/// </summary>
/// <remarks>
/// <para>Addresses are <c>urn:mongodb:gridfs:{ObjectId}</c> and a time to live is stored as the UTC date
/// <c>metadata.expiration</c>: both as MassTransit.MongoDb's own repository does, so either can read what the other
/// wrote.</para>
/// <para>Expired files are removed by <see cref="DeleteExpiredAsync"/>, which the host runs periodically. A MongoDB TTL
/// index can't do it: it deletes single documents, and a GridFS file is one document in <c>{bucket}.files</c> plus its
/// chunks in <c>{bucket}.chunks</c>, which would be left behind. Until then an expired file can still be read: a time to
/// live is the least time the data is kept.</para>
/// </remarks>
public sealed class GridFsMessageDataRepository : IMessageDataRepository
{
    /// <summary>The bucket's collections are <c>messageData.files</c> and <c>messageData.chunks</c>.</summary>
    public const string DefaultBucketName = "messageData";

    private const string AddressPrefix = "urn:mongodb:gridfs:";
    private const string ExpirationField = "expiration";

    private static readonly GridFSDownloadOptions ForwardOnly = new() { Seekable = false };

    private readonly GridFSBucket _bucket;
    private readonly IMongoCollection<BsonDocument> _files;
    private readonly TimeProvider _clock;
    private int _expirationIndexCreated;

    public GridFsMessageDataRepository(IMongoDatabase database, string bucketName = DefaultBucketName, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucketName);
        _bucket = new GridFSBucket(database, new GridFSBucketOptions { BucketName = bucketName });
        _files = database.GetCollection<BsonDocument>(bucketName + ".files");
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The address of a stored file's id.</summary>
    public static Uri AddressOf(ObjectId id) => new(AddressPrefix + id);

    /// <summary>Opens the data at <paramref name="address"/> for reading (forward only); the caller disposes the stream.</summary>
    /// <exception cref="MessageDataNotFoundException">Nothing is stored at the address (never stored, or deleted).</exception>
    public async Task<Stream> Get(Uri address, CancellationToken cancellationToken = default)
    {
        var id = IdOf(address);
        try
        {
            return await _bucket.OpenDownloadStreamAsync(id, ForwardOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (GridFSFileNotFoundException)
        {
            // MassTransit's own exception for missing data, as its other repositories throw.
            throw new MessageDataNotFoundException(address);
        }
    }

    /// <summary>
    /// Stores <paramref name="stream"/> from its current position to its end and returns the address. With a
    /// <paramref name="timeToLive"/>, the file expires that long from now (see <see cref="DeleteExpiredAsync"/>).
    /// </summary>
    public async Task<Uri> Put(Stream stream, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var id = ObjectId.GenerateNewId();
        var options = new GridFSUploadOptions();
        if (ExpirationOf(timeToLive) is { } expiration)
            options.Metadata = new BsonDocument(ExpirationField, expiration);

        // The file name is the id too: GridFS requires one, and it makes a file easy to find from its address.
        await _bucket.UploadFromStreamAsync(id, id.ToString(), stream, options, cancellationToken).ConfigureAwait(false);
        return AddressOf(id);
    }

    /// <summary>Deletes the data at <paramref name="address"/>; false when there was none.</summary>
    public async Task<bool> DeleteAsync(Uri address, CancellationToken cancellationToken = default)
    {
        try
        {
            await _bucket.DeleteAsync(IdOf(address), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GridFSFileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes every file whose time to live has passed (file and chunks) and returns how many. Idempotent and safe to
    /// run from several instances at once; the first call creates the index it queries.
    /// </summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _expirationIndexCreated) == 0)
        {
            // Sparse: files stored without a time to live have no expiration and stay out of the index.
            var index = new CreateIndexModel<BsonDocument>(
                new BsonDocument("metadata." + ExpirationField, 1),
                new CreateIndexOptions { Name = "metadata_expiration", Sparse = true });
            await _files.Indexes.CreateOneAsync(index, cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _expirationIndexCreated, 1);
        }

        var expired = Builders<GridFSFileInfo>.Filter.Lt("metadata." + ExpirationField, new BsonDateTime(_clock.GetUtcNow().UtcDateTime));
        using var cursor = await _bucket.FindAsync(expired, cancellationToken: cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var file in cursor.Current)
            {
                try
                {
                    await _bucket.DeleteAsync(file.Id, cancellationToken).ConfigureAwait(false);
                    deleted++;
                }
                catch (GridFSFileNotFoundException)
                {
                    // Another instance deleted it first.
                }
            }
        }

        return deleted;
    }

    private BsonDateTime? ExpirationOf(TimeSpan? timeToLive)
    {
        if (timeToLive is not { } ttl)
            return null;

        var now = _clock.GetUtcNow();
        // A time to live beyond the calendar (TimeSpan.MaxValue) means: never expires.
        return ttl >= DateTimeOffset.MaxValue - now ? null : new BsonDateTime((now + ttl).UtcDateTime);
    }

    private static ObjectId IdOf(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.OriginalString;
        if (!text.StartsWith(AddressPrefix, StringComparison.OrdinalIgnoreCase) || !ObjectId.TryParse(text[AddressPrefix.Length..], out var id))
            throw new ArgumentException($"'{address}' is not a GridFS message data address ({AddressPrefix}{{ObjectId}}).", nameof(address));
        return id;
    }
}
