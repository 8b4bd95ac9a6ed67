using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

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
/// skipped with the reason (CONVENTIONS "Tests"). On a local broker each fixture gets a virtual host of its own, made
/// with rabbitmqctl and deleted afterwards: every host started by a spec is a competing consumer on the service's
/// queues (<c>opt-out-requested</c>, …), so two hosts sharing a virtual host (another fixture, another test project,
/// a developer's deploy/run.sh) would answer each other's requests from their own databases.
/// </summary>
public static class TestBroker
{
    private const string VirtualHostPrefix = "optout-api-specs-";

    /// <summary>The broker for one fixture; <c>Assert.Ignore</c> when no broker answers.</summary>
    public static async Task<TestBrokerEndpoint> RequireAsync()
    {
        var given = Environment.GetEnvironmentVariable("RABBITMQ_HOST");
        var endpoint = Parse(string.IsNullOrWhiteSpace(given) ? "localhost" : given.Trim());
        // A few tries: a spec elsewhere in the run may be restarting the local broker right now.
        var answers = false;
        for (var attempt = 0; attempt < 10 && !answers; attempt++)
        {
            answers = await AnswersAsync(endpoint.Host, endpoint.Port);
            if (!answers && attempt < 9)
                await Task.Delay(TimeSpan.FromSeconds(2));
        }

        if (!answers)
        {
            Assert.Ignore($"No RabbitMQ broker answers on {endpoint.Host}:{endpoint.Port} (RABBITMQ_HOST={given ?? "<unset>"}): "
                          + "start one with deploy/start-rabbitmq.sh or set RABBITMQ_HOST.");
        }

        var rabbitmqctl = LocalRabbitMqCtl(endpoint.Host);
        if (rabbitmqctl is null || endpoint.VirtualHost != "/")
        {
            TestContext.Progress.WriteLine($"Admin API specs share virtual host '{endpoint.VirtualHost}' of {endpoint.Host}:{endpoint.Port} "
                                           + "(no local rabbitmqctl, or a virtual host was given): another consumer there would compete for their messages.");
            return endpoint;
        }

        await DeleteAbandonedAsync(rabbitmqctl);
        var vhost = $"{VirtualHostPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        await RunAsync(rabbitmqctl, "add_vhost", vhost);
        await RunAsync(rabbitmqctl, "set_permissions", "-p", vhost, endpoint.Username, ".*", ".*", ".*");
        return endpoint with { VirtualHost = vhost };
    }

    /// <summary>Deletes a virtual host <see cref="RequireAsync"/> made (nothing for a shared one).</summary>
    public static async Task ReleaseAsync(TestBrokerEndpoint? endpoint)
    {
        if (endpoint is null || !endpoint.VirtualHost.StartsWith(VirtualHostPrefix, StringComparison.Ordinal))
            return;
        if (LocalRabbitMqCtl(endpoint.Host) is not { } rabbitmqctl)
            return;
        try
        {
            await RunAsync(rabbitmqctl, "delete_vhost", endpoint.VirtualHost);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // The broker may be restarting (another spec); the next run deletes it as abandoned.
            TestContext.Progress.WriteLine($"Could not delete virtual host {endpoint.VirtualHost}: {ex.Message.Split('\n')[0]}");
        }
    }

    public static TestBrokerEndpoint Parse(string value)
    {
        string host, user = "guest", password = "guest", vhost = "/";
        var port = 5672;
        if (value.Contains("://", StringComparison.Ordinal))
        {
            var uri = new Uri(value);
            host = uri.Host;
            port = uri.Port > 0 ? uri.Port : 5672;
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                user = Uri.UnescapeDataString(parts[0]);
                password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            }

            var path = uri.AbsolutePath.TrimStart('/');
            if (path.Length > 0)
                vhost = Uri.UnescapeDataString(path);
        }
        else
        {
            var colon = value.LastIndexOf(':');
            host = colon > 0 ? value[..colon] : value;
            if (colon > 0)
                port = int.Parse(value[(colon + 1)..], CultureInfo.InvariantCulture);
        }

        return new TestBrokerEndpoint(host, port, user, password, vhost);
    }

    /// <summary>Virtual hosts of earlier runs killed before their teardown (their process is gone).</summary>
    private static async Task DeleteAbandonedAsync(string rabbitmqctl)
    {
        var listed = await RunAsync(rabbitmqctl, "list_vhosts", "--quiet", "--no-table-headers", "name");
        foreach (var vhost in listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!vhost.StartsWith(VirtualHostPrefix, StringComparison.Ordinal))
                continue;
            if (int.TryParse(vhost[VirtualHostPrefix.Length..].Split('-')[0], CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
                await RunAsync(rabbitmqctl, "delete_vhost", vhost);
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? LocalRabbitMqCtl(string host)
    {
        if (host is not ("localhost" or "127.0.0.1" or "::1" or "[::1]"))
            return null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "rabbitmqctl"))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<bool> AnswersAsync(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> RunAsync(string rabbitmqctl, params string[] arguments)
    {
        var start = new ProcessStartInfo(rabbitmqctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {rabbitmqctl}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {string.Join(' ', arguments)} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout} {await stderr}");
        return await stdout;
    }
}
