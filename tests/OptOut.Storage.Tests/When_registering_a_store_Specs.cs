using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Outbox;
using OptOut.Storage.Mongo;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

[TestFixture]
public sealed class When_registering_a_store
{
    [Test]
    public async Task Should_register_one_sqlite_store_for_every_role()
    {
        var folder = Path.Combine(Path.GetTempPath(), "optout-di-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var provider = new ServiceCollection().AddSqliteOptOutStore(Path.Combine(folder, "optout.db")).BuildServiceProvider())
            {
                var store = provider.GetRequiredService<IOptOutStore>();
                Assert.That(provider.GetRequiredService<ISettingsStore>(), Is.SameAs(store));
                Assert.That(provider.GetRequiredService<IBulkUploadStore>(), Is.SameAs(store));
                Assert.That(provider.GetServices<IStoreInitializer>().Single(), Is.SameAs(store));

                foreach (var initializer in provider.GetServices<IStoreInitializer>())
                    await initializer.InitializeAsync(CancellationToken.None);
                Assert.DoesNotThrowAsync(() => store.PingAsync());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task Should_register_the_mongo_stores_without_connecting()
    {
        // Building the stores must not touch the server: the host may start before MongoDB is up.
        await using var provider = new ServiceCollection()
            .AddMongoOptOutStore("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100", "optout")
            .BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptOutStore>(), Is.InstanceOf<MongoOptOutStore>());
        Assert.That(provider.GetRequiredService<IOutbox>(), Is.SameAs(provider.GetRequiredService<IOptOutStore>()), "pending events live in the records");
        Assert.That(provider.GetRequiredService<ISettingsStore>(), Is.InstanceOf<MongoSettingsStore>());
        Assert.That(provider.GetRequiredService<IBulkUploadStore>(), Is.InstanceOf<MongoBulkUploadStore>());
        // The host resolves one initializer: it must cover every collection.
        Assert.That(provider.GetServices<IStoreInitializer>().Single(), Is.InstanceOf<MongoStoreInitializer>());
        Assert.That(provider.GetService<IMessageDataRepository>(), Is.Null, "message data is opted into separately");
    }

    [Test]
    public async Task Should_register_gridfs_message_data_without_connecting()
    {
        await using var provider = new ServiceCollection()
            .AddMongoOptOutStore("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100", "optout")
            .AddGridFsMessageData()
            .BuildServiceProvider();

        var repository = provider.GetRequiredService<IMessageDataRepository>();
        Assert.That(repository, Is.InstanceOf<GridFsMessageDataRepository>());
        Assert.That(provider.GetRequiredService<GridFsMessageDataRepository>(), Is.SameAs(repository));
    }
}
