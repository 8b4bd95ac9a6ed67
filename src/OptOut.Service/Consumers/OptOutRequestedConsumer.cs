using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Manual, Messenger and API opt-outs; answers request clients too.</summary>
public sealed class OptOutRequestedConsumer(OptOutRequestHandler handler, SettingsCache settings, EventPublisher publisher, OptOutTelemetry telemetry,
    TimeProvider clock)
    : IConsumer<OptOutRequested>
{
    public async Task Consume(ConsumeContext<OptOutRequested> context)
    {
        var message = context.Message;
        var outcomes = await handler.HandleAsync(OptRequests.From(message, context.EventTime(message.RequestedAt, clock)), context.CancellationToken);

        // Only a conversation opt-out (Messenger) gets the confirmation text; manual and API ones have no conversation.
        ConfirmationTarget? confirmation = null;
        if (message.Source == OptOutRequestSource.Messenger)
            confirmation = new(message.ReplyFrom, (await settings.GetAsync(message.AccountId, context.CancellationToken)).Settings.OptOutMessage);

        await RequestReplies.PublishAsync(context, publisher, telemetry, message.RequestId, message.AccountId, outcomes, confirmation);
    }
}
