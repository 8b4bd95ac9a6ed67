using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// The built service (<c>src/OptOut.Service/bin/&lt;Configuration&gt;/net10.0/OptOut.Service.dll</c>) run as a process of
/// its own with <c>dotnet</c>, so a spec can kill it the way an OOM killer or a node failure does (SIGKILL: no
/// shutdown hooks, no acknowledgement, nothing flushed) and start it again on the same data. Its stdout and stderr
/// go to a log file the spec prints the tail of when it fails.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly LogFile _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, LogFile log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Where the service answers HTTP (read from its "Now listening on" line).</summary>
    public Uri BaseAddress => _listening.Task.IsCompletedSuccessfully ? _listening.Task.Result : throw new InvalidOperationException("the service is not listening yet");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The service dll built in the same configuration as this test assembly, or null with the reason (the solution
    /// root isn't above the test assembly, or the service isn't built).
    /// </summary>
    public static string? Locate(out string reason)
    {
        var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OptOut.Messaging.sln")))
            directory = directory.Parent;
        if (directory is null)
        {
            reason = $"no OptOut.Messaging.sln above {AppContext.BaseDirectory}, so the service dll can't be found";
            return null;
        }

        var dll = Path.Combine(directory.FullName, "src", "OptOut.Service", "bin", configuration, "net10.0", "OptOut.Service.dll");
        if (!File.Exists(dll))
        {
            reason = $"the service is not built: {dll} does not exist (run dotnet build -c {configuration})";
            return null;
        }

        reason = "";
        return dll;
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> with <paramref name="environment"/> on top of this process's, appends
    /// its output to <paramref name="logPath"/>, and waits until <c>/health/ready</c> answers 200 (bus connected, store
    /// answering). The environment must make the host log "Now listening on" (Microsoft.Hosting.Lifetime at
    /// Information) and bind <c>Urls=http://127.0.0.1:0</c>.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, string logPath,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root: appsettings.json next to the dll is read as in production.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var log = new LogFile(logPath);
        log.Write($"---- {DateTimeOffset.Now:O} starting dotnet {dll}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, log);
        process.OutputDataReceived += (_, e) => service.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"could not start dotnet {dll}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.Write($"---- process {process.Id}");

        try
        {
            await service.WaitUntilReadyAsync(cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL, the whole process tree, and waits until it is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            _log.Write($"---- {DateTimeOffset.Now:O} SIGKILL {_process.Id}");
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>The last <paramref name="lines"/> lines of the log (every start and kill of this spec's processes).</summary>
    public static string Tail(string logPath, int lines = 60)
    {
        try
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await KillAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        finally
        {
            _process.Dispose();
            _log.Dispose();
        }
    }

    private void OnOutput(string? line)
    {
        _log.Write(line);
        if (line is not null && ListeningLine().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups["address"].Value));
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (!_listening.Task.IsCompleted)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the service exited with {_process.ExitCode} before it listened");
            if (elapsed.Elapsed > ReadyTimeout)
                throw new TimeoutException($"the service did not log \"Now listening on\" within {ReadyTimeout.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the service exited with {_process.ExitCode} before it was ready");
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "the request timed out";
            }

            if (elapsed.Elapsed > ReadyTimeout)
                throw new TimeoutException($"{BaseAddress}health/ready did not answer 200 within {ReadyTimeout.TotalSeconds:0} s: {last}");
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>Output lines from two reader threads, appended in arrival order and flushed at once (the process may be killed).</summary>
    private sealed class LogFile(string path) : IDisposable
    {
        private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8)
        {
            AutoFlush = true,
        };

        private readonly Lock _gate = new();
        private bool _disposed;

        public void Write(string? line)
        {
            if (line is null)
                return;
            lock (_gate)
            {
                if (!_disposed)
                    _writer.WriteLine(line);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _writer.Dispose();
            }
        }
    }
}
