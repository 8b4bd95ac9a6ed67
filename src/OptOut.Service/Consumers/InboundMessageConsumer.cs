using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Intent;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Every text a contact sends passes here: keywords, detected revocations, START and HELP.</summary>
public sealed class InboundMessageConsumer(InboundTextHandler handler, EventPublisher publisher, PublishClaims claims, OptOutTelemetry telemetry,
    TimeProvider clock)
    : IConsumer<InboundMessage>
{
    public async Task Consume(ConsumeContext<InboundMessage> context)
    {
        var message = context.Message;
        var text = new InboundText
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
            Claim = () => claims.For(context),
        };
        var outcome = await handler.HandleAsync(text, context.CancellationToken);
        telemetry.Read(outcome.Intent);

        // A change's confirmation travels with the change (kept with its pending events); only help is sent here.
        if (outcome is { Change: { } change, Decision: { } decision })
            await publisher.PublishAsync(context, change, decision);
        else if (outcome.RepliesNow)
            await publisher.PublishReplyAsync(context, text.AccountId, outcome.Contact!, text.CausationId, text.ReceivedAt, text.ConversationId, text.CampaignId,
                new ConfirmationTarget(message.To, outcome.Reply!.Body, outcome.Reply.Kind, outcome.Reply.Language));
        else if (outcome.Intent.Kind == TextIntentKind.PossibleOptOut)
            await publisher.PublishReviewAsync(context, text, message.ProviderMessageId, outcome.Contact!, outcome.Intent.Detection!);
    }
}
