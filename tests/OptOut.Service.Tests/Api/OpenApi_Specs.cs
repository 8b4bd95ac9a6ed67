using System.Net;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_reading_the_openapi_document : AdminApiSpecification
{
    [Test]
    public async Task Should_list_every_admin_path()
    {
        using var client = Client(key: null);
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = await Expect(response, HttpStatusCode.OK);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        const string prefix = "/api/accounts/{accountId}/";
        Assert.That(paths, Is.SupersetOf(new[]
        {
            prefix + "settings", prefix + "opt-outs", prefix + "requests/{requestId}", prefix + "opt-outs.csv", prefix + "opt-outs/{phone}",
            prefix + "bulk-uploads", prefix + "bulk-uploads/{uploadId}", prefix + "bulk-uploads/{uploadId}/report.csv",
            prefix + "bulk-uploads/{uploadId}/undo",
        }));
    }

    [Test]
    public async Task Should_serve_the_panel_at_the_root()
    {
        using var client = Client(key: null);
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("<title>Opt Out Management</title>"));
    }
}
