using OptOut.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OptOut.Benchmarks.Bulk;

/// <summary>The fields of a ConversationOptStateChanged the benchmark counts by.</summary>
internal readonly record struct StateChangeSeen(AccountId AccountId, string PhoneNumber, string State, string Source);

/// <summary>
/// Sees every ConversationOptStateChanged on a temporary queue of its own (exclusive, deleted with its connection)
/// bound to the message type's exchange, the way any subscriber's queue is, and reads only the four fields it
/// counts by from the MassTransit envelope.
/// </summary>
/// <remarks>
/// Not a MassTransit receive endpoint on purpose: the observer runs in the benchmark's process, next to the service,
/// on the same two cores, and a MassTransit consumer costs about as much CPU per message as the service spends
/// publishing it (measured: a bare publish with an in-process MassTransit consumer ran at half the rate of one
/// without). A million-row upload announces over 600,000 changes; the campaign service that consumes them in
/// production runs elsewhere, so its cost should not be charged to the service here. The low-volume messages (the
/// upload's progress and result, STOP confirmations) still go through a MassTransit observer bus.
/// </remarks>
internal sealed class StateChangeListener(BrokerSettings broker, Action<StateChangeSeen> seen) : IAsyncDisposable
{
    /// <summary>MassTransit's exchange for the message type: its full .NET name.</summary>
    public static readonly string Exchange = $"{typeof(ConversationOptStateChanged).Namespace}:{nameof(ConversationOptStateChanged)}";

    private IConnection? _connection;
    private IChannel? _channel;
    private long _malformed;

    /// <summary>Deliveries that were not a readable ConversationOptStateChanged envelope.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Binds the queue and starts consuming; returns once the binding exists, so nothing published afterwards is missed.</summary>
    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        _connection = await broker.ConnectAsync(name, cancellationToken);
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // Declared as MassTransit declares message type exchanges (durable fanout), in case nothing was published yet.
        await _channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await _channel.QueueBindAsync(queue.QueueName, Exchange, "", cancellationToken: cancellationToken);
        await _channel.BasicQosAsync(0, 1_000, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (TryRead(delivery.Body.Span, out var change))
                seen(change);
            else
                Interlocked.Increment(ref _malformed);
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    private static readonly string[] Fields = ["phoneNumber", "state", "source"];

    /// <summary>Reads <c>message.accountId</c>, <c>phoneNumber</c>, <c>state</c> and <c>source</c> of a MassTransit JSON envelope.</summary>
    private static bool TryRead(ReadOnlySpan<byte> body, out StateChangeSeen change)
    {
        change = default;
        if (!EnvelopeFields.TryRead(body, Fields, out var account, out var values) || values is not [{ } phone, { } state, { } source])
            return false;
        change = new StateChangeSeen(account, phone, state, source);
        return true;
    }
}
