using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptOut.Contracts;

/// <summary>
/// An account (tenant) as the platform knows it: an opaque id of 1–64 characters of <c>A–Z a–z 0–9 . _ : @ -</c>,
/// compared exactly (ordinal, case-sensitive: <c>Acme</c> and <c>acme</c> are two accounts).
/// <para>On the wire it is a JSON string. A JSON integer is accepted too and means its decimal text
/// (<c>42</c> is the account <c>"42"</c>); what the service publishes is always the string. A GUID is one such
/// string; a <see cref="Guid"/> converts to its lowercase <c>D</c> form.</para>
/// <para><c>default(AccountId)</c> (<see cref="IsEmpty"/>) is a message without an account: consumers reject it. The
/// contracts leave an empty one out when they are written (<c>JsonIgnoreCondition.WhenWritingDefault</c>), so a message
/// a .NET producer sends without an account reads as one without it, as from any other producer, and is rejected with
/// "accountId is required".</para>
/// </summary>
[JsonConverter(typeof(AccountIdJsonConverter))]
public readonly record struct AccountId : IParsable<AccountId>, IComparable<AccountId>
{
    /// <summary>The longest id accepted, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule an id keeps, as a regular expression.</summary>
    public const string Pattern = "^[A-Za-z0-9._:@-]{1,64}$";

    /// <summary>The rule in words, as rejections state it.</summary>
    public const string Rule = "1-64 characters of A-Z a-z 0-9 . _ : @ -";

    private readonly string? _value;

    private AccountId(string value) => _value = value;

    /// <summary>The id as the platform knows it; empty for <c>default</c>.</summary>
    public string Value => _value ?? "";

    /// <summary>True for <c>default(AccountId)</c>: no account given.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Reads <paramref name="value"/> as an id.</summary>
    /// <exception cref="FormatException">It breaks the rule; the message says how.</exception>
    public static AccountId Parse(string value) =>
        TryParse(value, out var id, out var reason) ? id : throw new FormatException(reason);

    /// <summary>Reads <paramref name="value"/> as an id; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out AccountId id, [NotNullWhen(false)] out string? reason)
    {
        id = default;
        reason = Check(value);
        if (reason is not null)
            return false;
        id = new AccountId(value!);
        return true;
    }

    /// <inheritdoc />
    public static AccountId Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out AccountId result) =>
        TryParse(s, out result, out _);

    /// <summary>The GUID's lowercase <c>D</c> string (<c>3f2504e0-4f89-11d3-9a0c-0305e82c3301</c>); never fails.</summary>
    public static implicit operator AccountId(Guid id) => new(id.ToString("D", CultureInfo.InvariantCulture));

    /// <summary>Reads <paramref name="value"/> as an id.</summary>
    /// <exception cref="FormatException">It breaks the rule.</exception>
    public static explicit operator AccountId(string value) => Parse(value);

    /// <summary>The id from a GUID (what <c>implicit operator</c> does, for languages without conversions).</summary>
    public static AccountId FromGuid(Guid id) => new(id.ToString("D", CultureInfo.InvariantCulture));

    /// <summary>Why <paramref name="value"/> is not an id, or null when it is one.</summary>
    public static string? Check(string? value)
    {
        if (value is null)
            return $"accountId is required ({Rule})";
        if (value.Length == 0)
            return $"accountId is empty; it must be {Rule}";
        if (value.Length > MaxLength)
            return $"accountId has {value.Length} characters; it must be {Rule}";
        var bad = value.AsSpan().IndexOfAnyExcept(Allowed);
        return bad < 0 ? null : $"accountId has a character it can't have at position {bad + 1}; it must be {Rule}";
    }

    /// <inheritdoc />
    public int CompareTo(AccountId other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>Ordinal equality (record structs compare strings with the default ordinal comparer).</summary>
    public bool Equals(AccountId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The id; empty for <c>default</c>.</summary>
    public override string ToString() => Value;

    /// <summary>Orders ids ordinally.</summary>
    public static bool operator <(AccountId left, AccountId right) => left.CompareTo(right) < 0;

    /// <summary>Orders ids ordinally.</summary>
    public static bool operator <=(AccountId left, AccountId right) => left.CompareTo(right) <= 0;

    /// <summary>Orders ids ordinally.</summary>
    public static bool operator >(AccountId left, AccountId right) => left.CompareTo(right) > 0;

    /// <summary>Orders ids ordinally.</summary>
    public static bool operator >=(AccountId left, AccountId right) => left.CompareTo(right) >= 0;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-");
}

/// <summary>
/// The wire form of <see cref="AccountId"/>: reads a string or an integer number (its exact decimal text), writes a
/// string. Anything else (null, true, 4.2, 1e3, an object) is a <see cref="JsonException"/> that states the rule, so
/// the message goes to the error queue with the reason.
/// </summary>
public sealed class AccountIdJsonConverter : JsonConverter<AccountId>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override AccountId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
            {
                var text = reader.GetString();
                return AccountId.TryParse(text, out var id, out var reason) ? id : throw new JsonException(reason);
            }
            case JsonTokenType.Number:
            {
                var digits = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                var text = Encoding.ASCII.GetString(digits);
                if (!IsInteger(text))
                    throw new JsonException($"accountId {text} is a number that is not an integer; it must be a string of {AccountId.Rule}, or an integer");
                return AccountId.TryParse(text, out var id, out var reason) ? id : throw new JsonException(reason);
            }
            default:
                throw new JsonException($"accountId is {Describe(reader.TokenType)}; it must be a string of {AccountId.Rule}, or an integer");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, AccountId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    /// <inheritdoc />
    public override AccountId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return AccountId.TryParse(text, out var id, out var reason) ? id : throw new JsonException(reason);
    }

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, AccountId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);

    // JSON's integer form: an optional minus and digits (a fraction or an exponent makes it another number).
    private static bool IsInteger(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
