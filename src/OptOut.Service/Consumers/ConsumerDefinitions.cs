using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>
/// Endpoint policy shared by the opt-out consumers. Retry: a failed attempt (a database hiccup beyond the store's own
/// retries, a publish the broker refused) is tried again in-process with backoff, and one stuck past
/// <see cref="ConsumeAttemptPolicy.Deadline"/> is abandoned and tried again (<see cref="ConsumeAttemptsFilter{TConsumer}"/>);
/// the message is not acknowledged until its change is stored and its events published. Bad input is never retried
/// and goes to the error queue at once with the reason.
/// <para>No MassTransit in-memory outbox: consumers store first and publish last, a transition's events are kept
/// with it in the store until the broker confirms them (docs/architecture.md, "Each event on the bus once"), and a
/// retry of the same delivery holds their claim, so it publishes them again only if they were never confirmed, with
/// the same message ids. MassTransit's outbox would add ~35 µs per inbound text, 90% of which publish nothing
/// (inbound benchmark), and can't see a copy of the message delivered apart.</para>
/// </summary>
public abstract class OptOutConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public static readonly ConsumeAttemptPolicy Attempts = new();

    /// <summary>The message type <typeparamref name="TConsumer"/> consumes (each of these consumers has one).</summary>
    private static readonly Type MessageType = typeof(TConsumer).GetInterfaces()
        .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)).GetGenericArguments()[0];

    protected OptOutConsumerDefinition(int concurrentMessageLimit) => ConcurrentMessageLimit = concurrentMessageLimit;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var logger = context.GetService<ILoggerFactory>()?.CreateLogger(typeof(TConsumer));
        var telemetry = context.GetService<OptOutTelemetry>();
        consumerConfigurator.UseFilter(new ConsumeAttemptsFilter<TConsumer>(Attempts, logger, telemetry));
        // Before the endpoint reads the typed message (a filter added with UseFilter runs after it, per message type), so a
        // message that fails to deserialize is answered and faulted with its reason too.
        endpointConfigurator.AddPrePipeSpecification(new FilterPipeSpecification<ConsumeContext>(new BadInputFilter(MessageType, logger, telemetry)));
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

/// <summary>
/// Bulk uploads run on their own endpoint, a few at a time, so a million-row upload never delays keyword opt-outs.
/// No in-memory outbox: an upload publishes hundreds of thousands of events, which must go out as it goes (the
/// upload's checkpoints, not the outbox, make them at-least-once). One message fetched ahead per slot: the rest
/// stay in the queue for other instances.
/// </summary>
public sealed class BulkUploadSubmittedConsumerDefinition : ConsumerDefinition<BulkUploadSubmittedConsumer>
{
    public const int Concurrency = 2;

    public BulkUploadSubmittedConsumerDefinition() => ConcurrentMessageLimit = Concurrency;

    /// <summary>
    /// The policy of both bulk endpoints: one message fetched ahead per slot, and MassTransit's retry with backoff
    /// (8 retries, 0.2 s to 30 s) for what the store's own retries didn't ride out. The upload resumes from its last
    /// checkpoint on each attempt rather than from the first row. Bad input is never retried.
    /// </summary>
    internal static void UseBulkEndpointPolicy(IReceiveEndpointConfigurator endpointConfigurator)
    {
        endpointConfigurator.PrefetchCount = Concurrency;
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
            r.Ignore<InvalidMessageException>();
        });
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<BulkUploadSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        UseBulkEndpointPolicy(endpointConfigurator);
    }
}

public sealed class BulkUploadUndoRequestedConsumerDefinition : ConsumerDefinition<BulkUploadUndoRequestedConsumer>
{
    public BulkUploadUndoRequestedConsumerDefinition() => ConcurrentMessageLimit = BulkUploadSubmittedConsumerDefinition.Concurrency;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<BulkUploadUndoRequestedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        BulkUploadSubmittedConsumerDefinition.UseBulkEndpointPolicy(endpointConfigurator);
    }
}
