using OptOut.Contracts;

namespace OptOut.AsyncApi;

/// <summary>A message the service consumes, and the queue its consumer's endpoint reads (MassTransit's kebab-case name of the consumer).</summary>
public sealed record ConsumedMessage(Type Type, string Queue, string Endpoint);

/// <summary>A message the service publishes, and who in the service publishes it.</summary>
public sealed record PublishedMessage(Type Type, string PublishedBy);

/// <summary>
/// What the service consumes and publishes on the bus. The contracts say what a message looks like, not which side of
/// it the service is on, so that is listed here; a spec holds this list to the service's consumers
/// (<c>ServiceRegistration.AddOptOutConsumers</c>) and the generator fails on a contract type that no message here
/// reaches.
/// </summary>
public static class BusCatalog
{
    /// <summary>The prefix of every message type's exchange: the contracts' namespace (MassTransit's entity name is <c>Namespace:TypeName</c>).</summary>
    public static readonly string ExchangePrefix = typeof(InboundMessage).Namespace + ":";

    public static readonly IReadOnlyList<ConsumedMessage> Consumed =
    [
        new(typeof(InboundMessage), "inbound-message", "64 at a time per instance, retried in place with backoff"),
        new(typeof(OptOutRequested), "opt-out-requested", "16 at a time per instance, retried in place with backoff"),
        new(typeof(OptInRequested), "opt-in-requested", "16 at a time per instance, retried in place with backoff"),
        new(typeof(UpdateOptOutSettings), "update-opt-out-settings", "one at a time per instance, retried in place with backoff"),
        new(typeof(BulkUploadSubmitted), "bulk-upload-submitted", "two at a time per instance, resumed from the last checkpoint on a retry"),
        new(typeof(BulkUploadUndoRequested), "bulk-upload-undo-requested", "two at a time per instance"),
    ];

    /// <summary>Events the service publishes (the strict writer's form), then the commands its admin API hands to the bus.</summary>
    public static readonly IReadOnlyList<PublishedMessage> Published =
    [
        new(typeof(ConversationOptStateChanged), "the consumers and the admin API, once per change of a number's state; bulk uploads' changes are dispatched from the store after the upload"),
        new(typeof(ConfirmationMessageRequested), "the inbound-message consumer (keyword, detected revocation, opt-in, help) and the opt-out-requested consumer (Messenger opt-outs)"),
        new(typeof(OptOutReviewRequested), "the inbound-message consumer, once per text that may be a revocation"),
        new(typeof(OptOutRequestCompleted), "the opt-out-requested and opt-in-requested consumers and the admin API; also sent as the response to a MassTransit request client"),
        new(typeof(OptOutSettingsChanged), "the update-opt-out-settings consumer and the admin API; also sent as the response to a request client"),
        new(typeof(OptOutSettingsRejected), "the update-opt-out-settings consumer and the admin API; also sent as the response to a request client"),
        new(typeof(BulkUploadProgressed), "the bulk-upload-submitted consumer, about once a second"),
        new(typeof(BulkUploadCompleted), "the bulk-upload-submitted consumer"),
        new(typeof(BulkUploadFailed), "the bulk-upload-submitted consumer"),
        new(typeof(BulkUploadUndone), "the bulk-upload-undo-requested consumer"),
    ];

    /// <summary>
    /// Commands the admin API publishes for the service's own consumers: uploads and undos always, opt-outs, opt-ins and
    /// settings when the write could not finish in the instance that took it (<c>Admin:RequestTimeout</c>).
    /// </summary>
    public static readonly IReadOnlyList<Type> SentByTheAdminApi =
        [typeof(OptOutRequested), typeof(OptInRequested), typeof(UpdateOptOutSettings), typeof(BulkUploadSubmitted), typeof(BulkUploadUndoRequested)];

    /// <summary>What every instance reads on a temporary queue of its own (named by MassTransit, deleted when the instance stops).</summary>
    public static readonly IReadOnlyList<(Type Type, string Why)> ReadByEveryInstance =
    [
        (typeof(OptOutSettingsChanged), "drops the account's cached settings"),
        (typeof(BulkUploadProgressed), "keeps the upload's progress for the admin API"),
    ];

    public static string Exchange(Type type) => ExchangePrefix + type.Name;
}
