using System.Collections.Concurrent;
using MassTransit;

namespace OptOut.Service.Tests.Harness;

/// <summary>
/// Every publish, in order, duplicates included. MassTransit's harness lists a message id once (a re-publish with the
/// same id, which is what a redelivery must cause, doesn't show in <see cref="ServiceHarness.Published{T}"/>), so a spec
/// about "published again with the same id" counts here.
/// </summary>
public sealed class PublishLog : IPublishObserver
{
    private readonly ConcurrentQueue<(object Message, Guid? MessageId)> _published = new();

    /// <summary>The message ids of every publish of <typeparamref name="T"/> that matches, in order.</summary>
    public IReadOnlyList<Guid?> MessageIdsOf<T>(Func<T, bool>? filter = null)
        where T : class =>
        [.. _published.Where(p => p.Message is T m && (filter?.Invoke(m) ?? true)).Select(p => p.MessageId)];

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        _published.Enqueue((context.Message, context.MessageId));
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
