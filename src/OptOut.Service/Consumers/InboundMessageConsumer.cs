using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Keyword auto opt-out: every text a contact sends passes here (DESIGN.md §2).</summary>
public sealed class InboundMessageConsumer(KeywordOptOutHandler handler, EventPublisher publisher, OptOutTelemetry telemetry, TimeProvider clock)
    : IConsumer<InboundMessage>
{
    public async Task Consume(ConsumeContext<InboundMessage> context)
    {
        var message = context.Message;
        var outcome = await handler.HandleAsync(new InboundText
        {
            AccountId = message.AccountId,
            From = message.From,
            To = message.To,
            Body = message.Body,
            ReceivedAt = context.EventTime(message.ReceivedAt, clock),
            // The gateway's id makes a re-sent duplicate (new bus message id, same text) a no-op too.
            CausationId = "inbound:" + (string.IsNullOrWhiteSpace(message.ProviderMessageId) ? context.StableMessageId() : message.ProviderMessageId.Trim()),
            ConversationId = message.ConversationId,
            CampaignId = message.CampaignId,
        }, context.CancellationToken);

        if (outcome.Change is null || outcome.Decision is null)
            return;

        telemetry.KeywordHit(outcome.Keyword!);
        await publisher.PublishAsync(context, outcome.Change, outcome.Decision, new ConfirmationTarget(message.To, outcome.Settings.Settings.OptOutMessage));
    }
}
