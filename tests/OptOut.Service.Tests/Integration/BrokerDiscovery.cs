using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;

namespace OptOut.Service.Tests.Integration;

/// <summary>Where the broker the integration specs use answers, and how (if at all) the specs may restart it.</summary>
public sealed record BrokerEndpoint(string Host, int Port, string Username, string Password, string VirtualHost, IBrokerControl? Control, string? NoControlReason)
{
    public override string ToString() => $"{Host}:{Port}, virtual host {VirtualHost}";
}

/// <summary>
/// Stops and starts the broker's RabbitMQ application (the Erlang node stays up, as in a rolling restart), and sets
/// policies (<c>rabbitmqctl set_policy</c>), e.g. a queue that refuses every message so the broker nacks its publishes.
/// </summary>
public interface IBrokerControl
{
    Task StopAppAsync(CancellationToken cancellationToken);

    Task StartAppAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sets policy <paramref name="name"/> in <paramref name="virtualHost"/>: <paramref name="definitionJson"/> (e.g.
    /// <c>{"max-length":0,"overflow":"reject-publish"}</c>) applies to every <paramref name="applyTo"/> (<c>queues</c>,
    /// <c>exchanges</c> or <c>all</c>) whose name matches the regular expression <paramref name="pattern"/>.
    /// </summary>
    Task SetPolicyAsync(string virtualHost, string name, string pattern, string definitionJson, string applyTo, CancellationToken cancellationToken);

    Task ClearPolicyAsync(string virtualHost, string name, CancellationToken cancellationToken);
}

/// <summary>
/// Finds the broker once per test run: <c>RABBITMQ_HOST</c> when set (it must answer); else a broker that answers on
/// localhost:5672; else a Testcontainers broker when a Docker engine exists; else every integration fixture is skipped
/// with the reason, or fails under <c>TEST_SETUP=required</c> (<see cref="TestSetup.Missing"/>).
/// </summary>
public static class BrokerDiscovery
{
    private const string VirtualHostPrefix = "optout-specs-";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static BrokerEndpoint? _endpoint;
    private static string? _unavailable;
    private static RabbitMqContainer? _container;

    /// <summary>The broker; <see cref="TestSetup.Missing"/> (the fixture is skipped or fails, with the reason) when there is none.</summary>
    public static async Task<BrokerEndpoint> RequireAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_endpoint is null && _unavailable is null)
                (_endpoint, _unavailable) = await DiscoverAsync();
        }
        finally
        {
            Gate.Release();
        }

        if (_endpoint is null)
            TestSetup.Missing(_unavailable ?? "no RabbitMQ broker");
        return _endpoint;
    }

    /// <summary>Disposes the Testcontainers broker, if one was started (called once, after every fixture).</summary>
    public static async Task DisposeAsync()
    {
        if (_endpoint is { Control: RabbitMqCtl ctl } endpoint && endpoint.VirtualHost.StartsWith(VirtualHostPrefix, StringComparison.Ordinal))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await LocalRabbitMq.RunAsync(ctl.Path, timeout.Token, "delete_vhost", endpoint.VirtualHost);
        }

        if (_container is not null)
            await _container.DisposeAsync();
        _container = null;
    }

    /// <summary>
    /// Gives this test run a virtual host of its own on a local broker that the run can administer: the service's
    /// queues (<c>inbound-message</c>, …) are then this run's alone, so another service on the same broker (a benchmark,
    /// a developer's <c>deploy/run.sh</c>) can't consume the specs' messages as a competing consumer, and nothing is left
    /// behind (the virtual host is deleted after the run). An explicitly given virtual host is used as it is.
    /// </summary>
    private static async Task<BrokerEndpoint> IsolateAsync(BrokerEndpoint endpoint)
    {
        if (endpoint.Control is not RabbitMqCtl ctl || endpoint.VirtualHost != "/")
        {
            TestContext.Progress.WriteLine($"Integration specs share virtual host '{endpoint.VirtualHost}' of {endpoint.Host}:{endpoint.Port}: "
                                           + "another consumer of the service's queues there would compete for the specs' messages.");
            return endpoint;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var vhost = await LocalRabbitMq.CreateVirtualHostAsync(ctl.Path, VirtualHostPrefix, endpoint.Username, timeout.Token);
        return endpoint with { VirtualHost = vhost };
    }

    private static async Task<(BrokerEndpoint?, string?)> DiscoverAsync()
    {
        var given = Environment.GetEnvironmentVariable("RABBITMQ_HOST");
        if (!string.IsNullOrWhiteSpace(given))
        {
            var endpoint = Parse(given.Trim());
            if (!await LocalRabbitMq.AnswersAsync(endpoint.Host, endpoint.Port))
            {
                // An explicitly configured broker that is down is a failure, never a silent skip.
                Assert.Fail($"RABBITMQ_HOST={given}, but nothing answers on {endpoint.Host}:{endpoint.Port}");
            }

            return (await IsolateAsync(endpoint), null);
        }

        if (await LocalRabbitMq.AnswersAsync("localhost", LocalRabbitMq.DefaultPort))
            return (await IsolateAsync(Parse("localhost")), null);

        try
        {
            // Throws DockerUnavailableException at once when there is no Docker engine.
            _container = new RabbitMqBuilder("rabbitmq:3.13-alpine").Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await _container.StartAsync(timeout.Token);
            var uri = new Uri(_container.GetConnectionString());
            var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
            var password = Uri.UnescapeDataString(uri.UserInfo.Split(':').ElementAtOrDefault(1) ?? "");
            return (new BrokerEndpoint(uri.Host, uri.Port, user, password, "/", new ContainerControl(_container), null), null);
        }
        catch (DockerUnavailableException ex)
        {
            return (null, "No RabbitMQ broker: RABBITMQ_HOST is not set, nothing answers on localhost:5672, and Testcontainers "
                          + $"can't start one ({ex.Message.Split('\n')[0].Trim()}). Set RABBITMQ_HOST or run deploy/start-rabbitmq.sh.");
        }
    }

    /// <summary>Accepts what deploy/start-rabbitmq.sh accepts (<see cref="LocalRabbitMq.Parse"/>), with how to restart that broker.</summary>
    public static BrokerEndpoint Parse(string value)
    {
        var address = LocalRabbitMq.Parse(value);
        var (control, reason) = LocalControl(address.Host);
        return new BrokerEndpoint(address.Host, address.Port, address.Username, address.Password, address.VirtualHost, control, reason);
    }

    private static (IBrokerControl?, string?) LocalControl(string host)
    {
        if (!LocalRabbitMq.IsLocal(host))
            return (null, $"the broker at {host} is remote: this machine's rabbitmqctl can't restart it");
        return LocalRabbitMq.RabbitMqCtl(host) is { } rabbitmqctl
            ? (new RabbitMqCtl(rabbitmqctl), null)
            : (null, "rabbitmqctl is not on PATH, so the specs can't restart the local broker");
    }

    /// <summary>The local node through rabbitmqctl (the broker must be this machine's).</summary>
    private sealed class RabbitMqCtl(string path) : IBrokerControl
    {
        public string Path { get; } = path;

        public Task StopAppAsync(CancellationToken cancellationToken) => LocalRabbitMq.RunAsync(Path, cancellationToken, "stop_app");

        public async Task StartAppAsync(CancellationToken cancellationToken)
        {
            await LocalRabbitMq.RunAsync(Path, cancellationToken, "start_app");
            await LocalRabbitMq.RunAsync(Path, cancellationToken, "await_startup");
        }

        public Task SetPolicyAsync(string virtualHost, string name, string pattern, string definitionJson, string applyTo,
            CancellationToken cancellationToken) =>
            LocalRabbitMq.RunAsync(Path, cancellationToken, "set_policy", "-p", virtualHost, "--apply-to", applyTo, name, pattern, definitionJson);

        public Task ClearPolicyAsync(string virtualHost, string name, CancellationToken cancellationToken) =>
            LocalRabbitMq.RunAsync(Path, cancellationToken, "clear_policy", "-p", virtualHost, name);
    }

    /// <summary>A Testcontainers broker, through rabbitmqctl inside the container.</summary>
    private sealed class ContainerControl(RabbitMqContainer container) : IBrokerControl
    {
        public Task StopAppAsync(CancellationToken cancellationToken) => RunAsync(["rabbitmqctl", "stop_app"], cancellationToken);

        public async Task StartAppAsync(CancellationToken cancellationToken)
        {
            await RunAsync(["rabbitmqctl", "start_app"], cancellationToken);
            await RunAsync(["rabbitmqctl", "await_startup"], cancellationToken);
        }

        public Task SetPolicyAsync(string virtualHost, string name, string pattern, string definitionJson, string applyTo,
            CancellationToken cancellationToken) =>
            RunAsync(["rabbitmqctl", "set_policy", "-p", virtualHost, "--apply-to", applyTo, name, pattern, definitionJson], cancellationToken);

        public Task ClearPolicyAsync(string virtualHost, string name, CancellationToken cancellationToken) =>
            RunAsync(["rabbitmqctl", "clear_policy", "-p", virtualHost, name], cancellationToken);

        private async Task RunAsync(IList<string> command, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var result = await container.ExecAsync(command, timeout.Token);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"{string.Join(' ', command)} exited with {result.ExitCode}: {result.Stdout} {result.Stderr}");
        }
    }
}

/// <summary>Disposes what <see cref="BrokerDiscovery"/> started, after every fixture of the namespace ran.</summary>
[SetUpFixture]
public sealed class BrokerSetUpFixture
{
    [OneTimeTearDown]
    public Task DisposeBroker() => BrokerDiscovery.DisposeAsync();
}
