namespace OptOut.Service.Tests.Integration;

/// <summary>
/// One real service per fixture (built by <c>OptOutApp.Create</c>, on the real broker, SQLite in a temp file), an
/// observer bus subscribed to its events on a queue unique to the fixture, and a plain RabbitMQ.Client connection
/// for raw publishes and queue inspection. Tests use their own account ids, so leftovers of earlier runs on the
/// shared queues can't match what a test waits for.
/// </summary>
public abstract class RabbitMqServiceFixture
{
    /// <summary>How long a test waits for one event over the real broker.</summary>
    protected static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    public const string InboundExchange = "OptOut.Contracts:InboundMessage";
    public const string OptOutRequestedExchange = "OptOut.Contracts:OptOutRequested";
    public const string OptInRequestedExchange = "OptOut.Contracts:OptInRequested";
    public const string UpdateOptOutSettingsExchange = "OptOut.Contracts:UpdateOptOutSettings";

    protected BrokerEndpoint Broker { get; private set; } = null!;

    protected RunningService Service { get; private set; } = null!;

    protected EventObserver Events { get; private set; } = null!;

    protected RawRabbit Rabbit { get; private set; } = null!;

    /// <summary>Whether the observer's queue must survive a broker restart (durable, expiring) instead of being temporary.</summary>
    protected virtual bool ObserverSurvivesBrokerRestart => false;

    /// <summary>Skips the fixture, or fails it under TEST_SETUP=required (<see cref="TestSetup.Missing"/>), when the broker can't do what it needs.</summary>
    protected virtual void RequireCapabilities(BrokerEndpoint broker)
    {
    }

    [OneTimeSetUp]
    public async Task StartServiceAndObserver()
    {
        Broker = await BrokerDiscovery.RequireAsync();
        RequireCapabilities(Broker);
        TestContext.Progress.WriteLine($"{GetType().Name}: RabbitMQ at {Broker}");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            Rabbit = await RawRabbit.ConnectAsync(Broker, timeout.Token);
            Service = await RunningService.StartAsync(Broker, timeout.Token);
            var queue = $"optout-specs-{GetType().Name.Replace('_', '-').ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";
            Events = await EventObserver.StartAsync(Broker, queue, ObserverSurvivesBrokerRestart, timeout.Token);
        }
        catch
        {
            await StopServiceAndObserver();
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopServiceAndObserver()
    {
        // Each step on its own, so one failing doesn't leave the others running.
        var failures = new List<Exception>();
        async Task Step(Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        if (Events is not null)
        {
            await Step(() => Events.DisposeAsync().AsTask());
            if (Rabbit is not null)
                await Step(() => Rabbit.DeleteQueueAndExchangeAsync(Events.QueueName));
        }

        if (Service is not null)
            await Step(() => Service.DisposeAsync().AsTask());
        if (Rabbit is not null)
        {
            await Step(CleanUpAsync);
            await Step(() => Rabbit.DisposeAsync().AsTask());
        }

        if (failures.Count > 0)
            throw new AggregateException("integration fixture teardown failed", failures);
    }

    /// <summary>Removes what the fixture left on the broker besides the observer (which the base class deletes).</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    /// <summary>Waits until no event has arrived for a moment: before asserting that something was NOT published.</summary>
    protected Task SettleAsync() => Poll.QuietAsync(() => Events.Count, TimeSpan.FromSeconds(1), EventTimeout);
}
