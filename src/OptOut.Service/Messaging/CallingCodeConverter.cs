using System.Text.Json;
using System.Text.Json.Serialization;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// A country calling code (<c>defaultCountryCode</c>) read as a producer naturally writes it: the string <c>"44"</c>
/// or the JSON number <c>44</c>, which means its decimal digits. A fraction, a negative number, an exponent, a boolean,
/// an object or an array is refused with the reason. Always written as a string.
/// <para>Only the form is read here; what a valid code is (1 to 3 digits, a code that exists) is
/// <c>AccountSettingsValidator</c>'s, so a string and a number get the same answer.</para>
/// </summary>
public sealed class CallingCodeConverter : JsonConverter<string>
{
    public static readonly CallingCodeConverter Instance = new();

    private const string Expected = "a calling code is a whole number such as 44, or a string such as \"44\"";

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                var digits = WireJson.RawText(ref reader);
                return digits.All(char.IsAsciiDigit)
                    ? digits
                    : throw new JsonException($"the number {PhoneMask.MaskNumbersIn(digits)} is not a calling code: {Expected}");
            default:
                throw new JsonException($"a JSON {WireJson.Describe(reader.TokenType)} is not a calling code: {Expected}");
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
