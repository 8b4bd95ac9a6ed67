using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using OptOut.AsyncApi;

namespace OptOut.Service.Tests.BusApi;

/// <summary>
/// The payload schemas of the committed <c>docs/asyncapi.json</c>, evaluated with JsonSchema.Net (draft 2020-12, formats
/// checked): what a subscriber or producer that validates against the published document would accept. Besides the
/// schema, every field of a payload must be one the schema declares: the schemas are open for readers, so an event
/// field the generator missed would otherwise pass unnoticed.
/// </summary>
public sealed class BusApiSchemas
{
    private static readonly Lazy<BusApiSchemas> Committed = new(() => new BusApiSchemas(File.ReadAllText(CommittedPath)));

    private readonly JsonElement _document;
    private readonly JsonElement _schemas;
    // Lazy: consumers validate on several threads at once, and a schema is built (and registered) once.
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _built = new();
    private readonly SchemaRegistry _registry = new();

    private BusApiSchemas(string document)
    {
        _document = JsonDocument.Parse(document).RootElement;
        _schemas = _document.GetProperty("components").GetProperty("schemas");
    }

    public static string CommittedPath => Path.Combine(Repository.Root(), AsyncApiDocument.RepositoryPath);

    /// <summary>The committed document's schemas.</summary>
    public static BusApiSchemas Shared => Committed.Value;

    /// <summary>The message types the document has a message for.</summary>
    public IReadOnlyList<string> MessageNames =>
        [.. _document.GetProperty("components").GetProperty("messages").EnumerateObject().Select(m => m.Name)];

    /// <summary>Why <paramref name="payload"/> is not a valid <paramref name="messageName"/> (empty when it is).</summary>
    public IReadOnlyList<string> Violations(string messageName, JsonElement payload)
    {
        if (!_document.GetProperty("components").GetProperty("messages").TryGetProperty(messageName, out var message))
            return [$"the document has no message {messageName}"];
        var pointer = message.GetProperty("payload").GetProperty("schema").GetProperty("$ref").GetString()!;
        return Evaluate(pointer[(pointer.LastIndexOf('/') + 1)..], payload, messageName);
    }

    /// <summary>
    /// Why a body as the service publishes it (MassTransit's envelope) is not valid: the envelope against
    /// <c>MassTransitEnvelope</c>, its <c>message</c> against the schema of the type its <c>messageType</c> names.
    /// </summary>
    public IReadOnlyList<string> EnvelopeViolations(JsonElement envelope)
    {
        var violations = Evaluate("MassTransitEnvelope", envelope, "envelope").ToList();
        if (violations.Count > 0)
            return violations;
        var urn = envelope.GetProperty("messageType")[0].GetString()!;
        return Violations(urn[(urn.LastIndexOf(':') + 1)..], envelope.GetProperty("message"));
    }

    /// <summary>As <see cref="EnvelopeViolations(JsonElement)"/>, for a body as read off the broker; never throws, so a handler that checks keeps its event.</summary>
    public IReadOnlyList<string> EnvelopeViolations(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return EnvelopeViolations(json.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return [$"not a readable envelope: {e.GetType().Name}: {e.Message}"];
        }
    }

    private List<string> Evaluate(string schemaName, JsonElement instance, string what)
    {
        var schema = _built.GetOrAdd(schemaName, name => new Lazy<JsonSchema>(() => Build(name))).Value;
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        var violations = new List<string>();
        if (!results.IsValid)
        {
            foreach (var detail in results.Details ?? [])
            {
                foreach (var (keyword, error) in detail.Errors ?? new Dictionary<string, string>())
                    violations.Add($"{what} {detail.InstanceLocation}: {keyword}: {error}");
            }

            if (violations.Count == 0)
                violations.Add($"{what} is not a valid {schemaName}");
        }

        Undeclared(_schemas.GetProperty(schemaName), instance, what, violations);
        return violations;
    }

    /// <summary>
    /// The schema as a document of its own: a <c>$ref</c> to it beside a copy of <c>components</c>, so every reference
    /// (<c>#/components/schemas/...</c>) resolves exactly as it does in the AsyncAPI document.
    /// </summary>
    private JsonSchema Build(string schemaName)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$ref"] = "#/components/schemas/" + schemaName,
            ["components"] = new JsonObject { ["schemas"] = JsonNode.Parse(_schemas.GetRawText()) },
        };
        return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = _registry },
            new Uri($"https://optout.example/asyncapi/{schemaName}.json"));
    }

    /// <summary>Fields of <paramref name="instance"/> that the schema (followed through references and combinators) doesn't declare.</summary>
    private void Undeclared(JsonElement schema, JsonElement instance, string where, List<string> violations)
    {
        schema = Resolve(schema);
        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema.TryGetProperty(combinator, out var options))
            {
                foreach (var option in options.EnumerateArray().Select(Resolve).Where(o => Admits(o, instance.ValueKind)))
                    Undeclared(option, instance, where, violations);
            }
        }

        if (instance.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var field in instance.EnumerateObject())
            {
                if (properties.TryGetProperty(field.Name, out var fieldSchema))
                    Undeclared(fieldSchema, field.Value, $"{where}.{field.Name}", violations);
                else
                    violations.Add($"{where}.{field.Name}: not declared in the schema");
            }
        }
        else if (instance.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in instance.EnumerateArray())
                Undeclared(items, item, $"{where}[{i++}]", violations);
        }
    }

    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } pointer && pointer.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            ? _schemas.GetProperty(pointer["#/components/schemas/".Length..])
            : schema;

    private static bool Admits(JsonElement schema, JsonValueKind kind) =>
        !schema.TryGetProperty("type", out var type) || (type.ValueKind == JsonValueKind.String ? [type.GetString()] : type.EnumerateArray().Select(t => t.GetString()))
            .Any(t => t == kind switch
            {
                JsonValueKind.Object => "object",
                JsonValueKind.Array => "array",
                JsonValueKind.String => "string",
                JsonValueKind.Number => "number",
                JsonValueKind.Null => "null",
                _ => "boolean",
            } || (t == "integer" && kind == JsonValueKind.Number));
}
