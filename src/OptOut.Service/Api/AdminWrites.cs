using MassTransit;
using Microsoft.Extensions.Options;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Outbox;
using OptOut.Service.Messaging;

namespace OptOut.Service.Api;

/// <summary>How an administrator's write ended.</summary>
public enum AdminWriteStatus
{
    /// <summary>Applied and announced here: the outcome is known.</summary>
    Done,

    /// <summary>Bad input: nothing was changed (the reason is in the detail).</summary>
    Refused,

    /// <summary>Not finished here; the same request is on the bus and the consumer finishes it.</summary>
    Queued,

    /// <summary>Neither finished here nor handed to the bus.</summary>
    Unavailable,
}

/// <summary>The end of a write, and its outcome when it is <see cref="AdminWriteStatus.Done"/>.</summary>
public sealed record AdminWrite<T>(AdminWriteStatus Status, T? Outcome = default, string? Detail = null)
    where T : class;

/// <summary>
/// Runs an administrator's write in the instance that took the call: the Core handler the consumer of the same bus
/// message calls, then its events through the consumers' <see cref="EventPublisher"/> with the same message ids, so
/// the bus carries what it would had the request come over it, and the caller gets the outcome at once from
/// whichever instance answered.
/// <para>A write this instance can't finish (the store or the broker failing, or slower than
/// <see cref="AdminOptions.RequestTimeout"/>) goes on the bus as its message, with the same request id and event time:
/// the consumer finishes it with its retries, and what this attempt already stored is replayed there, its events
/// published with the same ids (the message carries this attempt's claim on them). Only when that publish fails too does nothing carry the write on.</para>
/// <para>The caller's connection doesn't cancel a write: a caller who hangs up mid-way must not leave a change stored
/// and unannounced.</para>
/// </summary>
public sealed class AdminWrites(OptOutRequestHandler handler, SettingsUpdater settings, EventPublisher publisher, PublishClaims claims,
    OptOutTelemetry telemetry, IPublishEndpoint bus, IOptions<AdminOptions> options, ILogger<AdminWrites> logger)
{
    /// <summary>A manual opt-out of one number or a list.</summary>
    public Task<AdminWrite<OptOutRequestCompleted>> OptOutAsync(OptOutRequested request)
    {
        var claim = claims.ForAdminWrite(request.RequestId);
        return RunAsync(request, request.RequestId, claim, async cancellationToken =>
        {
            var outcomes = await handler.HandleAsync(OptRequests.From(request, request.RequestedAt) with { Claim = claim }, cancellationToken);
            return await AnnounceAsync(nameof(OptOutRequested), request.RequestId, request.AccountId, outcomes, cancellationToken);
        });
    }

    /// <summary>"Delete Opt Out": one number back in.</summary>
    public Task<AdminWrite<OptOutRequestCompleted>> OptInAsync(OptInRequested request)
    {
        var claim = claims.ForAdminWrite(request.RequestId);
        return RunAsync(request, request.RequestId, claim, async cancellationToken =>
        {
            var outcomes = await handler.HandleAsync(OptRequests.From(request, request.RequestedAt) with { Claim = claim }, cancellationToken);
            return await AnnounceAsync(nameof(OptInRequested), request.RequestId, request.AccountId, outcomes, cancellationToken);
        });
    }

    /// <summary>A settings change: its outcome is the settings now in force or every reason it changed nothing.</summary>
    public Task<AdminWrite<SettingsUpdate>> UpdateSettingsAsync(UpdateOptOutSettings update) =>
        RunAsync(update, update.RequestId ?? Guid.Empty, claim: null, cancellationToken => settings.ApplyAsync(update, bus, cancellationToken));

    private async Task<OptOutRequestCompleted> AnnounceAsync(string requestType, Guid requestId, AccountId accountId, IReadOnlyList<OptItemOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var completed = await publisher.PublishRequestAsync(bus, requestId, accountId, outcomes, cancellationToken);
        telemetry.Rejected(requestType, "phone_number", outcomes.Count(o => o.Result.Outcome == OptOutOutcome.Rejected));
        return completed;
    }

    // The message handed to the bus carries the write's claim (PublishClaims.HandedOver): its consumer continues this
    // attempt, so it takes over the events this attempt stored and could not announce, at once.
    private async Task<AdminWrite<T>> RunAsync<T, TMessage>(TMessage message, Guid requestId, PublishClaim? claim, Func<CancellationToken, Task<T>> write)
        where T : class
        where TMessage : class
    {
        var timeout = options.Value.RequestTimeout;
        using (var attempt = new CancellationTokenSource(timeout))
        {
            try
            {
                // WaitAsync too: a publish awaiting a broker confirm may not heed its token (Deadline).
                return new(AdminWriteStatus.Done, await write(attempt.Token).WaitAsync(attempt.Token));
            }
            catch (InvalidMessageException e)
            {
                return new(AdminWriteStatus.Refused, Detail: e.Message);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{MessageType} {RequestId} could not be finished here; handing it to the bus", typeof(TMessage).Name, requestId);
                await attempt.CancelAsync();
            }
        }

        try
        {
            await Deadline.Within(bus.Publish(message, context => PublishClaims.HandOver(context, claim)), timeout, $"Handing {typeof(TMessage).Name} {requestId} to the bus", CancellationToken.None);
            return new(AdminWriteStatus.Queued);
        }
        catch (Exception e)
        {
            logger.LogError(e, "{MessageType} {RequestId} could not be handed to the bus either", typeof(TMessage).Name, requestId);
            return new(AdminWriteStatus.Unavailable, Detail: "The service could not store or queue the change: try again in a moment.");
        }
    }
}
