using System.Net;
using Microsoft.Data.Sqlite;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using OptOut.Core;
using OptOut.Storage.Mongo;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

[TestFixture]
public sealed class When_a_store_call_fails_transiently
{
    private static readonly StoreResilienceOptions Fast = new() { MaxRetryAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1) };

    [Test]
    public async Task Should_retry_a_transient_error_until_it_succeeds()
    {
        var pipeline = StoreResilience.Create("test", e => e is TimeoutException, options: Fast);
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ => ++calls < 3 ? throw new TimeoutException() : ValueTask.FromResult(calls));

        Assert.That(result, Is.EqualTo(3));
    }

    [Test]
    public void Should_give_up_after_five_attempts()
    {
        var pipeline = StoreResilience.Create("test", e => e is TimeoutException, options: Fast);
        var calls = 0;

        Assert.ThrowsAsync<TimeoutException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => { calls++; throw new TimeoutException(); }));
        Assert.That(calls, Is.EqualTo(5));
    }

    [Test]
    public void Should_not_retry_an_error_outside_the_filter()
    {
        var pipeline = StoreResilience.Create("test", e => e is TimeoutException, options: Fast);
        var calls = 0;

        Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => { calls++; throw new InvalidOperationException(); }));
        Assert.That(calls, Is.EqualTo(1));
    }

    [TestCase(5, true, TestName = "Should_retry_sqlite_busy")]
    [TestCase(6, true, TestName = "Should_retry_sqlite_locked")]
    [TestCase(19, false, TestName = "Should_not_retry_a_sqlite_constraint_violation")]
    [TestCase(11, false, TestName = "Should_not_retry_a_corrupt_sqlite_file")]
    public void Should_classify_sqlite_errors(int errorCode, bool transient)
    {
        Assert.That(SqliteOptOutStore.IsTransient(new SqliteException("error", errorCode)), Is.EqualTo(transient));
    }

    [Test]
    public void Should_retry_only_transient_mongo_errors()
    {
        var connectionId = new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MongoErrors.IsTransient(new MongoConnectionException(connectionId, "reset")), Is.True);
            Assert.That(MongoErrors.IsTransient(new TimeoutException("server selection")), Is.True);
            Assert.That(MongoErrors.IsTransient(new MongoAuthenticationException(connectionId, "bad password")), Is.False);
            Assert.That(MongoErrors.IsTransient(new MongoClientException("bad configuration")), Is.False);
            Assert.That(MongoErrors.IsTransient(new InvalidOperationException()), Is.False);
        }
    }

    [Test]
    public void Should_not_retry_a_mongo_duplicate_key_but_report_it_as_one()
    {
        var connectionId = new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017)));
        var command = new BsonDocument("insert", "optOuts");
        var commandError = new MongoCommandException(connectionId, "E11000 duplicate key error", command,
            new BsonDocument { { "ok", 0 }, { "code", 11000 }, { "errmsg", "E11000 duplicate key error" } });

        Assert.That(MongoErrors.IsTransient(commandError), Is.False);
        Assert.That(MongoErrors.IsDuplicateKey(commandError), Is.True);
        Assert.That(MongoErrors.IsDuplicateKey(new MongoCommandException(connectionId, "other", command, new BsonDocument { { "ok", 0 }, { "code", 2 } })), Is.False);
    }
}
