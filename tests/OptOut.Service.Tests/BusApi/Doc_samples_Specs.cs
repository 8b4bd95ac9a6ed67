using System.Text.Json;
using System.Text.RegularExpressions;
using OptOut.AsyncApi;

namespace OptOut.Service.Tests.BusApi;

/// <summary>
/// Every message sample in the README and docs/ matches its schema in docs/asyncapi.json: a <c>```json</c> block marked
/// <c>&lt;!-- bus message: TypeName --&gt;</c> (or <c>envelope</c>, for a body as the service publishes it), the JSON a
/// Python or curl sample publishes to an <c>OptOut.Contracts:</c> exchange, and any unmarked JSON block that looks like
/// a message (it has an <c>accountId</c> or a <c>messageType</c>), which must be marked. A sample that doesn't match is
/// a doc bug.
/// </summary>
[TestFixture]
public sealed partial class When_the_docs_show_a_message
{
    [Test]
    public void Should_match_its_schema_in_every_sample()
    {
        var samples = Samples().ToList();
        var violations = samples.SelectMany(s => s.Check().Select(v => $"{s.Where}: {v}")).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            // The README's plain-JSON sample, its envelope, its Python and its curl producer, at the least.
            Assert.That(samples.Count, Is.GreaterThanOrEqualTo(4), "samples found: " + string.Join(", ", samples.Select(s => s.Where)));
        });
    }

    private sealed record Sample(string Where, string? Message, string Json)
    {
        public IReadOnlyList<string> Check()
        {
            JsonElement json;
            try
            {
                json = JsonDocument.Parse(Json).RootElement;
            }
            catch (JsonException e)
            {
                return [$"not JSON: {e.Message}"];
            }

            return Message switch
            {
                null => json.ValueKind == JsonValueKind.Object && (json.TryGetProperty("accountId", out _) || json.TryGetProperty("messageType", out _))
                    ? ["looks like a bus message: mark it <!-- bus message: TypeName --> (or envelope) so it is checked"]
                    : [],
                "envelope" => BusApiSchemas.Shared.EnvelopeViolations(json),
                _ => BusApiSchemas.Shared.Violations(Message, json),
            };
        }
    }

    private static IEnumerable<Sample> Samples()
    {
        var root = Repository.Root();
        var files = new[] { "README.md", "DEVELOPERS.md" }.Select(f => Path.Combine(root, f))
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).ReplaceLineEndings("\n");
            var name = Path.GetRelativePath(root, file);
            foreach (Match block in JsonBlock().Matches(text))
            {
                var line = text[..block.Index].Count(c => c == '\n') + 1;
                var marker = block.Groups["marker"].Success ? block.Groups["marker"].Value : null;
                yield return new Sample($"{name}:{line}", marker, block.Groups["json"].Value);
            }

            foreach (Match curl in CurlPublish().Matches(text))
            {
                var line = text[..curl.Index].Count(c => c == '\n') + 1;
                string payload;
                try
                {
                    payload = JsonDocument.Parse(curl.Groups["body"].Value).RootElement.GetProperty("payload").GetString()!;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException)
                {
                    payload = "the curl body has no JSON payload: " + e.Message;
                }

                yield return new Sample($"{name}:{line} (curl)", curl.Groups["type"].Value, payload);
            }

            foreach (Match python in PythonPublish().Matches(text))
            {
                var line = text[..python.Index].Count(c => c == '\n') + 1;
                yield return new Sample($"{name}:{line} (python)", python.Groups["type"].Value, Balanced(text, python.Index + python.Length));
            }
        }
    }

    /// <summary>The argument of <c>json.dumps(</c> up to its closing parenthesis: kept JSON-compatible so it is checked as JSON.</summary>
    private static string Balanced(string text, int start)
    {
        var depth = 1;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inString = false;
            }
            else if (c == '"')
                inString = true;
            else if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                return text[start..i];
        }

        return text[start..];
    }

    [GeneratedRegex(@"(?:<!-- bus message: (?<marker>\w+) -->\n)?```json\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"/api/exchanges/[^/]+/OptOut\.Contracts:(?<type>\w+)/publish'.*?-d '(?<body>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CurlPublish();

    [GeneratedRegex(@"exchange=""OptOut\.Contracts:(?<type>\w+)"".*?body=json\.dumps\(", RegexOptions.Singleline)]
    private static partial Regex PythonPublish();
}
