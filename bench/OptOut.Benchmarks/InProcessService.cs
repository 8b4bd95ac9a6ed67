using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOut.Service.Hosting;

namespace OptOut.Benchmarks;

/// <summary>The real service host (<see cref="OptOutApp"/>) in-process, on the benchmark's broker and a fresh SQLite file.</summary>
internal static class InProcessService
{
    /// <summary>
    /// Builds the host (not started): RabbitMQ from <paramref name="broker"/>, the SQLite store in
    /// <paramref name="directory"/> (message data next to it), an ephemeral HTTP port, logging at Warning, and the bus
    /// started before <c>StartAsync</c> returns. <paramref name="settings"/> add to or override the configuration.
    /// </summary>
    public static WebApplication Create(BrokerSettings broker, string directory, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var configuration = new Dictionary<string, string?>(broker.ServiceConfiguration())
        {
            [$"{BusOptions.Section}:Transport"] = "RabbitMq",
            [$"{StorageOptions.Section}:Provider"] = "Sqlite",
            [$"{StorageOptions.Section}:SqlitePath"] = Path.Combine(directory, "optout.db"),
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
        };
        foreach (var (key, value) in settings ?? [])
            configuration[key] = value;

        return OptOutApp.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<MassTransitHostOptions>(o =>
            {
                o.WaitUntilStarted = true;
                o.StartTimeout = TimeSpan.FromSeconds(60);
            });
            configure?.Invoke(builder);
        });
    }
}
