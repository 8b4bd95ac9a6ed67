using System.Buffers;
using System.Text.Json;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>One reason a message can't be used, and the field it is about when known (<c>source</c>, <c>defaultCountryCode</c>).</summary>
public sealed record Rejection(string? Field, string Reason)
{
    public override string ToString() => Reason;
}

/// <summary>
/// The answer to a request the service can't use: <see cref="OptOutSettingsRejected"/> for <see cref="UpdateOptOutSettings"/>,
/// <see cref="OptOutRequestCompleted"/> with every input <see cref="OptOutOutcome.Rejected"/> for <see cref="OptOutRequested"/>
/// and <see cref="OptInRequested"/>. Built from the raw body, because a message that failed to deserialize has no
/// typed form: only <c>requestId</c> and <c>accountId</c> must be readable, as the JSON text of their values (a
/// string, or a number's digits), and the answer is read back with the bus's own options, so an id that the
/// contract's type can't hold answers nobody rather than somebody else.
/// </summary>
public static class RequestRejections
{
    /// <summary>Whether messages of <paramref name="messageType"/> are requests that get an answer.</summary>
    public static bool Answers(Type messageType) =>
        messageType == typeof(UpdateOptOutSettings) || messageType == typeof(OptOutRequested) || messageType == typeof(OptInRequested);

    /// <summary>
    /// The answer, or null when the body doesn't say whom to answer (no readable <c>requestId</c> and <c>accountId</c>)
    /// or <paramref name="messageType"/> is not a request.
    /// </summary>
    public static object? For(Type messageType, ReadOnlyMemory<byte> body, IReadOnlyList<Rejection> rejections, JsonSerializerOptions options)
    {
        if (!Answers(messageType) || rejections.Count == 0)
            return null;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var message = Message(document.RootElement);
            if (message.ValueKind != JsonValueKind.Object || IdText(message, "requestId") is not { } requestId || IdText(message, "accountId") is not { } accountId)
                return null;

            var answer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(answer))
            {
                json.WriteStartObject();
                json.WriteString("requestId", requestId);
                json.WriteString("accountId", accountId);
                if (messageType == typeof(UpdateOptOutSettings))
                    WriteSettingsRejection(json, rejections);
                else
                    WriteRejectedResults(json, message, rejections);
                json.WriteEndObject();
            }

            var answerType = messageType == typeof(UpdateOptOutSettings) ? typeof(OptOutSettingsRejected) : typeof(OptOutRequestCompleted);
            try
            {
                return JsonSerializer.Deserialize(answer.WrittenSpan, answerType, options);
            }
            catch (JsonException)
            {
                // An id the contract can't hold (a requestId that is not a GUID, an accountId that breaks its rule): there is nobody to answer.
                return null;
            }
        }
    }

    /// <summary>A MassTransit envelope's <c>message</c>; a plain JSON body is the message itself.</summary>
    private static JsonElement Message(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && Property(root, "messageType") is { ValueKind: JsonValueKind.Array }
            && Property(root, "message") is { ValueKind: JsonValueKind.Object } message
            ? message
            : root;

    /// <summary>An id's JSON text: a non-blank string as it is, a number as its digits; anything else is unreadable.</summary>
    private static string? IdText(JsonElement message, string name) => Property(message, name) switch
    {
        { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()) => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    /// <summary>Property names are matched in any letter case, as the bus reads them.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }

        return null;
    }

    private static void WriteSettingsRejection(Utf8JsonWriter json, IReadOnlyList<Rejection> rejections)
    {
        json.WriteStartArray("reasons");
        foreach (var rejection in rejections)
            json.WriteStringValue(rejection.Reason);
        json.WriteEndArray();
        json.WriteStartArray("errors");
        foreach (var rejection in rejections)
        {
            json.WriteStartObject();
            json.WriteString("field", rejection.Field ?? "");
            json.WriteString("reason", rejection.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>One result per input the body lists (as typed, like any answer to a request), each rejected with every reason.</summary>
    private static void WriteRejectedResults(Utf8JsonWriter json, JsonElement message, IReadOnlyList<Rejection> rejections)
    {
        var typed = new List<string?>();
        if (Property(message, "phoneNumbers") is { ValueKind: JsonValueKind.Array } list)
            typed.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()));
        else if (Property(message, "phoneNumber") is { ValueKind: JsonValueKind.String } one)
            typed.Add(one.GetString());
        var inputs = PhoneNumberParser.SplitList(typed);

        var reason = "the request can't be used, nothing was changed: " + string.Join("; ", rejections.Select(r => r.Reason));
        json.WriteStartArray("results");
        foreach (var input in inputs.Count > 0 ? inputs : [""])
        {
            json.WriteStartObject();
            json.WriteString("input", input);
            json.WriteString("outcome", nameof(OptOutOutcome.Rejected));
            json.WriteString("reason", reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
