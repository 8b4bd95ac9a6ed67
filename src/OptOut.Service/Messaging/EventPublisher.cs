using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Service.Messaging;

/// <summary>
/// Publishes what a decision means for the rest of the platform, with message ids derived from the causing
/// message. Shared by every consumer so all of them keep "one event per transition" the same way.
/// </summary>
public sealed class EventPublisher(OptOutTelemetry telemetry, ILogger<EventPublisher> logger)
{
    /// <summary>Publishes at most this many events at once: enough to keep the broker's confirms pipelined.</summary>
    private const int PublishWindow = 500;

    public async Task PublishAsync(ConsumeContext context, OptChange change, OptDecision decision, ConfirmationTarget? confirmation)
    {
        if (!decision.Publishes)
            return;

        if (decision.Kind == ChangeKind.Changed)
            telemetry.Transition(change.Source, change.State);

        var phone = change.Phone.E164;
        var stateChanged = PublishStateChangeAsync(context, StateChange.From(change));
        if (change.State != OptState.OptedOut || confirmation is null)
        {
            await stateChanged.ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(confirmation.From))
        {
            // Compliance first: the opt-out stands; only the confirmation can't be sent without our number.
            logger.LogWarning("Opt-out of {Phone} in account {AccountId} has no number to send the confirmation from", change.Phone.Masked, change.AccountId);
            await stateChanged.ConfigureAwait(false);
            return;
        }

        // Both at once: their frames go out together and the broker confirms them together, one round trip (and one
        // wake-up of this consume) instead of two. They are different message types on different exchanges, so no
        // subscriber depends on their order. (Published one after the other for a while as a precaution against two
        // harness hangs; those were the consume-deadline spec's probe, fixed since, and the suite has run clean.)
        var confirmationRequested = context.Publish(new ConfirmationMessageRequested
        {
            AccountId = change.AccountId,
            To = phone,
            From = confirmation.From,
            Body = confirmation.Body,
            ConversationId = change.ConversationId,
            CampaignId = change.CampaignId,
            RequestedAt = change.At,
        }, p => p.MessageId = MessageIds.Derive(change.CausationId, phone, "confirmation"));
        await Task.WhenAll(stateChanged, confirmationRequested).ConfigureAwait(false);
    }

    /// <summary>Publishes many state changes (a bulk upload or its undo), returning once the broker confirmed all of them.</summary>
    public async Task PublishAsync(IPublishEndpoint endpoint, IReadOnlyList<StateChange> changes, CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>(PublishWindow);
        foreach (var change in changes)
        {
            inFlight.Add(PublishStateChangeAsync(endpoint, change, cancellationToken));
            if (inFlight.Count == PublishWindow)
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        foreach (var change in changes)
            telemetry.Transition(change.Source, change.State);
    }

    private static Task PublishStateChangeAsync(IPublishEndpoint endpoint, StateChange change, CancellationToken cancellationToken = default) =>
        endpoint.Publish(new ConversationOptStateChanged
        {
            AccountId = change.AccountId,
            PhoneNumber = change.Phone,
            State = change.State,
            Source = change.Source,
            ConversationId = change.ConversationId,
            CampaignId = change.CampaignId,
            Note = change.Note,
            ChangedAt = change.At,
        }, p => p.MessageId = MessageIds.Derive(change.CausationId, change.Phone, "state"), cancellationToken);
}

/// <summary>Where and what to send as the confirmation of a conversation opt-out.</summary>
public sealed record ConfirmationTarget(string? From, string Body);
