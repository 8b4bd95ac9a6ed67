using MongoDB.Driver;

namespace OptOut.Storage.Mongo;

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
