using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OptOut.Service.Tests.Api;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// <c>examples/node/stop.js</c> (README "From another language"), run with Node.js against the built service on the
/// real broker, as a platform that is not .NET would: it publishes a STOP as plain JSON and reads the
/// ConversationOptStateChanged and ConfirmationMessageRequested back from queues of its own. The service runs as a
/// process of its own (<see cref="ServiceProcess"/>, as the crash spec runs it) on a virtual host of this fixture's,
/// with a fresh SQLite file. The script runs three times: before the service started (no exchange to publish to),
/// with the service, and once more with the same number, which is opted out already, so nothing is published and
/// the script must give up after its timeout.
/// </summary>
[TestFixture]
public partial class When_a_node_producer_publishes_a_stop
{
    private const string Contact = "+15552014321";
    private const string OurNumber = "+15559870000";
    private const string ApiKey = "node-example-spec-key-0123456789abcdef";
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    private string _directory = null!;
    private string _logPath = null!;
    private string _example = null!;
    private TestBrokerEndpoint? _broker;
    private ServiceProcess? _service;
    private string _accountId = null!;
    private Run _withoutService = null!;
    private Run _stop = null!;
    private Run _again = null!;
    private JsonElement _record;

    [OneTimeSetUp]
    public async Task RunTheExample()
    {
        var dll = ServiceProcess.Locate(out var notBuilt);
        if (dll is null)
            TestSetup.Missing(notBuilt);
        _example = Path.Combine(Path.GetDirectoryName(dll)!, "..", "..", "..", "..", "..", "examples", "node");
        _example = Path.GetFullPath(_example);
        var script = await File.ReadAllTextAsync(Path.Combine(_example, "stop.js"));
        _accountId = AccountConstant().Match(script) is { Success: true } match
            ? match.Groups["id"].Value
            : throw new AssertionException("examples/node/stop.js has no `const ACCOUNT_ID = '...';` line");

        await RequireNodeAsync();
        _broker = await TestBroker.RequireAsync();
        _directory = Path.Combine(Path.GetTempPath(), "optout-node-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _logPath = Path.Combine(_directory, "service.log");
        TestContext.Progress.WriteLine($"Node example: RabbitMQ at {_broker}; data in {_directory}");

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            _withoutService = await RunScriptAsync(TimeSpan.FromSeconds(20), timeout.Token);
            _service = await ServiceProcess.StartAsync(dll, ServiceEnvironment(), _logPath, timeout.Token);
            _stop = await RunScriptAsync(TimeSpan.FromSeconds(60), timeout.Token);
            _again = await RunScriptAsync(TimeSpan.FromSeconds(3), timeout.Token);

            using var http = new HttpClient { BaseAddress = _service.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
            using var response = await http.GetAsync(
                new Uri($"/api/accounts/{Uri.EscapeDataString(_accountId)}/opt-outs/{Uri.EscapeDataString(Contact)}", UriKind.Relative), timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"the service's record of the number: {body}");
            _record = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (Exception ex) when (ex is not IgnoreException)
        {
            TestContext.Progress.WriteLine($"The node example spec failed; the service's log ends with:\n{ServiceProcess.Tail(_logPath)}");
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_service is not null)
            await _service.DisposeAsync();
        await TestBroker.ReleaseAsync(_broker);
        try
        {
            if (_directory is not null && Directory.Exists(_directory))
                Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Test]
    public void Should_exit_0_once_it_read_the_state_change_and_the_confirmation()
    {
        Assert.That(_stop.ExitCode, Is.Zero, _stop.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(_stop.Stdout, Does.Match(@"ConversationOptStateChanged [0-9a-f-]{36}: \*+4321 is OptedOut \(source Keyword"), _stop.ToString());
            Assert.That(_stop.Stdout, Does.Match(@"ConfirmationMessageRequested [0-9a-f-]{36}: send the OptOut text from \*+0000 to \*+4321"), _stop.ToString());
        });
    }

    [Test]
    public void Should_have_opted_the_number_out_in_the_service()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_record.GetProperty("phoneNumber").GetString(), Is.EqualTo(Contact));
            Assert.That(_record.GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
            Assert.That(_record.GetProperty("source").GetString(), Is.EqualTo("Keyword"));
            Assert.That(_record.GetProperty("history").GetArrayLength(), Is.EqualTo(1), "one STOP changed it; the second changed nothing");
        });
    }

    [Test]
    public void Should_print_phone_numbers_masked_to_their_last_4_digits()
    {
        foreach (var run in new[] { _withoutService, _stop, _again })
        {
            var printed = run.Stdout + run.Stderr;
            Assert.Multiple(() =>
            {
                foreach (var number in new[] { Contact, OurNumber })
                    Assert.That(printed, Does.Not.Contain(number[^7..]), $"{number} printed whole: {run}");
            });
        }

        Assert.That(_stop.Stdout, Does.Contain("published STOP from ********4321 to ********0000"), _stop.ToString());
    }

    [Test]
    public void Should_exit_non_zero_after_its_timeout_when_no_event_comes()
    {
        Assert.That(_again.ExitCode, Is.EqualTo(1), _again.ToString());
        Assert.That(_again.Stderr, Does.Contain("FAILED: no ConversationOptStateChanged and no ConfirmationMessageRequested for ********4321 within 3000 ms"),
            _again.ToString());
    }

    [Test]
    public void Should_exit_non_zero_when_the_service_has_not_declared_its_exchange()
    {
        Assert.That(_withoutService.ExitCode, Is.EqualTo(1), _withoutService.ToString());
        Assert.That(_withoutService.Stderr, Does.Contain("the exchange OptOut.Contracts:InboundMessage does not exist"), _withoutService.ToString());
    }

    private Dictionary<string, string> ServiceEnvironment() => new()
    {
        ["Bus__Transport"] = "RabbitMq",
        ["RabbitMq__Host"] = _broker!.Host,
        ["RabbitMq__Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
        ["RabbitMq__VirtualHost"] = _broker.VirtualHost,
        ["RabbitMq__Username"] = _broker.Username,
        ["RabbitMq__Password"] = _broker.Password,
        ["Storage__Provider"] = "Sqlite",
        ["Storage__SqlitePath"] = Path.Combine(_directory, "optout.db"),
        ["Urls"] = "http://127.0.0.1:0",
        ["Admin__ApiKeys__0__Key"] = ApiKey,
        ["Admin__ApiKeys__0__Accounts__0"] = "*",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
    };

    private Task<Run> RunScriptAsync(TimeSpan scriptTimeout, CancellationToken cancellationToken)
    {
        var url = $"amqp://{Uri.EscapeDataString(_broker!.Username)}:{Uri.EscapeDataString(_broker.Password)}@{_broker.Host}:{_broker.Port}/"
                  + Uri.EscapeDataString(_broker.VirtualHost);
        return RunAsync("node", ["stop.js"], new Dictionary<string, string>
        {
            ["AMQP_URL"] = url,
            ["FROM"] = Contact,
            ["TO"] = OurNumber,
            ["TIMEOUT_MS"] = ((int)scriptTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        }, ScriptTimeout, cancellationToken);
    }

    /// <summary>
    /// Node.js on PATH, and the example's dependencies installed (<c>npm ci</c> from its package-lock.json, which needs
    /// the npm registry); else the fixture is skipped, or fails under TEST_SETUP=required.
    /// </summary>
    private async Task RequireNodeAsync()
    {
        Run version = new("node --version", -1, "", "");
        try
        {
            version = await RunAsync("node", ["--version"], new Dictionary<string, string>(), TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            TestSetup.Missing($"Node.js is not installed (node: {ex.Message}); the example needs Node.js 20 or later");
        }

        if (version.ExitCode != 0 || !int.TryParse(version.Stdout.TrimStart('v').Split('.')[0], CultureInfo.InvariantCulture, out var major) || major < 20)
            TestSetup.Missing($"the example needs Node.js 20 or later: `node --version` said {version}");

        if (File.Exists(Path.Combine(_example, "node_modules", "amqplib", "package.json")))
            return;
        var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), NpmTimeout, CancellationToken.None);
        if (install.ExitCode != 0)
            TestSetup.Missing($"`npm ci` in examples/node failed (it needs the npm registry): {install}");
    }

    private async Task<Run> RunAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = _example,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return new Run($"{fileName} {string.Join(' ', arguments)}", process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not exit within {timeout.TotalSeconds:0} s");
        }
    }

    [GeneratedRegex(@"^const ACCOUNT_ID = '(?<id>[^']+)';", RegexOptions.Multiline)]
    private static partial Regex AccountConstant();

    private sealed record Run(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"`{Command}` exited with {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }
}
