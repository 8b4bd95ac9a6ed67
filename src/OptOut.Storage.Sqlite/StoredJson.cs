using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The JSON columns of the SQLite file: a history entry's detection (<c>opt_out_history.detection</c>,
/// <c>opt_outs.first_detection</c>), an account's language settings (<c>settings.languages</c>) and a pending change's
/// confirmation (<c>pending_events.reply</c>). camelCase, enums by
/// name, nulls left out, so the text reads well in the <c>sqlite3</c> shell:
/// <c>{"method":"Phrase","language":"en","matched":"STOP TEXTING","score":0.95,"reason":"..."}</c>.
/// </summary>
/// <remarks>
/// Detections are not interned in <c>texts</c> like notes: most differ (the reason names what the contact wrote), and
/// only entries a contact's text caused carry one; an upload's million entries carry none and bind NULL.
/// </remarks>
internal static class StoredJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // LanguageCustomization.IsEmpty is computed, not stored.
        IgnoreReadOnlyProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Accents and quotes as written, not as \uXXXX: the column is read in the shell, never put into HTML as it is.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // A method is stored by name only: a number read back would be a misread, not a value.
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    public static string? Detection(OptOutDetection? detection) =>
        detection is null ? null : JsonSerializer.Serialize(detection, Options);

    public static OptOutDetection? ParseDetection(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<OptOutDetection>(json, Options);

    /// <summary>A pending change's confirmation (<c>pending_events.reply</c>).</summary>
    public static string? Reply(ConfirmationTarget? reply) => reply is null ? null : JsonSerializer.Serialize(reply, Options);

    public static ConfirmationTarget? ParseReply(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<ConfirmationTarget>(json, Options);

    public static string Languages(StoredLanguageSettings languages) => JsonSerializer.Serialize(languages, Options);

    /// <summary>Null for a row saved before languages existed (<c>AccountSettings.Restore</c> then keeps its English columns).</summary>
    public static StoredLanguageSettings? ParseLanguages(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<StoredLanguageSettings>(json, Options);
}
