using MassTransit;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>
/// Endpoint policy shared by the opt-out consumers. Retry: a database hiccup is retried in-process with backoff
/// (the message is not acknowledged until its change is stored); bad input is never retried and goes to the
/// error queue at once with the reason. The in-memory outbox holds publishes until the consumer succeeds, so a
/// retried attempt doesn't publish twice. An attempt stuck past <see cref="ConsumeDeadline"/> is abandoned and retried
/// (see <see cref="ConsumeDeadlineFilter{T}"/>).
/// </summary>
public abstract class OptOutConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    /// <summary>
    /// Far beyond a healthy attempt (milliseconds) and beyond the store's own retries riding out a database failover,
    /// so only a hung attempt reaches it.
    /// </summary>
    public static readonly TimeSpan ConsumeDeadline = TimeSpan.FromSeconds(30);

    protected OptOutConsumerDefinition(int concurrentMessageLimit) => ConcurrentMessageLimit = concurrentMessageLimit;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(250));
            r.Ignore<InvalidMessageException>();
        });
        // Inside the retry (so an abandoned attempt is retried) and around the outbox (so it covers the publishes).
        endpointConfigurator.UseConsumeDeadline(ConsumeDeadline);
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}

/// <summary>The hot path: every inbound text. Mostly cached settings and a string match, so many run at once.</summary>
public sealed class InboundMessageConsumerDefinition : OptOutConsumerDefinition<InboundMessageConsumer>
{
    public InboundMessageConsumerDefinition()
        : base(64)
    {
    }
}

public sealed class OptOutRequestedConsumerDefinition : OptOutConsumerDefinition<OptOutRequestedConsumer>
{
    public OptOutRequestedConsumerDefinition()
        : base(16)
    {
    }
}

public sealed class OptInRequestedConsumerDefinition : OptOutConsumerDefinition<OptInRequestedConsumer>
{
    public OptInRequestedConsumerDefinition()
        : base(16)
    {
    }
}

/// <summary>Settings changes are rare; one at a time keeps the last writer deterministic per instance.</summary>
public sealed class UpdateOptOutSettingsConsumerDefinition : OptOutConsumerDefinition<UpdateOptOutSettingsConsumer>
{
    public UpdateOptOutSettingsConsumerDefinition()
        : base(1)
    {
    }
}
