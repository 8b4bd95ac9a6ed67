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
    private TimeSpan Lease => options.Value.ClaimTimeout;

    public PublishClaim For(ConsumeContext context) => new(context.StableMessageId(),
        context.ReceiveContext.GetOrAddPayload(() => new DeliveryNonce(Guid.NewGuid())).Value, context.ReceiveContext.Redelivered, Lease);

    /// <summary>An administrator's write applied in-process: no delivery can take it over, only the sweeper once it runs out.</summary>
    public PublishClaim ForAdminWrite(Guid requestId) => new($"admin:{requestId:N}", Guid.NewGuid(), Redelivered: false, Lease);

    /// <summary>The sweeper's takeover of an entry whose claim ran out.</summary>
    public PublishClaim ForSweeper() => new("sweeper", Guid.NewGuid(), Redelivered: false, Lease);

    private sealed record DeliveryNonce(Guid Value);
}
