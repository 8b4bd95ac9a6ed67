using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

public static class MongoStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the MongoDB stores as the singleton <see cref="IOptOutStore"/> and <see cref="ISettingsStore"/>,
    /// plus an <see cref="IStoreInitializer"/> that creates the indexes when the host starts. One
    /// <see cref="MongoClient"/> (it pools connections and is meant to live as long as the process) is created from
    /// <paramref name="connectionString"/> and disposed with the container.
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
        services.AddSingleton<IOptOutStore>(sp => sp.GetRequiredService<MongoOptOutStore>());
        services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<MongoSettingsStore>());
        services.AddSingleton<IStoreInitializer>(sp => sp.GetRequiredService<MongoOptOutStore>());
        return services;
    }
}

/// <summary>
/// The client and database the stores share. A type of its own (not a registered <see cref="IMongoClient"/>) so it
/// never collides with a client the host registers for something else.
/// </summary>
public sealed class MongoOptOutDatabase : IDisposable
{
    private readonly MongoClient _client;

    public MongoOptOutDatabase(string connectionString, string database)
    {
        _client = new MongoClient(connectionString);
        Database = _client.GetDatabase(database);
    }

    public IMongoDatabase Database { get; }

    public void Dispose() => _client.Dispose();
}
