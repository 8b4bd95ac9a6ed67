using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;
using Polly;

namespace OptOut.Storage.Mongo;

/// <summary>Account settings in collection <c>optOutSettings</c>, one document per account (<c>_id</c> = account id).</summary>
public sealed class MongoSettingsStore : ISettingsStore
{
    public const string CollectionName = "optOutSettings";

    private static readonly ReplaceOptions Upsert = new() { IsUpsert = true };

    private readonly IMongoCollection<SettingsDocument> _collection;
    private readonly ResiliencePipeline _pipeline;

    public MongoSettingsStore(IMongoDatabase database, ILogger<MongoSettingsStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        MongoMappings.Register();
        _collection = database.GetCollection<SettingsDocument>(CollectionName);
        _pipeline = StoreResilience.Create("MongoDB", MongoErrors.IsTransient, logger, resilience);
    }

    public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var document = await s.collection
                    .Find(Builders<SettingsDocument>.Filter.Eq(x => x.AccountId, s.accountId))
                    .FirstOrDefaultAsync(ct)
                    .ConfigureAwait(false);
                return document?.ToSettings();
            },
            (collection: _collection, accountId),
            cancellationToken).AsTask();

    public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var document = SettingsDocument.From(settings);
        // A whole-document upsert is idempotent, so a retry after a lost acknowledgement is harmless.
        return _pipeline.ExecuteAsync(
            static async (s, ct) => await s.collection
                .ReplaceOneAsync(Builders<SettingsDocument>.Filter.Eq(x => x.AccountId, s.document.AccountId), s.document, Upsert, ct)
                .ConfigureAwait(false),
            (collection: _collection, document),
            cancellationToken).AsTask();
    }
}
