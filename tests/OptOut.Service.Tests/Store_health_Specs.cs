using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Driver;
using OptOut.Service.Hosting;
using OptOut.Storage.Mongo;
using OptOut.Storage.Sqlite;

namespace OptOut.Service.Tests;

/// <summary>README "Operations": /health/ready's <c>store</c> check, against a store that answers and one that doesn't.</summary>
[TestFixture]
public class When_readiness_checks_the_store
{
    private static readonly HealthCheckContext Context = new()
    {
        Registration = new HealthCheckRegistration("store", _ => throw new InvalidOperationException("not used"), HealthStatus.Unhealthy, ["ready"]),
    };

    [Test]
    [CancelAfter(30_000)]
    public async Task Should_be_unhealthy_when_the_database_does_not_answer(CancellationToken cancellationToken)
    {
        // The real driver, pointed at a port where nothing listens (a database down or unreachable).
        var settings = new MongoClientSettings
        {
            Server = new MongoServerAddress("127.0.0.1", UnusedPort()),
            ServerSelectionTimeout = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        };
        using var client = new MongoClient(settings);
        var check = new StoreHealthCheck(new MongoOptOutStore(client.GetDatabase("optout-health-specs")));

        var result = await check.CheckHealthAsync(Context, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.StartWith("store unreachable: "));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Should_be_healthy_when_the_database_answers(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("optout-health-specs-");
        try
        {
            using var store = new SqliteOptOutStore(Path.Combine(directory.FullName, "optout.db"));
            await store.InitializeAsync(cancellationToken);

            var result = await new StoreHealthCheck(store).CheckHealthAsync(Context, cancellationToken);

            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
