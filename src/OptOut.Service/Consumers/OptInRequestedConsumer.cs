using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>"Delete Opt Out": opt a number back in everywhere in the account.</summary>
public sealed class OptInRequestedConsumer(OptOutRequestHandler handler, EventPublisher publisher, PublishClaims claims, OptOutTelemetry telemetry,
    TimeProvider clock)
    : IConsumer<OptInRequested>
{
    public async Task Consume(ConsumeContext<OptInRequested> context)
    {
        var message = context.Message;
        var request = OptRequests.From(message, context.EventTime(message.RequestedAt, clock)) with { Claim = claims.For(context) };
        var outcomes = await handler.HandleAsync(request, context.CancellationToken);

        await RequestReplies.PublishAsync(context, publisher, telemetry, message.RequestId, message.AccountId, outcomes);
    }
}
