using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace OptOut.Service.Tests;

/// <summary>A broker address as <c>RABBITMQ_HOST</c> gives it.</summary>
public sealed record RabbitMqAddress(string Host, int Port, string Username, string Password, string VirtualHost);

/// <summary>
/// What every broker-using fixture shares: reading <c>RABBITMQ_HOST</c>, probing the port, and this machine's
/// <c>rabbitmqctl</c> (a virtual host per run, so the specs' service hosts never compete with another consumer of the
/// same queues; restarts for the broker-restart spec).
/// </summary>
public static class LocalRabbitMq
{
    public const int DefaultPort = 5672;

    /// <summary>Accepts what deploy/start-rabbitmq.sh accepts: <c>host</c>, <c>host:port</c> or <c>amqp://user:pass@host:port/vhost</c>.</summary>
    public static RabbitMqAddress Parse(string value)
    {
        string host, user = "guest", password = "guest", vhost = "/";
        var port = DefaultPort;
        if (value.Contains("://", StringComparison.Ordinal))
        {
            var uri = new Uri(value);
            host = uri.Host;
            port = uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port;
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

        return new RabbitMqAddress(host, port, user, password, vhost);
    }

    public static async Task<bool> AnswersAsync(string host, int port)
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

    /// <summary>The path of <c>rabbitmqctl</c> when the broker is this machine's and the tool is on PATH, else null.</summary>
    public static string? RabbitMqCtl(string host)
    {
        if (!IsLocal(host))
            return null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "rabbitmqctl"))
            .FirstOrDefault(File.Exists);
    }

    public static bool IsLocal(string host) => host is "localhost" or "127.0.0.1" or "::1" or "[::1]";

    /// <summary>
    /// Creates a virtual host named <paramref name="prefix"/> + this process id + a random part, with every permission for
    /// <paramref name="username"/>, after deleting the ones of earlier runs that were killed before their teardown (their
    /// process is gone).
    /// </summary>
    public static async Task<string> CreateVirtualHostAsync(string rabbitmqctl, string prefix, string username, CancellationToken cancellationToken)
    {
        var listed = await RunAsync(rabbitmqctl, cancellationToken, "list_vhosts", "--quiet", "--no-table-headers", "name");
        foreach (var abandoned in listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (abandoned.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(abandoned[prefix.Length..].Split('-')[0], CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
                await RunAsync(rabbitmqctl, cancellationToken, "delete_vhost", abandoned);
        }

        var vhost = $"{prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        await RunAsync(rabbitmqctl, cancellationToken, "add_vhost", vhost);
        await RunAsync(rabbitmqctl, cancellationToken, "set_permissions", "-p", vhost, username, ".*", ".*", ".*");
        return vhost;
    }

    /// <summary>Runs rabbitmqctl with a 60 s timeout; returns its standard output, throws when it fails.</summary>
    public static async Task<string> RunAsync(string rabbitmqctl, CancellationToken cancellationToken, params string[] arguments)
    {
        var command = string.Join(' ', arguments);
        var start = new ProcessStartInfo(rabbitmqctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {rabbitmqctl} {command}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {command} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {command} exited with {process.ExitCode}: {await stdout} {await stderr}");
        return await stdout;
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
}
