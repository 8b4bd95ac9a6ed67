using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;

namespace OptOut.Service.Tests.Integration;

/// <summary>A message read off a queue with basic.get: body, properties and headers (AMQP strings decoded).</summary>
public sealed record QueuedMessage(string Body, string? MessageId, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// Plain RabbitMQ.Client, as a producer that is not .NET (or not MassTransit) uses the broker: publishes with
/// publisher confirms, reads queues with basic.get, and cleans up what the specs declared.
/// </summary>
public sealed class RawRabbit : IAsyncDisposable
{
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);

    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _publishChannel;

    private RawRabbit(BrokerEndpoint broker) => _factory = new ConnectionFactory
    {
        HostName = broker.Host,
        Port = broker.Port,
        UserName = broker.Username,
        Password = broker.Password,
        VirtualHost = broker.VirtualHost,
        ClientProvidedName = "optout-integration-specs",
        // The specs reconnect themselves, so a publish that failed is retried on a fresh connection, never lost in a recovery.
        AutomaticRecoveryEnabled = false,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<RawRabbit> ConnectAsync(BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        var rabbit = new RawRabbit(broker);
        await rabbit.ConnectionAsync(cancellationToken);
        return rabbit;
    }

    /// <summary>
    /// Publishes persistent <paramref name="json"/> to an exchange and waits for the broker's confirm. Every publish is
    /// mandatory: an exchange with no queue bound would otherwise swallow the message, and confirm it.
    /// </summary>
    public Task PublishJsonAsync(string exchange, string json, string? messageId = null, CancellationToken cancellationToken = default) =>
        PublishAsync(exchange, Encoding.UTF8.GetBytes(json), Properties("application/json", messageId), cancellationToken);

    /// <summary>
    /// Publishes persistent JSON messages as a gateway with confirms does: pipelined (all in flight at once, then every
    /// confirm awaited), and every publish that failed (broker down, connection lost, nack) published again on a fresh
    /// connection until the broker confirms it or <paramref name="timeout"/> passes. A publish whose confirm was lost may
    /// reach the queue twice: the consumer must treat that as a redelivery. Returns how many publishes were retried.
    /// </summary>
    public async Task<int> PublishAllUntilConfirmedAsync(string exchange, IReadOnlyList<(string Json, string MessageId)> messages, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var pending = messages.Select(m => (Body: (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(m.Json), Properties: Properties("application/json", m.MessageId))).ToList();
        var elapsed = Stopwatch.StartNew();
        var retried = 0;
        for (var attempt = 1; ; attempt++)
        {
            var failed = new List<(ReadOnlyMemory<byte> Body, BasicProperties Properties)>();
            Exception? lastError = null;
            await _publishGate.WaitAsync(cancellationToken);
            try
            {
                var channel = await PublishChannelAsync(cancellationToken);
                using var confirmTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                confirmTimeout.CancelAfter(ConfirmTimeout);
                var publishes = pending.Select(m => PublishOneAsync(channel, exchange, m.Body, m.Properties, confirmTimeout.Token)).ToList();
                for (var i = 0; i < publishes.Count; i++)
                {
                    if (await publishes[i] is { } error)
                    {
                        failed.Add(pending[i]);
                        lastError = error;
                    }
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // No channel at all (the broker refuses connections while it is down): all of them again.
                failed = pending;
                lastError = ex;
            }
            finally
            {
                _publishGate.Release();
            }

            if (failed.Count == 0)
                return retried;
            if (elapsed.Elapsed > timeout)
                throw new TimeoutException($"{failed.Count} publishes not confirmed after {attempt} attempts in {timeout}", lastError);
            retried += failed.Count;
            pending = failed;
            await ResetAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1_000, 100 * attempt)), cancellationToken);
        }

        static async Task<Exception?> PublishOneAsync(IChannel channel, string exchange, ReadOnlyMemory<byte> body, BasicProperties properties,
            CancellationToken cancellationToken)
        {
            try
            {
                await channel.BasicPublishAsync(exchange, "", mandatory: true, properties, body, cancellationToken);
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="queue"/> with basic.get until a message matching <paramref name="isOurs"/> is found or the
    /// deadline passes (null); every message read is acknowledged (removed), ours included.
    /// </summary>
    public async Task<QueuedMessage?> TakeAsync(string queue, Func<QueuedMessage, bool> isOurs, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        // MassTransit declares an _error queue when it moves the first message there: until then, there's nothing to read.
        while (!await QueueExistsAsync(queue, cancellationToken))
        {
            if (elapsed.Elapsed > timeout)
                return null;
            await Task.Delay(100, cancellationToken);
        }

        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        while (elapsed.Elapsed < timeout)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (result is null)
            {
                await Task.Delay(100, cancellationToken);
                continue;
            }

            await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken);
            var message = Read(result);
            if (isOurs(message))
                return message;
        }

        return null;
    }

    /// <summary>
    /// Reads <paramref name="queue"/> with basic.get until it has stayed empty for <paramref name="quiet"/> (or
    /// <paramref name="timeout"/> has passed) and returns every message read, each acknowledged (removed).
    /// </summary>
    public async Task<IReadOnlyList<QueuedMessage>> DrainAsync(string queue, TimeSpan quiet, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var messages = new List<QueuedMessage>();
        var emptySince = elapsed.Elapsed;
        while (elapsed.Elapsed - emptySince < quiet && elapsed.Elapsed < timeout)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (result is null)
            {
                await Task.Delay(100, cancellationToken);
                continue;
            }

            await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken);
            messages.Add(Read(result));
            emptySince = elapsed.Elapsed;
        }

        return messages;
    }

    /// <summary>True when the queue exists (a passive declare; a missing queue closes only the throwaway channel).</summary>
    public async Task<bool> QueueExistsAsync(string queue, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    /// <summary>Ready messages in a queue (not those delivered and not yet acknowledged).</summary>
    public async Task<uint> MessageCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await channel.MessageCountAsync(queue, cancellationToken);
    }

    public async Task PurgeQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        if (!await QueueExistsAsync(queue, cancellationToken))
            return;
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueuePurgeAsync(queue, cancellationToken);
    }

    /// <summary>
    /// Declares <paramref name="queue"/> (not durable, gone after 10 idle minutes should cleanup never run) bound to the
    /// message-type exchanges, declared as MassTransit declares them (durable fanout) in case nothing was published yet:
    /// what a subscriber that is not MassTransit reads.
    /// </summary>
    public async Task BindQueueAsync(string queue, IEnumerable<string> exchanges, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-expires"] = (int)TimeSpan.FromMinutes(10).TotalMilliseconds }, cancellationToken: cancellationToken);
        foreach (var exchange in exchanges)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
        }
    }

    /// <summary>Deletes a queue and the exchange of the same name MassTransit binds to it (if they exist).</summary>
    public async Task DeleteQueueAndExchangeAsync(string name, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
            await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
            await channel.ExchangeDeleteAsync(name, ifUnused: false, cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _publishGate.Dispose();
    }

    private static QueuedMessage Read(BasicGetResult result) => new(
        Encoding.UTF8.GetString(result.Body.Span),
        result.BasicProperties.MessageId,
        result.BasicProperties.ContentType,
        (result.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key, h => h.Value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => "",
            var other => other.ToString() ?? "",
        }));

    private static BasicProperties Properties(string contentType, string? messageId) => new()
    {
        ContentType = contentType,
        MessageId = messageId,
        DeliveryMode = DeliveryModes.Persistent,
    };

    private async Task PublishAsync(string exchange, ReadOnlyMemory<byte> body, BasicProperties properties, CancellationToken cancellationToken)
    {
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            var channel = await PublishChannelAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConfirmTimeout);
            await channel.BasicPublishAsync(exchange, "", mandatory: true, properties, body, timeout.Token);
        }
        finally
        {
            _publishGate.Release();
        }
    }

    /// <summary>The channel publishes go on: publisher confirms on, tracked by the client (each publish awaits its confirm).</summary>
    private async Task<IChannel> PublishChannelAsync(CancellationToken cancellationToken)
    {
        if (_publishChannel is not { IsOpen: true })
        {
            var connection = await ConnectionAsync(cancellationToken);
            _publishChannel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        }

        return _publishChannel;
    }

    private async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true })
            return _connection;
        if (_connection is not null)
            await ResetAsync();
        _connection = await _factory.CreateConnectionAsync(cancellationToken);
        return _connection;
    }

    private async Task ResetAsync()
    {
        var channel = _publishChannel;
        var connection = _connection;
        _publishChannel = null;
        _connection = null;
        try
        {
            if (channel is not null)
                await channel.DisposeAsync();
            if (connection is not null)
                await connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Tearing down a connection the broker already dropped: nothing left to release.
        }
    }
}
