using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// <see cref="OptOutRequested"/> and <see cref="OptInRequested"/> as Core takes them. Their consumers and the admin
/// API (which applies its requests in-process) map them here, so a request gets the same changes whichever way it came.
/// <c>requestedAt</c> is the event time: the message's, or when the producer left it out, when it was sent.
/// </summary>
public static class OptRequests
{
    public static OptRequest From(OptOutRequested message, DateTimeOffset requestedAt) => new()
    {
        RequestId = message.RequestId,
        AccountId = message.AccountId,
        State = OptState.OptedOut,
        Source = message.Source switch
        {
            OptOutRequestSource.Manual => OptOutSource.Manual,
            OptOutRequestSource.Messenger => OptOutSource.Messenger,
            OptOutRequestSource.Api => OptOutSource.Api,
            null => null,
            _ => (OptOutSource)(-1),
        },
        PhoneNumbers = message.PhoneNumbers,
        RequestedBy = message.RequestedBy,
        Note = message.Note,
        ConversationId = message.ConversationId,
        CampaignId = message.CampaignId,
        RequestedAt = requestedAt,
        ReplyFrom = message.ReplyFrom,
    };

    public static OptRequest From(OptInRequested message, DateTimeOffset requestedAt) => new()
    {
        RequestId = message.RequestId,
        AccountId = message.AccountId,
        State = OptState.OptedIn,
        Source = OptOutSource.Manual,
        PhoneNumbers = [message.PhoneNumber],
        RequestedBy = message.RequestedBy,
        Note = message.Reason,
        RequestedAt = requestedAt,
    };
}
