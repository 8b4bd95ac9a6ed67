using MassTransit;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// Publishes what a decision means for the rest of the platform, with message ids derived from the causing
/// message. Shared by every consumer so all of them keep "one event per transition" the same way.
/// </summary>
public sealed class EventPublisher(OptOutTelemetry telemetry, ILogger<EventPublisher> logger)
{
    public async Task PublishAsync(ConsumeContext context, OptChange change, OptDecision decision, ConfirmationTarget? confirmation)
    {
        if (!decision.Publishes)
            return;

        if (decision.Kind == ChangeKind.Changed)
            telemetry.Transition(change.Source, change.State);

        var phone = change.Phone.E164;
        await context.Publish(new ConversationOptStateChanged
        {
            AccountId = change.AccountId,
            PhoneNumber = phone,
            State = change.State,
            Source = change.Source,
            ConversationId = change.ConversationId,
            CampaignId = change.CampaignId,
            Note = change.Note,
            ChangedAt = change.At,
        }, p => p.MessageId = MessageIds.Derive(change.CausationId, phone, "state")).ConfigureAwait(false);

        if (change.State != OptState.OptedOut || confirmation is null)
            return;

        if (string.IsNullOrWhiteSpace(confirmation.From))
        {
            // Compliance first: the opt-out stands; only the confirmation can't be sent without our number.
            logger.LogWarning("Opt-out of {Phone} in account {AccountId} has no number to send the confirmation from", change.Phone.Masked, change.AccountId);
            return;
        }

        await context.Publish(new ConfirmationMessageRequested
        {
            AccountId = change.AccountId,
            To = phone,
            From = confirmation.From,
            Body = confirmation.Body,
            ConversationId = change.ConversationId,
            CampaignId = change.CampaignId,
            RequestedAt = change.At,
        }, p => p.MessageId = MessageIds.Derive(change.CausationId, phone, "confirmation")).ConfigureAwait(false);
    }
}

/// <summary>Where and what to send as the confirmation of a conversation opt-out.</summary>
public sealed record ConfirmationTarget(string? From, string Body);
