using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Core;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests.Harness;

/// <summary>
/// The service's real consumers, definitions and Core, on MassTransit's in-memory test harness, with a real
/// SQLite store in a temp file. One per test (CONVENTIONS: one harness per test).
/// </summary>
public sealed class ServiceHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string _directory;

    private ServiceHarness(ServiceProvider provider, string directory)
    {
        _provider = provider;
        _directory = directory;
        Harness = provider.GetRequiredService<ITestHarness>();
        Harness.TestTimeout = TimeSpan.FromSeconds(20);
        Harness.TestInactivityTimeout = TimeSpan.FromMilliseconds(500);
        Harness.Bus.ConnectPublishObserver(PublishLog);
    }

    /// <summary>Every publish, duplicates included (the harness's own lists show a message id once).</summary>
    public PublishLog PublishLog { get; } = new();

    public ITestHarness Harness { get; }

    public IServiceProvider Services => _provider;

    public IBus Bus => Harness.Bus;

    /// <param name="clock">
    /// The service's clock (a <c>FakeTimeProvider</c> for specs about time windows such as the help reply's); the
    /// system clock when null. It is the clock of Core (limits, caches, "now" of a change), not MassTransit's.
    /// </param>
    public static async Task<ServiceHarness> StartAsync(TimeProvider? clock = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "optout-harness-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Sqlite",
                ["Storage:SqlitePath"] = Path.Combine(directory, "optout.db"),
            })
            .Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        if (clock is not null)
            services.AddSingleton(clock);
        services.AddOptOutCore(configuration);
        services.AddMetrics();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddOptOutConsumers();
            x.UsingInMemory((context, cfg) => cfg.ConfigureOptOutEndpoints(context));
        });

        var provider = services.BuildServiceProvider(true);
        // Idempotent; done here too so the schema exists whatever order the harness starts hosted services in.
        await provider.GetRequiredService<IStoreInitializer>().InitializeAsync(CancellationToken.None);
        var harness = new ServiceHarness(provider, directory);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>
    /// Publishes and waits until the message was consumed (or faulted) and the bus has gone quiet, so every event
    /// it caused is in <see cref="ITestHarness.Published"/>. (The harness's InactivityTask completes only once per
    /// harness, so it can't separate the steps of a multi-step spec.)
    /// </summary>
    public async Task PublishAndWait<T>(T message, Action<PublishContext<T>>? configure = null)
        where T : class
    {
        var id = NewId.NextGuid();
        await Bus.Publish(message, ctx =>
        {
            ctx.MessageId = id;
            configure?.Invoke(ctx);
        });
        await WaitForConsumed(id);
    }

    /// <summary>Waits until the message with this id was consumed (or faulted), then until no more events appear.</summary>
    public async Task WaitForConsumed(Guid messageId)
    {
        var deadline = DateTime.UtcNow + Harness.TestTimeout;
        while (!Harness.Consumed.SeenNow(m => m.Context.MessageId == messageId).Any()
               && !Harness.Published.SeenNow<Fault>(f => f.Context.Message.FaultedMessageId == messageId).Any())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"message {messageId} was neither consumed nor faulted within {Harness.TestTimeout}");
            await Task.Delay(20);
        }

        await Quiet();
    }

    /// <summary>Waits until nothing new has been published for a moment.</summary>
    public async Task Quiet()
    {
        var last = -1;
        var stableSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow + Harness.TestTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var count = Harness.Published.SeenNow<object>().Count();
            if (count != last)
            {
                last = count;
                stableSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - stableSince > TimeSpan.FromMilliseconds(300))
            {
                return;
            }

            await Task.Delay(25);
        }
    }

    public IReadOnlyList<T> Published<T>(Func<T, bool>? filter = null)
        where T : class =>
        [.. Harness.Published.SeenNow<T>().Select(m => m.Context.Message).Where(m => filter?.Invoke(m) ?? true)];

    public IReadOnlyList<IPublishedMessage<T>> PublishedContexts<T>()
        where T : class =>
        [.. Harness.Published.SeenNow<T>()];

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test over it would not be.
        }
    }
}
