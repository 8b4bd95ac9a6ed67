using System.Globalization;

namespace OptOut.Service.Tests.Api;

/// <summary>A RabbitMQ broker the admin API and panel specs run the real service against.</summary>
public sealed record TestBrokerEndpoint(string Host, int Port, string Username, string Password, string VirtualHost)
{
    /// <summary>The service's configuration keys for this broker (<c>RabbitMq:*</c>).</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings()
    {
        yield return new("RabbitMq:Host", Host);
        yield return new("RabbitMq:Port", Port.ToString(CultureInfo.InvariantCulture));
        yield return new("RabbitMq:Username", Username);
        yield return new("RabbitMq:Password", Password);
        yield return new("RabbitMq:VirtualHost", VirtualHost);
    }

    public override string ToString() => $"{Host}:{Port}, virtual host {VirtualHost}";
}

/// <summary>
/// Finds the broker in <c>RABBITMQ_HOST</c> (default <c>localhost</c>; <c>host</c>, <c>host:port</c> or
/// <c>amqp://user:pass@host:port/vhost</c>, as deploy/start-rabbitmq.sh accepts). When none answers, the fixture is
/// skipped with the reason, or fails under <c>TEST_SETUP=required</c> (<see cref="TestSetup.Missing"/>). On a local broker each fixture gets a virtual host of its own, made
/// with rabbitmqctl and deleted afterwards: every host started by a spec is a competing consumer on the service's
/// queues (<c>opt-out-requested</c>, …), so two hosts sharing a virtual host (another fixture, another test project,
/// a developer's deploy/run.sh) would answer each other's requests from their own databases.
/// </summary>
public static class TestBroker
{
    private const string VirtualHostPrefix = "optout-api-specs-";

    /// <summary>The broker for one fixture; <see cref="TestSetup.Missing"/> when no broker answers.</summary>
    public static async Task<TestBrokerEndpoint> RequireAsync()
    {
        var given = Environment.GetEnvironmentVariable("RABBITMQ_HOST");
        var address = LocalRabbitMq.Parse(string.IsNullOrWhiteSpace(given) ? "localhost" : given.Trim());
        var endpoint = new TestBrokerEndpoint(address.Host, address.Port, address.Username, address.Password, address.VirtualHost);
        // A few tries: a spec elsewhere in the run may be restarting the local broker right now.
        var answers = false;
        for (var attempt = 0; attempt < 10 && !answers; attempt++)
        {
            answers = await LocalRabbitMq.AnswersAsync(endpoint.Host, endpoint.Port);
            if (!answers && attempt < 9)
                await Task.Delay(TimeSpan.FromSeconds(2));
        }

        if (!answers)
        {
            TestSetup.Missing($"No RabbitMQ broker answers on {endpoint.Host}:{endpoint.Port} (RABBITMQ_HOST={given ?? "<unset>"}): "
                          + "start one with deploy/start-rabbitmq.sh or set RABBITMQ_HOST.");
        }

        var rabbitmqctl = LocalRabbitMq.RabbitMqCtl(endpoint.Host);
        if (rabbitmqctl is null || endpoint.VirtualHost != "/")
        {
            TestContext.Progress.WriteLine($"Admin API specs share virtual host '{endpoint.VirtualHost}' of {endpoint.Host}:{endpoint.Port} "
                                           + "(no local rabbitmqctl, or a virtual host was given): another consumer there would compete for their messages.");
            return endpoint;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var vhost = await LocalRabbitMq.CreateVirtualHostAsync(rabbitmqctl, VirtualHostPrefix, endpoint.Username, timeout.Token);
        return endpoint with { VirtualHost = vhost };
    }

    /// <summary>Deletes a virtual host <see cref="RequireAsync"/> made (nothing for a shared one).</summary>
    public static async Task ReleaseAsync(TestBrokerEndpoint? endpoint)
    {
        if (endpoint is null || !endpoint.VirtualHost.StartsWith(VirtualHostPrefix, StringComparison.Ordinal))
            return;
        if (LocalRabbitMq.RabbitMqCtl(endpoint.Host) is not { } rabbitmqctl)
            return;
        try
        {
            await LocalRabbitMq.RunAsync(rabbitmqctl, CancellationToken.None, "delete_vhost", endpoint.VirtualHost);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // The broker may be restarting (another spec); the next run deletes it as abandoned.
            TestContext.Progress.WriteLine($"Could not delete virtual host {endpoint.VirtualHost}: {ex.Message.Split('\n')[0]}");
        }
    }
}
