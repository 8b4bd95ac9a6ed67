using System.Text.Json;
using OptOut.Contracts;

namespace OptOut.Benchmarks;

/// <summary>
/// Reads a few top-level fields of the <c>message</c> of a MassTransit JSON envelope with a <see cref="Utf8JsonReader"/>,
/// for the benchmarks' raw event listeners: tens of thousands of events a second, each needing two to four strings.
/// </summary>
internal static class EnvelopeFields
{
    /// <summary>
    /// The <c>message</c> object's <c>accountId</c> and the string values of <paramref name="names"/> (null where absent);
    /// false when the body is not a readable envelope or has no account id.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, string[] names, out AccountId accountId, out string?[] values)
    {
        accountId = default;
        values = new string?[names.Length];
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8);
                if (!reader.Read())
                    return false;
                if (!isMessage)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                    return false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isAccount = reader.ValueTextEquals("accountId"u8);
                    var index = isAccount ? -1 : IndexOf(ref reader, names);
                    reader.Read();
                    // The service writes the id as a string (AccountIdJsonConverter reads it the same way).
                    if (isAccount)
                        accountId = AccountId.Parse(reader.GetString() ?? "");
                    else if (index >= 0)
                        values[index] = reader.GetString();
                    else
                        reader.Skip();
                }

                return !accountId.IsEmpty;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }

        return false;
    }

    private static int IndexOf(ref Utf8JsonReader reader, string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
                return i;
        }

        return -1;
    }
}
