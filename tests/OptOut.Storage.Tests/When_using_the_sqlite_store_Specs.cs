using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>The store contract against a SQLite file of its own in a temporary folder.</summary>
[TestFixture]
public sealed class When_using_the_sqlite_store : OptOutStoreContract
{
    private string? _folder;
    private SqliteOptOutStore? _store;

    private string DatabasePath => Path.Combine(_folder!, "optout.db");

    protected override async Task<(IOptOutStore Store, ISettingsStore Settings)> StartStoresAsync(CancellationToken cancellationToken)
    {
        _folder = Path.Combine(Path.GetTempPath(), "optout-store-tests-" + Guid.NewGuid().ToString("N"));
        // The store creates the folder: a fresh install has none.
        _store = new SqliteOptOutStore(DatabasePath);
        await _store.InitializeAsync(cancellationToken);
        return (_store, _store);
    }

    protected override Task StopStoresAsync()
    {
        _store?.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Test]
    public async Task Should_use_write_ahead_logging(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.That(await command.ExecuteScalarAsync(cancellationToken), Is.EqualTo("wal"));
    }

    [Test]
    public async Task Should_create_the_schema_idempotently(CancellationToken cancellationToken)
    {
        await Service.ApplyAsync(Change(TestPhones.Us(30), OptState.OptedOut, Now.AddMinutes(-1), "inbound:30"), cancellationToken);

        await _store!.InitializeAsync(cancellationToken);

        Assert.That(await Store.FindAsync(Account, TestPhones.Us(30).E164, cancellationToken), Is.Not.Null);
    }

    [Test]
    public async Task Should_keep_everything_across_a_restart(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(31);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-2), "inbound:31"), cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedIn, Now.AddMinutes(-1), "request:31", OptOutSource.Manual), cancellationToken);

        using var restarted = new SqliteOptOutStore(DatabasePath);
        await restarted.InitializeAsync(cancellationToken);
        var record = await restarted.FindAsync(Account, phone.E164, cancellationToken);

        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:31", "request:31" }));
    }

    [Test]
    public async Task Should_stay_consistent_when_two_stores_write_one_file(CancellationToken cancellationToken)
    {
        // Two instances have separate in-process write queues, like two processes: only SQLite's own lock
        // (BEGIN IMMEDIATE, busy timeout) and the version check keep them consistent.
        using var second = new SqliteOptOutStore(DatabasePath);
        var services = new[] { Service, new OptOutService(second, new FakeTimeProvider(Now)) };
        var phone = TestPhones.Us(32);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddHours(-1), "seed"), cancellationToken);
        var changes = Enumerable.Range(0, 40)
            .Select(i => Change(phone, i % 2 == 0 ? OptState.OptedOut : OptState.OptedIn, Now.AddMinutes(-50 + i), $"racer-{i}"))
            .ToList();

        var decisions = await Task.WhenAll(changes.Select((c, i) =>
            Task.Run(() => services[i % 2].ApplyAsync(c, cancellationToken), cancellationToken)));

        var record = await second.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.StateAt, Is.EqualTo(changes[^1].At));
        Assert.That(record.History, Has.Count.EqualTo(1 + decisions.Count(d => d.Kind == ChangeKind.Changed)));
        Assert.That(record.History.Select(h => h.CausationId), Is.Unique);
    }

    [Test]
    public void Should_fail_the_ping_when_the_schema_is_missing()
    {
        var path = Path.Combine(_folder!, "never-initialized.db");
        using var store = new SqliteOptOutStore(path);

        Assert.ThrowsAsync<SqliteException>(() => store.PingAsync());
    }
}
