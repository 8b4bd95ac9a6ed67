using MassTransit;
using Microsoft.Extensions.Options;
using OptOut.Core.Outbox;

namespace OptOut.Service.Messaging;

/// <summary>
/// The claims (<see cref="PublishClaim"/>) with which consumers, the admin API and the sweeper publish a change's
/// events. A bus delivery's nonce is kept on its receive context, so the in-process retries of that delivery share it
/// and every other copy of the message (a duplicate, a redelivery) has its own.
/// </summary>
public sealed class PublishClaims(IOptions<OutboxOptions> options)
{
    /// <summary>
    /// The header of a message the admin API handed to the bus (<see cref="HandOver"/>): the delivery nonce of the
    /// attempt it continues, so its consumer holds that attempt's claim.
    /// </summary>
    public const string HandedOverHeader = "OptOut-Claim-Delivery";

    private TimeSpan Lease => options.Value.ClaimTimeout;

    public PublishClaim For(ConsumeContext context) => new(context.StableMessageId(),
        context.ReceiveContext.GetOrAddPayload(() => new DeliveryNonce(HandedOver(context) ?? Guid.NewGuid())).Value, context.ReceiveContext.Redelivered,
        Lease);

    /// <summary>Marks a message handed to the bus as the continuation of the attempt holding <paramref name="claim"/> (none: nothing to carry).</summary>
    public static void HandOver(PublishContext context, PublishClaim? claim)
    {
        if (claim is not null)
            context.Headers.Set(HandedOverHeader, claim.Delivery.ToString("N"));
    }

    private static Guid? HandedOver(ConsumeContext context) =>
        context.Headers.Get<string>(HandedOverHeader) is { } value && Guid.TryParseExact(value, "N", out var delivery) ? delivery : null;

    /// <summary>An administrator's write applied in-process: no delivery can take it over, only the sweeper once it runs out.</summary>
    public PublishClaim ForAdminWrite(Guid requestId) => new($"admin:{requestId:N}", Guid.NewGuid(), Redelivered: false, Lease);

    /// <summary>The sweeper's takeover of an entry whose claim ran out.</summary>
    public PublishClaim ForSweeper() => new("sweeper", Guid.NewGuid(), Redelivered: false, Lease);

    private sealed record DeliveryNonce(Guid Value);
}
