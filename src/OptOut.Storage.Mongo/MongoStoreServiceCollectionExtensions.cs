using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Compliance;
using OptOut.Core.Outbox;

namespace OptOut.Storage.Mongo;

public static class MongoStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the MongoDB stores as the singleton <see cref="IOptOutStore"/> (also the <see cref="IOutbox"/> and the <see cref="IReviewStore"/>), <see cref="IBulkChangeLog"/>,
    /// <see cref="ISettingsStore"/> and <see cref="IBulkUploadStore"/>, plus one <see cref="IStoreInitializer"/> that creates every collection's indexes
    /// when the host starts. One <see cref="MongoClient"/> (it pools connections and is meant to live as long as the
    /// process) is created from <paramref name="connectionString"/> and disposed with the container.
    /// </summary>
    public static IServiceCollection AddMongoOptOutStore(
        this IServiceCollection services, string connectionString, string database, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);

        services.AddSingleton(_ => new MongoOptOutDatabase(connectionString, database));
        services.AddSingleton(sp => new MongoOptOutStore(
            sp.GetRequiredService<MongoOptOutDatabase>().Database, sp.GetService<ILogger<MongoOptOutStore>>(), resilience));
        services.AddSingleton(sp => new MongoSettingsStore(
            sp.GetRequiredService<MongoOptOutDatabase>().Database, sp.GetService<ILogger<MongoSettingsStore>>(), resilience));
        services.AddSingleton(sp => new MongoBulkUploadStore(
            sp.GetRequiredService<MongoOptOutDatabase>().Database, sp.GetService<ILogger<MongoBulkUploadStore>>(), resilience));
        services.AddSingleton(sp => new MongoBulkChangeLog(
            sp.GetRequiredService<MongoOptOutDatabase>().Database, sp.GetService<ILogger<MongoBulkChangeLog>>(), resilience));
        services.AddSingleton<IOptOutStore>(sp => sp.GetRequiredService<MongoOptOutStore>());
        services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<MongoOptOutStore>());
        services.AddSingleton<IReviewStore>(sp => sp.GetRequiredService<MongoOptOutStore>());
        services.AddSingleton<IBulkChangeLog>(sp => sp.GetRequiredService<MongoBulkChangeLog>());
        services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<MongoSettingsStore>());
        services.AddSingleton<IBulkUploadStore>(sp => sp.GetRequiredService<MongoBulkUploadStore>());
        // One initializer for every collection: the host resolves a single IStoreInitializer.
        services.AddSingleton<IStoreInitializer>(sp => new MongoStoreInitializer(
            sp.GetRequiredService<MongoOptOutStore>(), sp.GetRequiredService<MongoBulkUploadStore>(), sp.GetRequiredService<MongoBulkChangeLog>()));
        return services;
    }

    /// <summary>
    /// Registers <see cref="GridFsMessageDataRepository"/> (GridFS bucket <paramref name="bucketName"/> in the
    /// opt-out database, sharing the client of <see cref="AddMongoOptOutStore"/>, which must be called too) as the
    /// singleton <see cref="IMessageDataRepository"/>. The host passes it to MassTransit's <c>UseMessageData</c> and
    /// runs <see cref="GridFsMessageDataRepository.DeleteExpiredAsync"/> periodically. Building it does not connect.
    /// </summary>
    public static IServiceCollection AddGridFsMessageData(
        this IServiceCollection services, string bucketName = GridFsMessageDataRepository.DefaultBucketName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucketName);

        services.AddSingleton(sp => new GridFsMessageDataRepository(
            sp.GetRequiredService<MongoOptOutDatabase>().Database, bucketName, sp.GetService<TimeProvider>()));
        services.AddSingleton<IMessageDataRepository>(sp => sp.GetRequiredService<GridFsMessageDataRepository>());
        return services;
    }
}
