using System.Collections.Concurrent;
using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Tests.BusApi;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The events a service host publishes, read off the broker as a subscriber gets them (a temporary queue of the host's
/// bus bound to the event exchanges), each with its message id. Each body, as it came off the broker, is checked against
/// its schema in docs/asyncapi.json: <see cref="WaitFor{T}"/> fails on one that doesn't match.
/// </summary>
public sealed class BusEvents : IAsyncDisposable
{
    private readonly ConcurrentQueue<(Guid? MessageId, object Message)> _received = new();
    private readonly ConcurrentQueue<string> _schemaViolations = new();
    private HostReceiveEndpointHandle? _endpoint;

    public static async Task<BusEvents> SubscribeAsync(IServiceProvider services)
    {
        var events = new BusEvents();
        events._endpoint = services.GetRequiredService<IBus>().ConnectReceiveEndpoint(new TemporaryEndpointDefinition("api-spec-events"), null, e =>
        {
            e.Handler<ConversationOptStateChanged>(context => events.Record(context));
            e.Handler<OptOutRequestCompleted>(context => events.Record(context));
        });
        await events._endpoint.Ready;
        return events;
    }

    /// <summary>Waits until an event of <typeparamref name="T"/> matches, and returns every match so far with its message id.</summary>
    public async Task<IReadOnlyList<(Guid? MessageId, T Message)>> WaitFor<T>(Func<T, bool> match, TimeSpan patience)
        where T : class
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var found = _received.Where(r => r.Message is T m && match(m)).Select(r => (r.MessageId, (T)r.Message)).ToList();
            Assert.That(_schemaViolations, Is.Empty, "events that don't match their schema in docs/asyncapi.json");
            if (found.Count > 0)
                return found;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"no {typeof(T).Name} matched within {patience}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
            await _endpoint.StopAsync();
    }

    private Task Record<T>(ConsumeContext<T> context)
        where T : class
    {
        foreach (var violation in BusApiSchemas.Shared.EnvelopeViolations(System.Text.Encoding.UTF8.GetString(context.ReceiveContext.Body.GetBytes())))
            _schemaViolations.Enqueue($"{typeof(T).Name} {context.MessageId}: {violation}");
        _received.Enqueue((context.MessageId, context.Message));
        return Task.CompletedTask;
    }
}
