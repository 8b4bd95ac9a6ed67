using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOut.Contracts;
using OptOut.Service.Consumers;
using OptOut.Service.Hosting;

namespace OptOut.Benchmarks.Inbound;

/// <summary>What consumes the published texts in a phase: the real service, or a bare consumer.</summary>
internal interface IConsumingTarget
{
    string Name { get; }

    /// <summary>Whether the target publishes the opt-out events (the service) or only consumes (the baseline).</summary>
    bool PublishesEvents { get; }

    /// <summary>Starts consuming; returns once its queue is bound, so nothing published afterwards is lost.</summary>
    Task StartAsync(BatchRouter router, BrokerDisruptionMonitor monitor, CancellationToken cancellationToken);

    /// <summary>
    /// Throws when anything else consumes from its queue: a service or test run on the same vhost would take part
    /// of the messages, and the counts (and the comparison) would mean nothing. Also throws when what it observed
    /// could not be read.
    /// </summary>
    Task CheckSoleConsumerAsync(CancellationToken cancellationToken);

    /// <summary>Stops, and removes its queue so the next phase's messages are not routed to it.</summary>
    Task StopAndCleanUpAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Endpoint settings both phases share, taken from the service: <c>Bus:PrefetchCount</c> and
/// <see cref="InboundMessageConsumerDefinition"/>'s concurrent message limit.
/// </summary>
internal sealed record EndpointSettings(ushort BusPrefetchCount, int ConcurrentMessageLimit)
{
    /// <summary>
    /// The prefetch the endpoint really gets. MassTransit 8 applies a consumer definition's limit with a prefetch of
    /// 1.2 x the limit when the definition sets no prefetch of its own (ours doesn't), and that replaces the
    /// bus-wide <c>Bus:PrefetchCount</c>; <c>rabbitmqctl list_consumers queue_name prefetch_count</c> shows it.
    /// </summary>
    public int EffectivePrefetchCount => ConcurrentMessageLimit * 12 / 10;

    public static EndpointSettings FromService()
    {
        var limit = new InboundMessageConsumerDefinition().ConcurrentMessageLimit
                    ?? throw new InvalidOperationException("InboundMessageConsumerDefinition sets no ConcurrentMessageLimit.");
        return new EndpointSettings((ushort)64, limit);
    }
}

/// <summary>
/// The real service (<see cref="OptOutApp"/>) in-process on a fresh SQLite file, plus an <see cref="EventListener"/>
/// on a temporary queue that sees the events the campaign service would.
/// </summary>
internal sealed class ServiceTarget(BrokerSettings broker) : IConsumingTarget
{
    private static readonly string InboundQueue = KebabCaseEndpointNameFormatter.Instance.Consumer<InboundMessageConsumer>();

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "optout-bench-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private EventListener? _listener;
    private ConnectHandle? _observerHandle;

    public string Name => "service";

    public bool PublishesEvents => true;

    public async Task StartAsync(BatchRouter router, BrokerDisruptionMonitor monitor, CancellationToken cancellationToken)
    {
        // A queue left by an earlier, interrupted run would be drained into this measurement.
        var leftover = await broker.PurgeAndDeleteQueueAsync(InboundQueue, cancellationToken);
        if (leftover > 0)
            Console.Error.WriteLine($"note: removed {leftover:N0} messages left in '{InboundQueue}' by an earlier run");

        Directory.CreateDirectory(_directory);
        _app = InProcessService.Create(broker, _directory, []);
        await _app.StartAsync(cancellationToken);

        var bus = _app.Services.GetRequiredService<IBusControl>();
        await WaitHealthyAsync(bus, "the service's bus");
        _observerHandle = bus.ConnectConsumeMessageObserver(router);
        monitor.Watch(bus);

        _listener = new EventListener(broker, router.OnStateChanged, router.OnConfirmation, monitor.Report);
        await _listener.StartAsync("optout-bench-events", cancellationToken);
    }

    public Task CheckSoleConsumerAsync(CancellationToken cancellationToken)
    {
        // An event the listener could not read would go missing from the counts, or hide a wrong one.
        if (_listener?.Malformed is > 0 and var malformed)
            throw new BenchmarkFailedException($"the event listener could not read {malformed:N0} events (not a MassTransit JSON envelope of the expected type)");
        return broker.CheckSoleConsumerAsync(InboundQueue, cancellationToken);
    }

    public async Task StopAndCleanUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            _observerHandle?.Disconnect();
            if (_listener is not null)
                await _listener.DisposeAsync();
            if (_app is not null)
            {
                await _app.StopAsync(cancellationToken);
                await _app.DisposeAsync();
            }

            // The service's queue is durable and bound to the InboundMessage exchange: left in place, it would receive
            // (and hold) a copy of every baseline message. The service declares it again when it next starts.
            var left = await broker.PurgeAndDeleteQueueAsync(InboundQueue, cancellationToken);
            if (left > 0)
                Console.Error.WriteLine($"note: purged {left:N0} messages left in '{InboundQueue}'");
        }
        finally
        {
            // Even when the broker is gone: the temp database must not pile up run after run.
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"note: could not delete {_directory}: {ex.Message}");
            }
        }
    }

    internal static async Task WaitHealthyAsync(IBusControl bus, string what)
    {
        var status = await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        if (status != BusHealthStatus.Healthy)
            throw new BenchmarkFailedException($"{what} did not become healthy within 60 s (status {status}): {bus.CheckHealth().Description}");
    }
}

/// <summary>
/// The transport's own cost: a no-op consumer of <see cref="InboundMessage"/> on an endpoint of its own, with the
/// service's prefetch and concurrency limit.
/// </summary>
internal sealed class BaselineTarget(BrokerSettings broker, EndpointSettings endpoint) : IConsumingTarget
{
    public const string Queue = "optout-bench-inbound-baseline";

    private IBusControl? _bus;
    private ConnectHandle? _observerHandle;

    public string Name => "baseline";

    public bool PublishesEvents => false;

    public async Task StartAsync(BatchRouter router, BrokerDisruptionMonitor monitor, CancellationToken cancellationToken)
    {
        await broker.PurgeAndDeleteQueueAsync(Queue, cancellationToken);
        // Configured the way the service configures its own: the bus-wide prefetch, then an endpoint definition with
        // the consumer definition's limit, so MassTransit derives the endpoint's prefetch by the same rule.
        _bus = broker.CreateBus(cfg =>
        {
            cfg.PrefetchCount = endpoint.BusPrefetchCount;
            cfg.ReceiveEndpoint(new BaselineEndpointDefinition(endpoint), KebabCaseEndpointNameFormatter.Instance, e => e.Consumer<NoOpInboundConsumer>());
        });
        await _bus.StartAsync(cancellationToken);
        await ServiceTarget.WaitHealthyAsync(_bus, "the baseline bus");
        _observerHandle = _bus.ConnectConsumeMessageObserver(router);
        monitor.Watch(_bus);
    }

    public Task CheckSoleConsumerAsync(CancellationToken cancellationToken) => broker.CheckSoleConsumerAsync(Queue, cancellationToken);

    public async Task StopAndCleanUpAsync(CancellationToken cancellationToken)
    {
        _observerHandle?.Disconnect();
        if (_bus is not null)
            await _bus.StopAsync(cancellationToken);
        await broker.PurgeAndDeleteQueueAsync(Queue, cancellationToken);
        await broker.DeleteExchangeAsync(Queue, cancellationToken);
    }

    private sealed class BaselineEndpointDefinition(EndpointSettings endpoint) : IEndpointDefinition
    {
        public bool IsTemporary => false;

        // Like InboundMessageConsumerDefinition: a limit, no prefetch of its own.
        public int? PrefetchCount => null;

        public int? ConcurrentMessageLimit => endpoint.ConcurrentMessageLimit;

        public bool ConfigureConsumeTopology => true;

        public string GetEndpointName(IEndpointNameFormatter formatter) => Queue;

        public void Configure<T>(T configurator, IRegistrationContext? context)
            where T : IReceiveEndpointConfigurator
        {
        }
    }

    private sealed class NoOpInboundConsumer : IConsumer<InboundMessage>
    {
        public Task Consume(ConsumeContext<InboundMessage> context) => Task.CompletedTask;
    }
}

internal static class BrokerChecks
{
    public static async Task CheckSoleConsumerAsync(this BrokerSettings broker, string queue, CancellationToken cancellationToken)
    {
        var consumers = await broker.ConsumerCountAsync(queue, cancellationToken);
        if (consumers > 1)
        {
            throw new BenchmarkFailedException(
                $"'{queue}' on {broker} has {consumers} consumers: something else (another service or test run) consumes from it. "
                + "Run the benchmark in a vhost of its own (RABBITMQ_VHOST; see README 'Benchmarks').");
        }
    }
}

/// <summary>The run could not be measured (timeout, missing events, unhealthy bus): exit non-zero.</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
