using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// Around an endpoint's whole consume, where a message that fails to deserialize is seen too: MassTransit reads the
/// typed message only when it dispatches it to the consumer, so a bad enum or calling code never reaches the consumer
/// or <see cref="ConsumeAttemptsFilter{TConsumer}"/>. For bad input (that, or an <see cref="InvalidMessageException"/>
/// the consumer threw) it
/// <list type="bullet">
/// <item>answers a request with its rejection (<see cref="RequestRejections"/>) when the body says whom to answer;</item>
/// <item>lets the message go on to its <c>_error</c> queue by MassTransit's own path, once, and for a message that
/// could not be read, with a reason that names the field (<c>source: 'OPTED_OUT' is not …</c>) instead of
/// System.Text.Json's line and byte position, its digits masked (fault headers never hold a whole phone number).</item>
/// </list>
/// Transient failures (what <see cref="ConsumeAttemptsFilter{TConsumer}"/> retried) pass through untouched: they are
/// not the producer's mistake.
/// </summary>
public sealed class BadInputFilter(Type messageType, ILogger? logger = null, OptOutTelemetry? telemetry = null) : IFilter<ConsumeContext>
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        Task consume;
        try
        {
            consume = next.Send(context);
        }
        catch (Exception ex)
        {
            consume = Task.FromException(ex);
        }

        // Nearly every message finishes here without an await of this filter's own: the hot path pays nothing.
        return consume.IsCompletedSuccessfully ? consume : SettleAsync(consume, context);
    }

    private async Task SettleAsync(Task consume, ConsumeContext context)
    {
        try
        {
            await consume.ConfigureAwait(false);
        }
        catch (Exception ex) when (Unreadable(ex) is { } json)
        {
            // Not the consumer's InvalidMessageException, which ConsumeAttemptsFilter counted already.
            telemetry?.Rejected(messageType.Name, "message");
            var rejection = new Rejection(WireJson.Field(json), PhoneMask.MaskNumbersIn(WireJson.Reason(json)));
            await AnswerAsync(context, [rejection]).ConfigureAwait(false);
            throw new InvalidMessageException(rejection.Reason);
        }
        catch (InvalidMessageException ex)
        {
            await AnswerAsync(context, [.. ex.Reasons.Select(r => new Rejection(null, r))]).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The System.Text.Json failure inside MassTransit's <c>SerializationException</c>, when that is what this is.</summary>
    private static JsonException? Unreadable(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
                return json;
        }

        return null;
    }

    private async Task AnswerAsync(ConsumeContext context, IReadOnlyList<Rejection> rejections)
    {
        if (!RequestRejections.Answers(messageType))
            return;

        var answer = RequestRejections.For(messageType, context.ReceiveContext.Body.GetBytes(), rejections, SystemTextJsonMessageSerializer.Options);
        if (answer is null)
        {
            _logger.LogWarning("{MessageType} {MessageId} can't be used ({Reason}) and names no requestId and accountId to answer",
                messageType.Name, context.MessageId, string.Join("; ", rejections));
            return;
        }

        try
        {
            // The id derives from the message, so a redelivery of it (the broker never saw the fault) repeats the answer exactly.
            var messageId = MessageIds.Derive($"rejected:{context.StableMessageId()}", "", answer.GetType().Name);
            await (answer switch
            {
                OptOutSettingsRejected settings => context.Publish(settings, p => p.MessageId = messageId, context.CancellationToken),
                OptOutRequestCompleted completed => context.Publish(completed, p => p.MessageId = messageId, context.CancellationToken),
                _ => throw new InvalidOperationException($"{answer.GetType().Name} is not an answer"),
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The message still goes to the error queue with its reason: the answer is what is lost, and the log says so.
            _logger.LogWarning("Answering the rejected {MessageType} {MessageId} failed ({Error})", messageType.Name, context.MessageId,
                PhoneMask.MaskNumbersIn(ex.Message));
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("badInput");
}
