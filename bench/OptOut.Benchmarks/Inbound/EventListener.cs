using System.Text.Json;
using OptOut.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OptOut.Benchmarks.Inbound;

/// <summary>An event the service published, reduced to the fields the benchmark counts by.</summary>
/// <param name="AccountId">The event's account: routes it to its batch.</param>
/// <param name="Phone"><c>phoneNumber</c> of a state change, <c>to</c> of a confirmation (E.164).</param>
/// <param name="State"><c>state</c> of a state change (<c>OptedOut</c>/<c>OptedIn</c>); null for a confirmation.</param>
internal readonly record struct EventSeen(AccountId AccountId, string Phone, string? State);

/// <summary>
/// Sees every <see cref="ConversationOptStateChanged"/> and <see cref="ConfirmationMessageRequested"/> the way a
/// subscriber does: one temporary queue (exclusive, deleted with its connection) bound to both message types'
/// exchanges, and reads only the fields it counts by from the MassTransit JSON envelope.
/// </summary>
/// <remarks>
/// Measurement apparatus, not a MassTransit receive endpoint on purpose: it runs in the benchmark's process, on the
/// same two cores as the service under test, and a MassTransit consumer of the two events cost about as much CPU as
/// publishing them (one consume pipeline per event, two events per keyword text). The campaign service that consumes
/// them in production runs elsewhere, so their consumption is not charged to the service here. Reading with
/// <see cref="Utf8JsonReader"/> straight from the delivery costs a few microseconds per event.
/// </remarks>
internal sealed class EventListener(BrokerSettings broker, Action<EventSeen> stateChanged, Action<EventSeen> confirmation, Action<string> disrupted)
    : IAsyncDisposable
{
    /// <summary>MassTransit's exchanges for the message types: their full .NET names.</summary>
    public static readonly string StateChangedExchange = ExchangeOf<ConversationOptStateChanged>();

    public static readonly string ConfirmationExchange = ExchangeOf<ConfirmationMessageRequested>();

    private IConnection? _connection;
    private IChannel? _channel;
    private bool _disposing;
    private long _malformed;

    /// <summary>Deliveries that were not a readable event envelope (a non-zero count fails the run).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Binds the queue and starts consuming; returns once the bindings exist, so nothing published afterwards is missed.</summary>
    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        _connection = await broker.ConnectAsync(name, cancellationToken);
        _connection.ConnectionShutdownAsync += (_, args) =>
        {
            if (!Volatile.Read(ref _disposing))
                disrupted($"{name}: {args.ReplyText}");
            return Task.CompletedTask;
        };
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        foreach (var exchange in new[] { StateChangedExchange, ConfirmationExchange })
        {
            // Declared as MassTransit declares message type exchanges (durable fanout), in case nothing was published yet.
            await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await _channel.QueueBindAsync(queue.QueueName, exchange, "", cancellationToken: cancellationToken);
        }

        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var isConfirmation = delivery.Exchange == ConfirmationExchange;
            if (TryRead(delivery.Body.Span, isConfirmation, out var seen))
                (isConfirmation ? confirmation : stateChanged)(seen);
            else
                Interlocked.Increment(ref _malformed);
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposing, true);
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    private static string ExchangeOf<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}";

    private static readonly string[] StateChangeFields = ["phoneNumber", "state"];

    private static readonly string[] ConfirmationFields = ["to"];

    /// <summary>Reads <c>message.accountId</c>, the phone field and (for a state change) <c>message.state</c> of a MassTransit JSON envelope.</summary>
    private static bool TryRead(ReadOnlySpan<byte> body, bool isConfirmation, out EventSeen seen)
    {
        seen = default;
        if (!EnvelopeFields.TryRead(body, isConfirmation ? ConfirmationFields : StateChangeFields, out var account, out var values)
            || values[0] is not { } phone || (!isConfirmation && values[1] is null))
            return false;
        seen = new EventSeen(account, phone, isConfirmation ? null : values[1]);
        return true;
    }
}
