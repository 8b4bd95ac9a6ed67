using System.Net;
using System.Text.Json;

namespace OptOut.Service.Tests.Integration;

/// <summary>README "Operations": liveness without dependencies, readiness of the bus and the store.</summary>
[TestFixture]
public class When_the_health_endpoints_are_probed : RabbitMqServiceFixture
{
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void CreateClient() => _http = new HttpClient { BaseAddress = Service.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeTearDown]
    public void DisposeClient() => _http?.Dispose();

    [Test]
    [CancelAfter(30_000)]
    public async Task Should_answer_live(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri("/health/live", UriKind.Relative), cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_answer_ready_with_the_bus_and_the_store_healthy(CancellationToken cancellationToken)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        var body = "";
        await Poll.UntilAsync(async () =>
        {
            using var response = await _http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            return status == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), () => $"/health/ready answered {(int)status}: {body}", cancellationToken);

        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        Assert.Multiple(() =>
        {
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
            Assert.That(checks, Does.ContainKey("store").WithValue("Healthy"));
            Assert.That(checks.Where(c => c.Key.Contains("masstransit", StringComparison.OrdinalIgnoreCase) || c.Key.Contains("bus", StringComparison.OrdinalIgnoreCase)),
                Is.Not.Empty.And.All.Property("Value").EqualTo("Healthy"), body);
        });
    }
}
