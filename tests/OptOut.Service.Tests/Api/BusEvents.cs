using System.Collections.Concurrent;
using MassTransit;
using OptOut.Contracts;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The events a service host publishes, read off the broker as a subscriber gets them (a temporary queue of the host's
/// bus bound to the event exchanges), each with its message id.
/// </summary>
public sealed class BusEvents : IAsyncDisposable
{
    private readonly ConcurrentQueue<(Guid? MessageId, object Message)> _received = new();
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
        _received.Enqueue((context.MessageId, context.Message));
        return Task.CompletedTask;
    }
}
