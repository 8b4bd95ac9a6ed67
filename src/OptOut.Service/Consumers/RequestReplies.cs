using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

internal static class RequestReplies
{
    /// <summary>
    /// Publishes the events of every change of a request, then its <see cref="OptOutRequestCompleted"/>: published
    /// for subscribers, and sent as the response when a request client is waiting.
    /// </summary>
    public static async Task PublishAsync<TRequest>(ConsumeContext<TRequest> context, EventPublisher publisher, OptOutTelemetry telemetry, Guid requestId,
        AccountId accountId, IReadOnlyList<OptItemOutcome> outcomes)
        where TRequest : class
    {
        var completed = await publisher.PublishRequestAsync(context, requestId, accountId, outcomes, context.CancellationToken);
        if (context.ResponseAddress is not null)
            await context.RespondAsync(completed);

        // Last, so an attempt that failed to publish and is tried again is not counted twice.
        telemetry.Rejected(typeof(TRequest).Name, "phone_number", outcomes.Count(o => o.Result.Outcome == OptOutOutcome.Rejected));
    }
}
