using MassTransit;
using OptOut.Service.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OptOut.Benchmarks;

/// <summary>
/// The broker every phase uses: <c>RABBITMQ_HOST</c> (default localhost) and <c>RABBITMQ_VHOST</c> (default /;
/// a vhost of its own keeps a run from sharing exchanges with anything else on the broker), guest/guest
/// unless <c>RABBITMQ_USER</c>/<c>RABBITMQ_PASSWORD</c> say otherwise.
/// </summary>
internal sealed record BrokerSettings(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    /// <summary>A plain RabbitMQ.Client connection to this broker (the benchmarks' raw event listeners).</summary>
    public Task<IConnection> ConnectAsync(string name, CancellationToken cancellationToken) =>
        new ConnectionFactory { HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = Username, Password = Password }
            .CreateConnectionAsync(name, cancellationToken);

    public static BrokerSettings FromEnvironment()
    {
        var defaults = new RabbitMqOptions();
        return new BrokerSettings(
            Env("RABBITMQ_HOST") ?? defaults.Host,
            defaults.Port,
            Env("RABBITMQ_VHOST") ?? defaults.VirtualHost,
            Env("RABBITMQ_USER") ?? defaults.Username,
            Env("RABBITMQ_PASSWORD") ?? defaults.Password);

        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
    }

    public override string ToString() => $"{Host}:{Port}{(VirtualHost.StartsWith('/') ? "" : "/")}{VirtualHost}";

    /// <summary>The configuration keys the service reads (<see cref="RabbitMqOptions"/>).</summary>
    public IEnumerable<KeyValuePair<string, string?>> ServiceConfiguration()
    {
        yield return new($"{RabbitMqOptions.Section}:Host", Host);
        yield return new($"{RabbitMqOptions.Section}:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new($"{RabbitMqOptions.Section}:VirtualHost", VirtualHost);
        yield return new($"{RabbitMqOptions.Section}:Username", Username);
        yield return new($"{RabbitMqOptions.Section}:Password", Password);
    }

    /// <summary>A stand-alone MassTransit bus on this broker, with the service's JSON settings.</summary>
    public IBusControl CreateBus(Action<IRabbitMqBusFactoryConfigurator>? configure = null) =>
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(Host, Port, VirtualHost, h =>
            {
                h.Username(Username);
                h.Password(Password);
            });
            ServiceRegistration.ConfigureJson(cfg);
            configure?.Invoke(cfg);
        });

    /// <summary>
    /// Deletes a queue with RabbitMQ.Client, purging it first so the count of messages left over is reported.
    /// A queue that does not exist is not an error. Returns the messages that were left in it.
    /// </summary>
    public async Task<uint> PurgeAndDeleteQueueAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = await Factory().CreateConnectionAsync("optout-benchmark-admin", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        uint purged;
        try
        {
            purged = await channel.QueuePurgeAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }

        // Deleting also drops the queue's binding, so nothing published from now on is routed to it.
        return purged + await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
    }

    /// <summary>How many consumers the queue has (0 when it does not exist).</summary>
    public async Task<uint> ConsumerCountAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = await Factory().CreateConnectionAsync("optout-benchmark-admin", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).ConsumerCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Deletes an exchange (MassTransit's per-endpoint exchange); a missing one is not an error.</summary>
    public async Task DeleteExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        await using var connection = await Factory().CreateConnectionAsync("optout-benchmark-admin", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeleteAsync(exchange, ifUnused: false, cancellationToken: cancellationToken);
    }

    private ConnectionFactory Factory() => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
    };
}
