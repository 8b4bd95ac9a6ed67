using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// How a consume is attempted again: up to <see cref="Retries"/> more times with exponential backoff, each attempt
/// abandoned once it has run for <see cref="Deadline"/>. Bad input (<see cref="InvalidMessageException"/>) is never
/// retried.
/// </summary>
public sealed record ConsumeAttemptPolicy
{
    public int Retries { get; init; } = 8;

    /// <summary>The delay before the first retry.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Each further retry waits about this much times 2^n longer (±20% jitter, so retries of a burst spread out).</summary>
    public TimeSpan DelayStep { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Far beyond a healthy attempt (milliseconds) and beyond the store's own retries riding out a database failover,
    /// so only a hung attempt reaches it.
    /// </summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        var growth = (Math.Pow(2, retry - 1) - 1) * DelayStep.TotalMilliseconds * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, FirstDelay.TotalMilliseconds + growth));
    }
}

/// <summary>
/// Retries a consumer's attempt in place, inside MassTransit's consumer filter, and gives up on an attempt (the
/// consumer and the events it publishes) that is still running at the deadline, or as soon as the consume is cancelled.
/// <para>Why not MassTransit's <c>UseMessageRetry</c>: it wraps every message in retry contexts, whether or not it
/// fails, and that cost about 10% of the inbound benchmark's throughput (single runs: 0.76-0.77 of the bare consumer
/// with it, 0.84-0.86 without). Here an attempt that succeeds costs nothing extra: most inbound texts (cached settings, not a
/// keyword) finish without yielding and pass straight through; only an attempt still running gets a timer, only a
/// failed one a retry loop. Placed inside the consumer filter, a failure that a retry cures reaches no fault
/// notification; once the retries are spent (or at once for bad input) the exception goes on to MassTransit, which
/// publishes one <c>Fault</c> and moves the message to the error queue with the reason.</para>
/// <para>Why a deadline: with RabbitMQ.Client 7.2.x a publish awaiting its broker confirm on a channel that died in a
/// broker restart can wait for ever (rabbitmq-dotnet-client#1930), and MassTransit hands it the channel's token, not
/// the consume's. One such publish pins its delivery, so the endpoint can't reconnect: the service stops consuming for
/// good while its bus still reports ready. The abandoned attempt is left to end on its own; the next attempt (or the
/// redelivery) is recognised by the state machine as a replay and, holding the same delivery's claim on the change's
/// pending events (or, for a redelivery, the message's), re-publishes them with the same message ids.</para>
/// </summary>
public sealed class ConsumeAttemptsFilter<TConsumer>(ConsumeAttemptPolicy policy, ILogger? logger = null, OptOutTelemetry? telemetry = null)
    : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    private static readonly string MessageType = typeof(TConsumer).GetInterfaces()
        .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))?.GetGenericArguments()[0].Name ?? typeof(TConsumer).Name;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        var attempt = Attempt(context, next);
        return attempt.IsCompletedSuccessfully ? attempt : SettleAsync(attempt, context, next);
    }

    private async Task SettleAsync(Task attempt, ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        var cancellationToken = context.CancellationToken;
        for (var retry = 1; ; retry++)
        {
            try
            {
                await Deadline.Within(attempt, policy.Deadline, $"Consuming message {context.MessageId}", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidMessageException)
            {
                // Bad input: never retried; MassTransit faults it to the error queue with the reason.
                telemetry?.Rejected(MessageType, "message");
                throw;
            }
            catch (Exception ex) when (retry <= policy.Retries && !cancellationToken.IsCancellationRequested && ex is not InvalidMessageException)
            {
                var delay = policy.DelayBefore(retry);
                // Not the exception itself: a driver's message may quote a phone number (a duplicate key), so its digits are masked.
                _logger.LogWarning("Consuming message {MessageId} failed ({Reason}: {Error}); retry {Retry} of {Retries} in {Delay} ms",
                    context.MessageId, ex.GetType().Name, PhoneMask.MaskNumbersIn(ex.Message), retry, policy.Retries, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            attempt = Attempt(context, next);
        }
    }

    private static Task Attempt(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        try
        {
            return next.Send(context);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("consumeAttempts");
        scope.Add("retries", policy.Retries);
        scope.Add("deadline", policy.Deadline);
    }
}
