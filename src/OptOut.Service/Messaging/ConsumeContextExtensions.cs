using MassTransit;

namespace OptOut.Service.Messaging;

internal static class ConsumeContextExtensions
{
    /// <summary>The event time a producer gave, or when it left it out, the time the message was sent (or now).</summary>
    public static DateTimeOffset EventTime(this ConsumeContext context, DateTimeOffset given, TimeProvider clock) =>
        given != default ? given
        : context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc))
        : clock.GetUtcNow();

    /// <summary>
    /// A stable id of the message: the bus message id, or for a raw producer that sent none, a hash of the body,
    /// which a redelivery repeats.
    /// </summary>
    public static string StableMessageId(this ConsumeContext context)
    {
        if (context.MessageId is { } id)
            return id.ToString("N");
        var body = context.ReceiveContext.Body.GetBytes();
        return "body-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body))[..32];
    }
}
