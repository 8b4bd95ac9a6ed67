using DotNet.Testcontainers.Builders;
using MongoDB.Bson;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace OptOut.Storage.Tests;

/// <summary>
/// The MongoDB the Mongo fixtures run against: the server in <c>MONGODB_URI</c> when set, else a Testcontainers
/// MongoDB 7 when a Docker engine exists. With neither, the fixture is skipped with the reason printed, or fails under
/// <c>TEST_SETUP=required</c> (<see cref="TestSetup.Missing"/>); a configured server that doesn't answer always fails.
/// </summary>
internal sealed class MongoTestServer : IAsyncDisposable
{
    private readonly MongoDbContainer? _container;

    private MongoTestServer(MongoClient client, string source, bool isEmulator, MongoDbContainer? container)
    {
        Client = client;
        Source = source;
        IsEmulator = isEmulator;
        _container = container;
    }

    public MongoClient Client { get; }

    /// <summary>Where the server came from, for the test log.</summary>
    public string Source { get; }

    /// <summary>
    /// True for the jongodb in-memory emulator (deploy/start-jongodb.sh). It speaks the wire protocol but not every
    /// command: fixtures skip, by name and with the reason, what it can't do.
    /// </summary>
    public bool IsEmulator { get; }

    public static async Task<MongoTestServer> StartAsync(CancellationToken cancellationToken)
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        MongoDbContainer? container = null;
        string source;
        if (!string.IsNullOrWhiteSpace(uri))
        {
            source = "MONGODB_URI";
        }
        else
        {
            try
            {
                container = new MongoDbBuilder("mongo:7.0").Build();
            }
            catch (DockerUnavailableException e)
            {
                TestSetup.Missing($"No MongoDB: MONGODB_URI is not set and Testcontainers found no Docker engine ({FirstLine(e.Message)}). "
                    + "Set MONGODB_URI, or run deploy/start-jongodb.sh for a local emulator.");
            }

            await container!.StartAsync(cancellationToken).ConfigureAwait(false);
            uri = container.GetConnectionString();
            source = "Testcontainers mongo:7.0";
        }

        var settings = MongoClientSettings.FromConnectionString(uri);
        // Fail fast when nothing listens: the driver's default waits 30 s per operation.
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(3);
        settings.ConnectTimeout = TimeSpan.FromSeconds(3);
        var client = new MongoClient(settings);
        try
        {
            var admin = client.GetDatabase("admin");
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            var buildInfo = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            var isEmulator = buildInfo.ToJson().Contains("jongodb", StringComparison.OrdinalIgnoreCase);
            var version = buildInfo.GetValue("version", "?").ToString();
            TestContext.Progress.WriteLine($"MongoDB from {source}: version {version}{(isEmulator ? " (jongodb emulator)" : "")}");
            return new MongoTestServer(client, source, isEmulator, container);
        }
        catch (Exception e) when (e is TimeoutException or MongoException)
        {
            client.Dispose();
            if (container is not null)
                await container.DisposeAsync().ConfigureAwait(false);
            // A configured server that doesn't answer is a broken setup, not a reason to skip.
            Assert.Fail($"MongoDB from {source} did not answer a ping: {e.Message}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_container is not null)
            await _container.DisposeAsync().ConfigureAwait(false);
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
