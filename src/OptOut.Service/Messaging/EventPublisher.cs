using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Outbox;

namespace OptOut.Service.Messaging;

/// <summary>
/// Publishes what a decision means for the rest of the platform, with message ids derived from the causing
/// message. Shared by every consumer so all of them keep "one event per transition" the same way. Once the broker
/// confirmed the events of a change that stored them as pending (<see cref="OptChange.Claim"/>), they are marked sent
/// (<see cref="SentMarks"/>), so a duplicate or redelivery publishes nothing again.
/// </summary>
public sealed class EventPublisher(OptOutTelemetry telemetry, ILogger<EventPublisher> logger, SentMarks? sentMarks = null)
{
    /// <summary>Publishes at most this many events at once: enough to keep the broker's confirms pipelined.</summary>
    private const int PublishWindow = 500;

    /// <summary>
    /// Publishes the events of one change: its state change and its confirmation (<see cref="OptChange.Reply"/>).
    /// <paramref name="endpoint"/> is the consumed message's context, or the bus for a write the admin API applies
    /// in-process: the events and their message ids are the same either way.
    /// </summary>
    public async Task PublishAsync(IPublishEndpoint endpoint, OptChange change, OptDecision decision)
    {
        if (!decision.Publishes)
        {
            if (decision.Kind == ChangeKind.AlreadyAnnounced)
                telemetry.AlreadyAnnounced();
            return;
        }

        if (decision.Kind == ChangeKind.Changed)
            telemetry.Transition(change.Source, change.State);
        else
            telemetry.Resent("replay");

        await PublishEventsAsync(endpoint, StateChange.From(change), change.Phone, change.Reply).ConfigureAwait(false);
        if (change.Claim is not null)
            sentMarks?.Add(PendingKey.Of(change));
    }

    /// <summary>
    /// Publishes a change's pending events again, rebuilt from the store (<paramref name="change"/> from its history
    /// entry, the reply kept with them): the same bodies and message ids as their first publish. Marks them sent.
    /// </summary>
    public async Task PublishPendingAsync(IPublishEndpoint endpoint, PendingEntry entry, StateChange change, PhoneNumber contact)
    {
        await PublishEventsAsync(endpoint, change, contact, entry.Events.Reply).ConfigureAwait(false);
        telemetry.Resent("sweeper");
        sentMarks?.Add(entry.Key);
    }

    private async Task PublishEventsAsync(IPublishEndpoint endpoint, StateChange change, PhoneNumber contact, ConfirmationTarget? reply)
    {
        var stateChanged = PublishStateChangeAsync(endpoint, change);
        if (reply is null)
        {
            await stateChanged.ConfigureAwait(false);
            return;
        }

        // Both at once: their frames go out together and the broker confirms them together, one round trip (and one
        // wake-up of this consume) instead of two. They are different message types on different exchanges, so no
        // subscriber depends on their order. (Published one after the other for a while as a precaution against two
        // harness hangs; those were the consume-deadline spec's probe, fixed since, and the suite has run clean.)
        await Task.WhenAll(stateChanged,
            PublishReplyAsync(endpoint, change.AccountId, contact, change.CausationId, change.At, change.ConversationId, change.CampaignId, reply))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes the events of every change of a request (manual, Messenger, API; an opt-in), then its
    /// <see cref="OptOutRequestCompleted"/>, whose message id derives from the request id; returns that result.
    /// </summary>
    public async Task<OptOutRequestCompleted> PublishRequestAsync(IPublishEndpoint endpoint, Guid requestId, AccountId accountId,
        IReadOnlyList<OptItemOutcome> outcomes, CancellationToken cancellationToken)
    {
        foreach (var outcome in outcomes)
        {
            if (outcome.Change is not null && outcome.Decision is not null)
                await PublishAsync(endpoint, outcome.Change, outcome.Decision).ConfigureAwait(false);
        }

        var completed = new OptOutRequestCompleted { RequestId = requestId, AccountId = accountId, Results = [.. outcomes.Select(o => o.Result)] };
        await endpoint.Publish(completed, p => p.MessageId = MessageIds.Derive($"request:{requestId:N}", "", "completed"), cancellationToken)
            .ConfigureAwait(false);
        return completed;
    }

    /// <summary>
    /// Publishes a reply to the contact (a confirmation, or the help message, which changes nothing), its message id
    /// derived from the causing text and the kind, so a re-publish is an exact duplicate.
    /// </summary>
    public Task PublishReplyAsync(IPublishEndpoint endpoint, AccountId accountId, PhoneNumber contact, string causationId, DateTimeOffset at,
        string? conversationId, string? campaignId, ConfirmationTarget reply)
    {
        if (string.IsNullOrWhiteSpace(reply.From))
        {
            // Compliance first: the change stands; only the reply can't be sent without our number.
            logger.LogWarning("{Kind} reply to {Phone} in account {AccountId} has no number to send it from", reply.Kind, contact.Masked, accountId);
            return Task.CompletedTask;
        }

        return endpoint.Publish(new ConfirmationMessageRequested
        {
            AccountId = accountId,
            To = contact.E164,
            From = reply.From,
            Body = reply.Body,
            ConversationId = conversationId,
            CampaignId = campaignId,
            RequestedAt = at,
            Kind = reply.Kind,
            Language = reply.Language,
        }, p => p.MessageId = MessageIds.Derive(causationId, contact.E164, ReplyIdKind(reply.Kind)));
    }

    /// <summary>Publishes a possible revocation for review; nothing about the number changed.</summary>
    public Task PublishReviewAsync(ConsumeContext context, InboundText text, string? providerMessageId, PhoneNumber contact, OptOutDetection detection) =>
        context.Publish(new OptOutReviewRequested
        {
            AccountId = text.AccountId,
            PhoneNumber = contact.E164,
            To = text.To,
            Text = text.Body!,
            Reason = detection.Reason ?? "",
            Score = detection.Score,
            Detection = detection,
            ReceivedAt = text.ReceivedAt,
            ProviderMessageId = providerMessageId,
            ConversationId = text.ConversationId,
            CampaignId = text.CampaignId,
        }, p => p.MessageId = MessageIds.Derive(text.CausationId, contact.E164, "review"));

    // The opt-out confirmation keeps the id it always had, so a re-publish across an upgrade is still a duplicate.
    private static string ReplyIdKind(ConfirmationKind kind) => kind switch
    {
        ConfirmationKind.OptOut => "confirmation",
        ConfirmationKind.OptIn => "confirmation-opt-in",
        _ => "help",
    };

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
            Detection = change.Detection,
        }, p => p.MessageId = MessageIds.Derive(change.CausationId, change.Phone, "state"), cancellationToken);
}
