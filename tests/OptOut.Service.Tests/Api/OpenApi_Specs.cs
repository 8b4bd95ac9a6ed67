using System.Net;
using System.Text.Json;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_reading_the_openapi_document : AdminApiSpecification
{
    private const string Prefix = "/api/accounts/{accountId}/";

    [Test]
    public async Task Should_list_every_admin_path()
    {
        var paths = (await Document()).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            Prefix + "settings", Prefix + "opt-outs", Prefix + "opt-outs.csv", Prefix + "opt-outs/{phone}",
            Prefix + "bulk-uploads", Prefix + "bulk-uploads/{uploadId}", Prefix + "bulk-uploads/{uploadId}/report.csv",
            Prefix + "bulk-uploads/{uploadId}/undo",
        }));
    }

    [Test]
    public async Task Should_give_every_documented_answer_a_schema()
    {
        var document = await Document();
        var answers = new List<string>();
        var missing = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject())
                {
                    var answer = $"{operation.Name.ToUpperInvariant()} {path.Name} {response.Name}";
                    answers.Add(answer);
                    var media = response.Value.TryGetProperty("content", out var content) ? content.EnumerateObject().ToList() : [];
                    if (media.Count == 0 || media.Any(m => !m.Value.TryGetProperty("schema", out var schema) || Resolve(document, schema) is null))
                        missing.Add(answer);
                }
            }
        }

        Assert.That(missing, Is.Empty, "answers documented without a schema");
        Assert.That(answers, Is.SupersetOf(new[]
        {
            $"GET {Prefix}settings 200", $"PUT {Prefix}settings 200", $"PUT {Prefix}settings 400", $"PUT {Prefix}settings 202",
            $"POST {Prefix}opt-outs 200", $"POST {Prefix}opt-outs 202", $"POST {Prefix}opt-outs 400", $"POST {Prefix}opt-outs 413",
            $"POST {Prefix}opt-outs 503", $"GET {Prefix}opt-outs/{{phone}} 200", $"GET {Prefix}opt-outs/{{phone}} 404",
            $"DELETE {Prefix}opt-outs/{{phone}} 200", $"DELETE {Prefix}opt-outs/{{phone}} 202", $"DELETE {Prefix}opt-outs/{{phone}} 400",
            $"GET {Prefix}opt-outs.csv 200", $"POST {Prefix}bulk-uploads 202", $"POST {Prefix}bulk-uploads 413", $"GET {Prefix}bulk-uploads 200",
            $"GET {Prefix}bulk-uploads/{{uploadId}} 200", $"GET {Prefix}bulk-uploads/{{uploadId}} 404", $"GET {Prefix}bulk-uploads/{{uploadId}}/report.csv 200",
            $"POST {Prefix}bulk-uploads/{{uploadId}}/undo 202", $"POST {Prefix}bulk-uploads/{{uploadId}}/undo 409", $"GET {Prefix}settings 401",
            $"GET {Prefix}settings 403",
        }));
    }

    [Test]
    public async Task Should_describe_the_fields_of_a_numbers_record()
    {
        var document = await Document();
        var answer = document.GetProperty("paths").GetProperty(Prefix + "opt-outs/{phone}").GetProperty("get").GetProperty("responses").GetProperty("200");
        var schema = Resolve(document, answer.GetProperty("content").GetProperty("application/json").GetProperty("schema"))!.Value;
        Assert.That(schema.GetProperty("properties").EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "phoneNumber", "state", "source", "note", "actor", "optedOutAt", "updatedAt", "flagged", "history" }));
    }

    [Test]
    public async Task Should_serve_the_panel_at_the_root()
    {
        using var client = Client(key: null);
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("<title>Opt Out Management</title>"));
    }

    private async Task<JsonElement> Document()
    {
        using var client = Client(key: null);
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        return await Expect(response, HttpStatusCode.OK);
    }

    /// <summary>The schema itself, following a <c>$ref</c> into the components; null when the reference leads nowhere.</summary>
    private static JsonElement? Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
            return schema.ValueKind == JsonValueKind.Object && schema.EnumerateObject().Any() ? schema : null;
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var found) ? found : null;
    }
}
