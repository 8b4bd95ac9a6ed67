using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Manual, Messenger and API opt-outs; answers request clients too.</summary>
public sealed class OptOutRequestedConsumer(OptOutRequestHandler handler, EventPublisher publisher, PublishClaims claims, OptOutTelemetry telemetry,
    TimeProvider clock)
    : IConsumer<OptOutRequested>
{
    public async Task Consume(ConsumeContext<OptOutRequested> context)
    {
        var message = context.Message;
        var request = OptRequests.From(message, context.EventTime(message.RequestedAt, clock)) with { Claim = claims.For(context) };
        var outcomes = await handler.HandleAsync(request, context.CancellationToken);

        await RequestReplies.PublishAsync(context, publisher, telemetry, message.RequestId, message.AccountId, outcomes);
    }
}
