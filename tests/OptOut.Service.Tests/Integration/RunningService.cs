using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OptOut.Core;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// The real service, built exactly as <c>Program</c> builds it (<see cref="OptOutApp.Create"/>), in-process, on the
/// real broker, with a SQLite store in a temp file and the health endpoints on a free port.
/// </summary>
public sealed class RunningService : IAsyncDisposable
{
    private readonly string _directory;

    private RunningService(WebApplication app, string directory)
    {
        App = app;
        _directory = directory;
    }

    public WebApplication App { get; }

    public IOptOutStore Store => App.Services.GetRequiredService<IOptOutStore>();

    public IBusControl Bus => App.Services.GetRequiredService<IBusControl>();

    /// <summary>Where the health endpoints answer (the port Kestrel bound for <c>http://127.0.0.1:0</c>).</summary>
    public Uri BaseAddress
    {
        get
        {
            var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            return new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)));
        }
    }

    public static async Task<RunningService> StartAsync(BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "optout-integ-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var app = OptOutApp.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Bus:Transport"] = "RabbitMq",
                ["RabbitMq:Host"] = broker.Host,
                ["RabbitMq:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq:VirtualHost"] = broker.VirtualHost,
                ["RabbitMq:Username"] = broker.Username,
                ["RabbitMq:Password"] = broker.Password,
                ["Storage:Provider"] = "Sqlite",
                ["Storage:SqlitePath"] = Path.Combine(directory, "optout.db"),
                ["Urls"] = "http://127.0.0.1:0",
            });
            // Warnings and errors only: reconnects and faults show, the per-message chatter doesn't.
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });

        var service = new RunningService(app, directory);
        try
        {
            await app.StartAsync(cancellationToken);
            // The host doesn't wait for the receive endpoints by default: wait until the queues and bindings exist,
            // so a raw publish right after this can't go to an exchange nobody is bound to yet.
            var status = await service.Bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
            Assert.That(status, Is.EqualTo(BusHealthStatus.Healthy), $"the service's bus on {broker} did not become healthy within 30 s");
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless; failing the fixture over it would not be.
            }
        }
    }
}
