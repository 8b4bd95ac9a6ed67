using MongoDB.Driver;

namespace OptOut.Storage.Tests;

/// <summary>
/// A MongoDB server for the fixture and a database of its own for each test (named <see cref="DatabasePrefix"/> plus
/// a random suffix), dropped after it where the server can drop one: the specs that write a store's documents as an
/// earlier version did and open them with this one.
/// </summary>
public abstract class MongoDatabasePerSpec
{
    private MongoTestServer? _server;

    /// <summary>The server the fixture started.</summary>
    private protected MongoTestServer Server => _server ?? throw new InvalidOperationException("The fixture's server is not started.");

    /// <summary>This test's database.</summary>
    protected IMongoDatabase Database { get; private set; } = null!;

    /// <summary>The start of each test's database name.</summary>
    protected abstract string DatabasePrefix { get; }

    [OneTimeSetUp]
    public async Task StartServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _server = await MongoTestServer.StartAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [SetUp]
    public void NewDatabase() =>
        Database = Server.Client.GetDatabase(DatabasePrefix + Guid.NewGuid().ToString("N")[..12]);

    [TearDown]
    public async Task DropDatabase()
    {
        // The emulator can't drop a database; it is in memory and vanishes when stopped anyway.
        if (!Server.IsEmulator)
            await Server.Client.DropDatabaseAsync(Database.DatabaseNamespace.DatabaseName);
    }
}
