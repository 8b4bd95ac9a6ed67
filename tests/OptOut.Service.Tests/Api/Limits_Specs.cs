using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_a_request_is_too_large : AdminApiSpecification
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Admin:MaxUploadBytes", "2000");
        builder.UseSetting("Admin:MaxJsonBytes", "4096");
    }

    [Test]
    public async Task Should_answer_413_with_problem_details_for_a_json_body()
    {
        using var client = Client();
        var phones = string.Join(", ", Enumerable.Range(0, 500).Select(i => $"+1555201{i:0000}"));
        using var response = await client.PostAsync(Url(Guid.NewGuid(), "opt-outs"), Json(new { phones }));
        var problem = await Expect(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("4,096 bytes"));
    }

    [Test]
    public async Task Should_answer_413_with_problem_details_for_an_upload()
    {
        using var client = Client();
        var csv = "phone\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"+1555201{i:0000}\n"));
        using var response = await client.PostAsync(Url(Guid.NewGuid(), "bulk-uploads"), CsvUpload(csv, dryRun: false));
        var problem = await Expect(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("The file is too large"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("2,000 bytes"));
    }

    [Test]
    public async Task Should_answer_413_for_an_upload_sent_without_a_length()
    {
        using var client = Client();
        var csv = "phone\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"+1555201{i:0000}\n"));
        using var content = CsvUpload(csv, dryRun: false);
        // Chunked: Kestrel finds out while reading the form.
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(Guid.NewGuid(), "bulk-uploads"))
        {
            Content = new StreamContent(new MemoryStream(await content.ReadAsByteArrayAsync())),
        };
        request.Content.Headers.ContentType = content.Headers.ContentType;
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        await Expect(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Should_accept_an_upload_under_the_limit()
    {
        using var client = Client();
        using var response = await client.PostAsync(Url(Guid.NewGuid(), "bulk-uploads"), CsvUpload("phone\n+15552017001\n", dryRun: true));
        await Expect(response, HttpStatusCode.Accepted);
    }
}
