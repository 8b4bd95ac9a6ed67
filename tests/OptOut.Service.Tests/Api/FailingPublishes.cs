using MassTransit;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// Makes a host's bus refuse the next publish of a message that matches, once, the way a publish the broker doesn't
/// confirm fails: what a write must survive between storing its change and announcing it. Connect it inside a test
/// (an async method): connecting sets MassTransit's ambient log context, which a synchronous set-up would leak into
/// the fixtures after it.
/// </summary>
public sealed class FailingPublishes : IPublishObserver, IDisposable
{
    private readonly object _gate = new();
    private Func<object, bool>? _next;
    private ConnectHandle? _handle;

    public static FailingPublishes ConnectTo(IServiceProvider services)
    {
        var failing = new FailingPublishes();
        failing._handle = services.GetRequiredService<IBus>().ConnectPublishObserver(failing);
        return failing;
    }

    public void Dispose() => _handle?.Disconnect();

    /// <summary>The next publish of a <typeparamref name="T"/> matching <paramref name="match"/> fails.</summary>
    public void FailNext<T>(Func<T, bool> match)
        where T : class
    {
        lock (_gate)
            _next = m => m is T message && match(message);
    }

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        lock (_gate)
        {
            if (_next is null || !_next(context.Message))
                return Task.CompletedTask;
            _next = null;
        }

        throw new InvalidOperationException($"the broker refused the publish of {typeof(T).Name} (spec)");
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
