using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// Enums on the wire: read by name in any letter case (<c>optedOut</c> = <c>OptedOut</c> = <c>OPTEDOUT</c>), written as
/// the exact name. Anything else is refused with the reason: a number (<c>1</c> or <c>"1"</c>), another spelling
/// (<c>OPTED_OUT</c>), surrounding spaces, or a comma list (System.Text.Json's own enum converter reads
/// <c>"Manual, Api"</c> as the flags of both, which for <see cref="OptOut.Contracts.OptOutRequestSource"/> is a
/// different source altogether), so a value a producer got wrong is a fault, never a default or a guess.
/// </summary>
public sealed class ExactNameEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ExactNameEnumConverter<>).MakeGenericType(typeToConvert))!;
}

/// <inheritdoc cref="ExactNameEnumConverter"/>
public sealed class ExactNameEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly FrozenDictionary<string, T> ByName =
        Enum.GetValues<T>().ToFrozenDictionary(v => v.ToString(), v => v, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<T, string> NameOf = Enum.GetValues<T>().ToFrozenDictionary(v => v, v => v.ToString());

    /// <summary>What every refusal ends with: the names that would have been read.</summary>
    private static readonly string Expected = $"expected one of {string.Join(", ", NameOf.Values)} (the name, in any letter case)";

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            var what = reader.TokenType == JsonTokenType.Number ? $"the number {Quoted(ref reader)}" : $"a JSON {WireJson.Describe(reader.TokenType)}";
            throw new JsonException($"{what} is not a {typeof(T).Name}: {Expected}");
        }

        return FromName(reader.GetString()!);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => FromName(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(Name(value));

    private static T FromName(string name) =>
        ByName.TryGetValue(name, out var value)
            ? value
            : throw new JsonException($"'{PhoneMask.MaskNumbersIn(name)}' is not a {typeof(T).Name}: {Expected}");

    /// <summary>Strict writer: a value without a name (a cast number) is a bug here, never published as a number.</summary>
    private static string Name(T value) =>
        NameOf.TryGetValue(value, out var name)
            ? name
            : throw new JsonException($"{typeof(T).Name} value {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)} has no name and can't be written");

    private static string Quoted(ref Utf8JsonReader reader) =>
        PhoneMask.MaskNumbersIn(WireJson.RawText(ref reader));
}
