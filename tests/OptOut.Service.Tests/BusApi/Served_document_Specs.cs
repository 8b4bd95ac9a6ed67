using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests.BusApi;

/// <summary>
/// The service serves the committed AsyncAPI document at <c>/asyncapi.json</c>, without an API key. The host is the
/// real one (<see cref="OptOutApp.Create"/>) on the in-memory bus: serving a file needs no broker.
/// </summary>
[TestFixture]
public sealed class When_the_service_is_asked_for_its_asyncapi_document
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _directory = "";

    [OneTimeSetUp]
    public async Task StartService()
    {
        _directory = Path.Combine(Path.GetTempPath(), "optout-asyncapi-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _app = OptOutApp.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Bus:Transport"] = "InMemory",
                ["Storage:Provider"] = "Sqlite",
                ["Storage:SqlitePath"] = Path.Combine(_directory, "optout.db"),
                ["Urls"] = "http://127.0.0.1:0",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _http?.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Should_serve_the_committed_document_as_json_without_a_key(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(AsyncApiEndpoint.Path, UriKind.Relative), cancellationToken);
        var served = await response.Content.ReadAsStringAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(served, Is.EqualTo(File.ReadAllText(BusApiSchemas.CommittedPath)), "the served document is the committed one");
        });
    }
}
