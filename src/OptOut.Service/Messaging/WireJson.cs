using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OptOut.Service.Messaging;

/// <summary>
/// Tolerant reader, strict writer, for the bus and the admin API alike: what producers naturally write differently is
/// read either way (an enum name in any letter case, a calling code as a number or a string; unknown fields are
/// ignored, as System.Text.Json does by default), and what the service writes has one form (camelCase, enums as their
/// exact names, calling codes and ids as strings). MassTransit reads and writes with one set of options, so every
/// tolerance here lives in a converter's <c>Read</c> and every <c>Write</c> is strict.
/// </summary>
public static class WireJson
{
    /// <summary>The JSON name of the properties that hold a country calling code (<see cref="CallingCodeConverter"/>).</summary>
    public const string CallingCodeProperty = "defaultCountryCode";

    /// <summary>Adds the converters to <paramref name="options"/> once (MassTransit's options are shared by every bus in the process).</summary>
    public static JsonSerializerOptions UseTolerantReading(this JsonSerializerOptions options)
    {
        if (options.Converters.Any(c => c is ExactNameEnumConverter))
            return options;

        // First, so it wins over any enum converter already registered.
        options.Converters.Insert(0, new ExactNameEnumConverter());
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(ReadCallingCodes);
        return options;
    }

    /// <summary>The field a <see cref="JsonException"/> is about, from its path (<c>$.languages[0].optOutMessage</c> → <c>languages[0].optOutMessage</c>).</summary>
    public static string? Field(JsonException exception) =>
        string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? null : exception.Path.StartsWith("$.", StringComparison.Ordinal) ? exception.Path[2..] : exception.Path;

    /// <summary>
    /// What was wrong, naming the field: <c>source: 'OPTED_OUT' is not a OptOutRequestSource: …</c>. System.Text.Json
    /// adds the path only to its own messages (as <c>Path: $.x | LineNumber…</c>), so it is put in front here once.
    /// </summary>
    public static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var pathAt = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathAt > 0)
            message = message[..pathAt];
        return Field(exception) is { } field ? $"{field}: {message}" : message;
    }

    /// <summary>The token's JSON text as written (a number's digits exactly, never re-formatted).</summary>
    internal static string RawText(ref Utf8JsonReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.Number => "number",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static void ReadCallingCodes(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var property in type.Properties)
        {
            if (property.PropertyType == typeof(string) && string.Equals(property.Name, CallingCodeProperty, StringComparison.OrdinalIgnoreCase))
                property.CustomConverter = CallingCodeConverter.Instance;
        }
    }
}
