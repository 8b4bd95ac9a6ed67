using MassTransit;
using MassTransit.Configuration;

namespace OptOut.Service.Messaging;

/// <summary>
/// Gives up on a consume attempt (the consumer plus the publishes its outbox releases) as soon as the consume is
/// cancelled (MassTransit cancels in-flight consumes when their channel dies) or when it has not finished within the
/// deadline, in which case the retry policy tries again.
/// <para>Why: with RabbitMQ.Client 7.2.x a publish awaiting its broker confirm on a channel that died in a broker
/// restart can wait for ever (rabbitmq-dotnet-client#1930), and MassTransit hands it the channel's token, not the
/// consume's. One such publish pins its delivery, so the endpoint can't reconnect: the service stops consuming for
/// good while its bus still reports ready. The abandoned attempt is left to end on its own; the message is retried or
/// redelivered, which the state machine recognises (a replay) and re-publishes with the same message ids.</para>
/// </summary>
public sealed class ConsumeDeadlineFilter<T>(TimeSpan deadline) : IFilter<ConsumeContext<T>>
    where T : class
{
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        Task attempt;
        try
        {
            attempt = next.Send(context);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }

        // Most inbound texts (cached settings, not a keyword) finish without ever yielding: nothing can hang, so no
        // timer and no extra state machine for them. Only an attempt still running gets the deadline.
        return attempt.IsCompleted ? attempt : WithDeadlineAsync(attempt, context.MessageId, context.CancellationToken);
    }

    private async Task WithDeadlineAsync(Task attempt, Guid? messageId, CancellationToken cancellationToken)
    {
        try
        {
            await attempt.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Consuming message {messageId} took longer than {deadline}; abandoned so it can be retried", ex);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("consumeDeadline").Add("deadline", deadline);
}

public static class ConsumeDeadlineExtensions
{
    /// <summary>Abandons (for the retry policy to try again) a consume attempt still running after <paramref name="deadline"/>.</summary>
    public static void UseConsumeDeadline(this IConsumePipeConfigurator configurator, TimeSpan deadline) =>
        _ = new ConsumeDeadlineConfigurationObserver(configurator, deadline);
}

/// <summary>
/// Adds a <see cref="ConsumeDeadlineFilter{T}"/> to every message type an endpoint consumes, in configuration order
/// like <c>UseMessageRetry</c> and <c>UseInMemoryOutbox</c> (a plain <c>UseFilter</c> would land inside the outbox).
/// </summary>
public sealed class ConsumeDeadlineConfigurationObserver : ConfigurationObserver, IMessageConfigurationObserver
{
    private readonly TimeSpan _deadline;

    public ConsumeDeadlineConfigurationObserver(IConsumePipeConfigurator configurator, TimeSpan deadline)
        : base(configurator)
    {
        _deadline = deadline;
        Connect(this);
    }

    public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator)
        where TMessage : class =>
        configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(new ConsumeDeadlineFilter<TMessage>(_deadline)));
}
