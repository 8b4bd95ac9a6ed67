using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using OptOut.Contracts;

namespace OptOut.AsyncApi;

/// <summary>Which way a message travels, seen from the service: its schema is the tolerant reader's or the strict writer's.</summary>
public enum Direction
{
    /// <summary>A message the service consumes: what it accepts (a number for a field marked <see cref="AcceptsJsonNumberAttribute"/>, explicit nulls for optional fields).</summary>
    Consumed,

    /// <summary>A message the service publishes: the one form it writes.</summary>
    Published,
}

/// <summary>
/// JSON Schemas (draft 2020-12) of the contract records, by reflection over their properties in the wire format the
/// service configures (System.Text.Json, camelCase, enums as their names): the component schemas of the AsyncAPI
/// document, each nested record and enum once under its own name.
/// <para>Keywords are kept to those draft-07 reads the same way (a <c>$ref</c> never has siblings; a description
/// beside one wraps it in <c>allOf</c>), so AsyncAPI tools, whose schema dialect is draft-07's superset, read them as
/// written. Fields are open: producers and consumers of an older version ignore a field added later.</para>
/// </summary>
public sealed class ContractSchemas(ContractDocs docs, string contractNamespace)
{
    public ContractSchemas(ContractDocs docs)
        : this(docs, typeof(InboundMessage).Namespace!)
    {
    }

    public const string MessageDataName = "MessageDataReference";

    /// <summary>The wire form of a MassTransit <c>TimeSpan</c>: System.Text.Json's constant format, <c>[-][d.]hh:mm:ss[.fffffff]</c>.</summary>
    private const string TimeSpanPattern = @"^-?(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{1,7})?$";

    private readonly NullabilityInfoContext _nullability = new();
    private readonly Dictionary<(Type, Direction), string> _names = [];

    /// <summary>Component schemas by name, in the order they were first referenced.</summary>
    public JsonObject Components { get; } = new();

    /// <summary>A reference to the component schema of <paramref name="type"/> as it travels in <paramref name="direction"/>, generating it (and what it references) on first use.</summary>
    public JsonObject Reference(Type type, Direction direction) => Ref(NameOf(type, direction));

    private static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };

    private string NameOf(Type type, Direction direction)
    {
        if (_names.TryGetValue((type, direction), out var known))
            return known;

        var schema = type == typeof(MessageData<Stream>) ? MessageDataSchema()
            : type.IsEnum ? EnumSchema(type)
            : RecordSchema(type, direction);
        var name = type == typeof(MessageData<Stream>) ? MessageDataName : type.Name;
        // A nested record holding a number-tolerant field reads differently in each direction: two components then.
        if (Components[name] is { } existing && !JsonNode.DeepEquals(existing, schema))
            name += direction == Direction.Consumed ? "Input" : "Output";
        if (Components[name] is null)
            Components[name] = schema;
        _names[(type, direction)] = name;
        return name;
    }

    private JsonObject RecordSchema(Type type, Direction direction)
    {
        if (type.Namespace != contractNamespace || !type.IsClass)
            throw new NotSupportedException($"{type.FullName} is not a contract record: map it in {nameof(ContractSchemas)} first.");

        var properties = new JsonObject();
        var required = new JsonArray();
        // Declaration order, as the serializer writes them.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var isRequired = IsRequired(property, direction);
            properties[name] = PropertySchema(property, direction, isRequired);
            if (isRequired)
                required.Add(name);
        }

        var schema = new JsonObject
        {
            ["title"] = type.Name,
            ["description"] = docs.Of(type),
            ["type"] = "object",
        };
        if (required.Count > 0)
            schema["required"] = required;
        schema["properties"] = properties;
        return schema;
    }

    /// <summary>
    /// Required on input: <see cref="RequiredAttribute"/> or a C# <c>required</c> member (the consumer rejects the message
    /// without it). Required on output: those too, and every field that can't be null, since the service writes it always.
    /// </summary>
    private bool IsRequired(PropertyInfo property, Direction direction) =>
        property.IsDefined(typeof(RequiredMemberAttribute)) || property.IsDefined(typeof(RequiredAttribute))
        || (direction == Direction.Published && !IsNullable(property));

    private bool IsNullable(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && _nullability.Create(property).ReadState != NullabilityState.NotNull);

    private JsonObject PropertySchema(PropertyInfo property, Direction direction, bool isRequired)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var schema = ValueSchema(type, direction);
        // An account id is read from a string or an integer (AccountIdJsonConverter), as a field marked [AcceptsJsonNumber].
        var acceptsNumber = direction == Direction.Consumed && (property.IsDefined(typeof(AcceptsJsonNumberAttribute)) || type == typeof(AccountId));
        if (property.IsDefined(typeof(AcceptsJsonNumberAttribute)) && type != typeof(string))
            throw new NotSupportedException($"{property.DeclaringType!.Name}.{property.Name}: [AcceptsJsonNumber] is for string fields only.");
        ApplyAnnotations(property, schema);

        var types = new List<string>();
        if (acceptsNumber)
            types.AddRange(["string", "integer"]);
        // A field that may be left out may also be sent as null; a required one may not.
        var nullable = !isRequired && IsNullable(property);

        if (schema.ContainsKey("$ref"))
        {
            var wrapped = new JsonObject { ["description"] = docs.Of(property) };
            if (nullable)
                wrapped["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" });
            else
                wrapped["allOf"] = new JsonArray(schema);
            return wrapped;
        }

        if (types.Count == 0)
            types.Add((string)schema["type"]!);
        if (nullable)
            types.Add("null");
        schema["type"] = types.Count == 1 ? types[0] : new JsonArray([.. types.Select(t => (JsonNode)t)]);
        var described = new JsonObject { ["description"] = docs.Of(property) };
        foreach (var (key, value) in schema)
            described[key] = value?.DeepClone();
        return described;
    }

    /// <summary>The DataAnnotations on a contract property: lengths and patterns of strings, ranges of numbers, counts of lists.</summary>
    private static void ApplyAnnotations(PropertyInfo property, JsonObject schema)
    {
        var isArray = (string?)schema["type"] == "array";
        if (property.GetCustomAttribute<StringLengthAttribute>() is { } length)
        {
            if (length.MinimumLength > 0)
                schema[isArray ? "minItems" : "minLength"] = length.MinimumLength;
            schema[isArray ? "maxItems" : "maxLength"] = length.MaximumLength;
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } min)
            schema[isArray ? "minItems" : "minLength"] = min.Length;
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max)
            schema[isArray ? "maxItems" : "maxLength"] = max.Length;
        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } regex)
            schema["pattern"] = regex.Pattern;
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema["minimum"] = JsonValue.Create(Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture));
            schema["maximum"] = JsonValue.Create(Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture));
        }
    }

    private JsonObject ValueSchema(Type type, Direction direction)
    {
        if (type == typeof(string))
            return new JsonObject { ["type"] = "string" };
        if (type == typeof(Guid))
            return new JsonObject { ["type"] = "string", ["format"] = "uuid" };
        if (type == typeof(AccountId))
            return new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = AccountId.MaxLength, ["pattern"] = AccountId.Pattern };
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        if (type == typeof(TimeSpan))
            return new JsonObject { ["type"] = "string", ["pattern"] = TimeSpanPattern };
        if (type == typeof(bool))
            return new JsonObject { ["type"] = "boolean" };
        if (type == typeof(int) || type == typeof(long))
            return new JsonObject { ["type"] = "integer" };
        if (type == typeof(double) || type == typeof(decimal))
            return new JsonObject { ["type"] = "number" };
        if (type.IsEnum || type == typeof(MessageData<Stream>) || (type.IsClass && type.Namespace == contractNamespace))
            return Reference(type, direction);
        if (ElementType(type) is { } element)
            return new JsonObject { ["type"] = "array", ["items"] = ValueSchema(element, direction) };
        throw new NotSupportedException($"No JSON Schema mapping for {type.FullName}: add one to {nameof(ContractSchemas)}.");
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
            return type.GetElementType();
        if (type.IsGenericType && type.GetGenericArguments() is [var element]
            && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type))
            return element;
        return null;
    }

    /// <summary>An enum travels as one of its names (the converter is registered with integer values off).</summary>
    private JsonObject EnumSchema(Type type)
    {
        var names = Enum.GetNames(type);
        var lines = names.Select(n => $"- `{n}`: {docs.Of(type, n)}");
        return new JsonObject
        {
            ["title"] = type.Name,
            ["description"] = docs.Of(type) + " Read in any letter case; written as listed.\n\n" + string.Join("\n", lines),
            ["type"] = "string",
            ["enum"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
        };
    }

    /// <summary>
    /// MassTransit's message data (a claim check), as its System.Text.Json converter writes it: the address of the
    /// stored data, or small data inline.
    /// </summary>
    private static JsonObject MessageDataSchema() => new()
    {
        ["title"] = MessageDataName,
        ["description"] = "MassTransit message data (a claim check): `data-ref` is the address of the data in the message data store the "
            + "service uses (MongoDB GridFS, or the `message-data` folder beside the SQLite file); small data may travel inline as `text` or "
            + "`data` instead.",
        ["type"] = "object",
        ["minProperties"] = 1,
        ["properties"] = new JsonObject
        {
            ["data-ref"] = new JsonObject { ["description"] = "Where the data is stored (a MassTransit message data address).", ["type"] = "string", ["format"] = "uri" },
            ["text"] = new JsonObject { ["description"] = "The data inline, as text.", ["type"] = "string" },
            ["data"] = new JsonObject { ["description"] = "The data inline, base64.", ["type"] = "string", ["contentEncoding"] = "base64" },
        },
    };
}
