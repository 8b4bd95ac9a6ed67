using OptOut.Contracts;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The whole service (Program, through WebApplicationFactory) on a real Kestrel port and the real RabbitMQ broker,
/// SQLite in a temp folder, configured with two API keys: <see cref="AdminKey"/> for every account and
/// <see cref="LimitedKey"/> for <see cref="LimitedAccount"/> only. One host per fixture (or <see cref="Instances"/>
/// of them on the same database file and virtual host, as two instances behind a load balancer); each test uses
/// account ids of its own. Kestrel rather than TestServer: the body size limits (413) are Kestrel's.
/// </summary>
public abstract class AdminApiSpecification
{
    protected const string AdminKey = "specs-admin-key";
    protected const string AdminName = "alice";
    protected const string LimitedKey = "specs-limited-key";
    protected const string LimitedName = "bob";

    /// <summary>How long a test waits for the service to finish something asynchronous (an upload, an undo).</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<WebApplicationFactory<Program>> _factories = [];
    private TestBrokerEndpoint? _broker;
    private string _directory = "";

    protected AccountId LimitedAccount { get; } = AccountId.Parse("Limited-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The services of the first instance.</summary>
    protected IServiceProvider Services => _factories[0].Services;

    /// <summary>How many service instances the fixture runs (they compete for the same queues).</summary>
    protected virtual int Instances => 1;

    /// <summary>Extra settings of a fixture (for example a small upload limit).</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>The services of instance <paramref name="instance"/> (0-based).</summary>
    protected IServiceProvider ServicesOf(int instance) => _factories[instance].Services;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _broker = await TestBroker.RequireAsync();
        _directory = Path.Combine(Path.GetTempPath(), "optout-api-specs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        for (var instance = 0; instance < Instances; instance++)
            _factories.Add(await StartInstance());
    }

    private async Task<WebApplicationFactory<Program>> StartInstance()
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Urls", "http://127.0.0.1:0");
            b.UseSetting("Storage:Provider", "Sqlite");
            b.UseSetting("Storage:SqlitePath", Path.Combine(_directory, "optout.db"));
            foreach (var (key, value) in _broker!.Settings())
                b.UseSetting(key, value);
            b.UseSetting("Admin:ApiKeys:0:Key", AdminKey);
            b.UseSetting("Admin:ApiKeys:0:Name", AdminName);
            b.UseSetting("Admin:ApiKeys:0:Accounts:0", "*");
            b.UseSetting("Admin:ApiKeys:1:Key", LimitedKey);
            b.UseSetting("Admin:ApiKeys:1:Name", LimitedName);
            b.UseSetting("Admin:ApiKeys:1:Accounts:0", LimitedAccount.ToString());
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            Configure(b);
        });
        factory.UseKestrel(0);
        factory.StartServer();

        // Ready = the bus is connected and the store answers.
        using var client = factory.CreateClient();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
                break;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the service did not get ready on {_broker}: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }

        return factory;
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        foreach (var factory in _factories)
            await factory.DisposeAsync();
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

    /// <summary>A client of instance <paramref name="instance"/> sending <paramref name="key"/> in X-Api-Key (none when null).</summary>
    protected HttpClient Client(string? key = AdminKey, int instance = 0)
    {
        var client = _factories[instance].CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    protected static Uri Url(AccountId account, string path) => new($"/api/accounts/{account}/{path}", UriKind.Relative);

    protected static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    protected static async Task<JsonElement> ReadJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"{(int)response.StatusCode} answered with a body that isn't JSON: {text}");
            throw;
        }
    }

    /// <summary>Asserts the status and returns the JSON body; the body is in the failure message.</summary>
    protected static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    protected static MultipartFormDataContent CsvUpload(string csv, bool dryRun, string fileName = "numbers.csv")
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent
        {
            { file, "file", fileName },
            { new StringContent(dryRun ? "true" : "false"), "dryRun" },
        };
    }

    /// <summary>Polls a status URL about every 250 ms until the upload's status is one of <paramref name="statuses"/>.</summary>
    protected async Task<JsonElement> PollUpload(HttpClient client, string statusUrl, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + Patience;
        var seen = new List<string>();
        while (true)
        {
            using var response = await client.GetAsync(new Uri(statusUrl, UriKind.Relative));
            var body = await Expect(response, HttpStatusCode.OK);
            var status = body.GetProperty("status").GetString()!;
            if (seen.Count == 0 || seen[^1] != status)
                seen.Add(status);
            if (statuses.Contains(status))
                return body;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the upload went through {string.Join(" → ", seen)} but never reached {string.Join("/", statuses)}");
            await Task.Delay(250);
        }
    }

    protected static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);
}
