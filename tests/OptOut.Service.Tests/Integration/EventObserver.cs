using System.Collections.Concurrent;
using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Hosting;
using OptOut.Service.Tests.BusApi;

namespace OptOut.Service.Tests.Integration;

/// <summary>An event as the campaign service would receive it: the message and its MassTransit message id.</summary>
public sealed record Observed<T>(Guid? MessageId, T Message);

/// <summary>
/// A second MassTransit bus on the same broker, standing in for the campaign service / admin panel: it subscribes to
/// the events the service publishes, on a queue of its own. Every event's body, as it came off the broker, is checked
/// against its schema in docs/asyncapi.json; <see cref="WaitForAsync{T}"/> fails on the first that doesn't match.
/// </summary>
public sealed class EventObserver : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<object> _received = new();
    private readonly ConcurrentQueue<string> _schemaViolations = new();

    private EventObserver(IBusControl bus, string queueName)
    {
        _bus = bus;
        QueueName = queueName;
    }

    /// <summary>The observer's queue; MassTransit also declares an exchange with this name, bound to the event exchanges.</summary>
    public string QueueName { get; }

    /// <param name="broker">The broker.</param>
    /// <param name="queueName">Unique per fixture.</param>
    /// <param name="survivesBrokerRestart">
    /// False: a temporary queue (auto-delete, not durable) that goes away with the observer. True: a durable queue, so
    /// events published while the broker restarts are not lost with it (a transient queue does not survive
    /// <c>stop_app</c>); it expires on its own after 10 idle minutes should teardown never run.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="configure">More bus configuration (message data, for specs that upload files).</param>
    public static async Task<EventObserver> StartAsync(BrokerEndpoint broker, string queueName, bool survivesBrokerRestart, CancellationToken cancellationToken,
        Action<IRabbitMqBusFactoryConfigurator>? configure = null)
    {
        EventObserver? observer = null;
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.Username);
                h.Password(broker.Password);
            });
            // The same wire format as the service (enums as strings).
            ServiceRegistration.ConfigureJson(cfg);
            configure?.Invoke(cfg);
            cfg.ReceiveEndpoint(queueName, e =>
            {
                e.Durable = survivesBrokerRestart;
                e.AutoDelete = !survivesBrokerRestart;
                if (survivesBrokerRestart)
                    e.SetQueueArgument("x-expires", (int)TimeSpan.FromMinutes(10).TotalMilliseconds);
                e.PrefetchCount = 256;
                e.Handler<ConversationOptStateChanged>(context => observer!.Record(context));
                e.Handler<ConfirmationMessageRequested>(context => observer!.Record(context));
                e.Handler<OptOutRequestCompleted>(context => observer!.Record(context));
                e.Handler<BulkUploadProgressed>(context => observer!.Record(context));
                e.Handler<BulkUploadCompleted>(context => observer!.Record(context));
                e.Handler<BulkUploadFailed>(context => observer!.Record(context));
                e.Handler<OptOutSettingsChanged>(context => observer!.Record(context));
                e.Handler<OptOutSettingsRejected>(context => observer!.Record(context));
                e.Handler<OptOutReviewRequested>(context => observer!.Record(context));
                e.Handler<BulkUploadUndone>(context => observer!.Record(context));
            });
        });
        observer = new EventObserver(bus, queueName);

        await bus.StartAsync(cancellationToken);
        var status = await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        if (status != BusHealthStatus.Healthy)
        {
            await observer.DisposeAsync();
            Assert.Fail($"the observer bus on {broker} did not become healthy within 30 s");
        }

        return observer;
    }

    /// <summary>Every <typeparamref name="T"/> received so far that matches <paramref name="filter"/>, in arrival order.</summary>
    public IReadOnlyList<Observed<T>> Received<T>(Func<T, bool>? filter = null)
        where T : class =>
        [.. _received.OfType<Observed<T>>().Where(o => filter?.Invoke(o.Message) ?? true)];

    /// <summary>Waits until at least <paramref name="count"/> matching events arrived; fails the test at the deadline.</summary>
    public async Task<IReadOnlyList<Observed<T>>> WaitForAsync<T>(Func<T, bool> filter, TimeSpan timeout, int count = 1)
        where T : class
    {
        await Poll.UntilAsync(() => Received(filter).Count >= count, timeout,
            () => $"{Received(filter).Count} of {count} expected {typeof(T).Name} arrived");
        Assert.That(SchemaViolations, Is.Empty, "events that don't match their schema in docs/asyncapi.json");
        return Received(filter);
    }

    /// <summary>Why events received so far don't match their schema in docs/asyncapi.json (empty when every one does).</summary>
    public IReadOnlyList<string> SchemaViolations => [.. _schemaViolations];

    /// <summary>How many events of any type arrived (to wait for quiet before asserting that something did not happen).</summary>
    public int Count => _received.Count;

    /// <summary>The observer's bus, for specs that publish or send requests as a .NET producer would.</summary>
    public IBus Bus => _bus;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus.StopAsync(timeout.Token);
    }

    private Task Record<T>(ConsumeContext<T> context)
        where T : class
    {
        foreach (var violation in BusApiSchemas.Shared.EnvelopeViolations(System.Text.Encoding.UTF8.GetString(context.ReceiveContext.Body.GetBytes())))
            _schemaViolations.Enqueue($"{typeof(T).Name} {context.MessageId}: {violation}");
        _received.Enqueue(new Observed<T>(context.MessageId, context.Message));
        return Task.CompletedTask;
    }
}
