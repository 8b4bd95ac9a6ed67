using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Compliance;
using OptOut.Core.Outbox;

namespace OptOut.Storage.Sqlite;

public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQLite store (one file at <paramref name="path"/>) as the singleton
    /// <see cref="IOptOutStore"/>, <see cref="IBulkChangeLog"/>, <see cref="IOutbox"/>, <see cref="ISettingsStore"/>, <see cref="IBulkUploadStore"/>,
    /// <see cref="IReviewStore"/> and the one
    /// <see cref="IStoreInitializer"/> that creates the schema (every table) when the host starts.
    /// </summary>
    public static IServiceCollection AddSqliteOptOutStore(
        this IServiceCollection services, string path, StoreResilienceOptions? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        services.AddSingleton(sp => new SqliteOptOutStore(path, sp.GetService<ILogger<SqliteOptOutStore>>(), resilience));
        services.AddSingleton<IOptOutStore>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<IBulkChangeLog>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<IBulkUploadStore>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<IReviewStore>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        services.AddSingleton<IStoreInitializer>(sp => sp.GetRequiredService<SqliteOptOutStore>());
        return services;
    }
}
