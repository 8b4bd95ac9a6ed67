using OptOut.Contracts;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using OptOut.Core;
using OptOut.Service.Hosting;
using OptOut.Service.Tests.Api;

namespace OptOut.Service.Tests.Browser;

/// <summary>
/// The real service (OptOutApp.Create, as Program runs it) on a real port, on the real RabbitMQ broker, with SQLite in a
/// temp folder, and Debian's chromium driven by Playwright (headless). One service and one browser per fixture; each
/// test has a browser context (1280×900) and an account of its own, signs in through the panel's form, and leaves a
/// screenshot under the test output (TestContext.CurrentContext.WorkDirectory/screenshots).
/// </summary>
public abstract class PanelSpecification
{
    protected const string ApiKey = "panel-specs-key";
    protected const string KeyName = "carol";
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>How long a browser step may wait for the service (an upload, a bus round trip).</summary>
    protected const float Patience = 60_000;

    private WebApplication? _app;
    private TestBrokerEndpoint? _broker;
    private string _directory = "";
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;

    protected string BaseAddress { get; private set; } = "";

    protected IPage Page { get; private set; } = null!;

    protected AccountId Account { get; private set; }

    /// <summary>The running service's services (its bus, to publish what a contact would text).</summary>
    protected IServiceProvider Services => _app!.Services;

    protected virtual ViewportSize Viewport => new() { Width = 1280, Height = 900 };

    [OneTimeSetUp]
    public async Task StartServiceAndBrowser()
    {
        if (!File.Exists(Chromium))
            TestSetup.Missing($"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser specs.");
        _broker = await TestBroker.RequireAsync();
        _directory = Path.Combine(Path.GetTempPath(), "optout-panel-specs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);

        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:Provider"] = "Sqlite",
            ["Storage:SqlitePath"] = Path.Combine(_directory, "optout.db"),
            ["Admin:ApiKeys:0:Key"] = ApiKey,
            ["Admin:ApiKeys:0:Name"] = KeyName,
            ["Admin:ApiKeys:0:Accounts:0"] = "*",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in _broker.Settings())
            settings[key] = value;
        // The service's own folder as content root: the panel under test is src/OptOut.Service/wwwroot as it is.
        _app = OptOutApp.Create([$"--contentRoot={ServiceFolder()}"], b => b.Configuration.AddInMemoryCollection(settings));
        await _app.StartAsync();
        BaseAddress = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await WaitUntilReady();

        // A step that crosses the bus may wait out a broker reconnect (MassTransit retries): more than Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    [OneTimeTearDown]
    public async Task StopServiceAndBrowser()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await TestBroker.ReleaseAsync(_broker);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            if (_directory.Length > 0)
                Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [SetUp]
    public async Task OpenPage()
    {
        // The platform's own kind of id, with the characters a GUID never has: the panel takes any account id.
        Account = AccountId.Parse("Panel:" + Guid.NewGuid().ToString("N")[..8] + "@acme.example");
        _context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress,
            ViewportSize = Viewport,
            AcceptDownloads = true,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        _context.SetDefaultTimeout(Patience);
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
                TestContext.Progress.WriteLine($"browser console: {message.Text}");
        };
        Page.PageError += (_, error) => TestContext.Progress.WriteLine($"browser page error: {error}");
    }

    [TearDown]
    public async Task SaveScreenshot()
    {
        if (_context is null)
            return;
        try
        {
            var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{GetType().Name}.{TestContext.CurrentContext.Test.MethodName}.png");
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            TestContext.AddTestAttachment(path);
            TestContext.Progress.WriteLine($"screenshot: {path}");
        }
        finally
        {
            await _context.DisposeAsync();
            _context = null;
        }
    }

    /// <summary>Opens the panel with <c>?account=</c> and signs in with the API key, as an administrator would.</summary>
    protected async Task SignIn()
    {
        await Page.GotoAsync($"/?account={Account}");
        await Assertions.Expect(Page.GetByLabel("Account id")).ToHaveValueAsync(Account.ToString());
        await Page.GetByLabel("API key").FillAsync(ApiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Open account" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Opt Out Settings" })).ToBeVisibleAsync();
    }

    /// <summary>Calls the API directly (test setup that isn't what the test is about).</summary>
    protected async Task<HttpResponseMessage> CallApi(HttpMethod method, string path, object? body = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseAddress), Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(method, $"/api/accounts/{Account}/{path}");
        request.Headers.Add("X-Api-Key", ApiKey);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        var response = await client.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    /// <summary>Waits until the service has opted <paramref name="phone"/> out (after a text published on the bus) and returns the record.</summary>
    protected async Task<JsonElement> WaitForOptOut(string phone)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseAddress), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(Patience);
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/api/accounts/{Account}/opt-outs/{Uri.EscapeDataString(phone)}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
                return JsonDocument.Parse(body).RootElement.Clone();
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{phone} was not opted out in time: {(int)response.StatusCode} {body}");
            await Task.Delay(200);
        }
    }

    /// <summary>What the panel's counter under a message says for <paramref name="text"/>, as the service measures it.</summary>
    protected static string Counter(string text)
    {
        var m = SmsSegments.Measure(text.Trim());
        return $"{m.Length} {(m.Length == 1 ? "character" : "characters")} · {m.Segments} {(m.Segments == 1 ? "segment" : "segments")} · {m.Encoding}";
    }

    private async Task WaitUntilReady()
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
                return;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the service did not get ready on {_broker}: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    /// <summary>src/OptOut.Service of this clone, found from the test's output folder.</summary>
    private static string ServiceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "OptOut.Service");
            if (File.Exists(Path.Combine(candidate, "wwwroot", "index.html")))
                return candidate;
        }

        throw new InvalidOperationException($"src/OptOut.Service/wwwroot not found above {AppContext.BaseDirectory}");
    }
}
