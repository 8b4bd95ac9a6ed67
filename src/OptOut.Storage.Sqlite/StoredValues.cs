using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Contracts;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// How values are written into the file. The opt-out tables store the account as its integer in <c>accounts</c>
/// (<see cref="AccountKeys"/>) and states, sources and times as integers: UTC ticks keep full precision (the event-time
/// tie rule compares exact values). The small tables (settings, uploads) keep the account id as text and times as UTC
/// ISO-8601 round-trip strings, readable and greppable in the <c>sqlite3</c> shell.
/// </summary>
internal static class StoredValues
{
    // The integer codes are part of the file format (a value's code is its index here): written out rather than taken
    // from the enums' values, so that a contract enum gaining a member can never renumber what is stored.
    private static readonly OptState[] StateCodes = [OptState.OptedIn, OptState.OptedOut];

    private static readonly OptOutSource[] SourceCodes =
        [default, OptOutSource.Keyword, OptOutSource.Manual, OptOutSource.Messenger, OptOutSource.BulkUpload, OptOutSource.Api];

    internal static long StateCode(OptState state) => CodeOf(StateCodes, state, 0);

    internal static OptState StateOf(long code) => ValueOf(StateCodes, code, 0);

    internal static long SourceCode(OptOutSource source) => CodeOf(SourceCodes, source, 1);

    internal static OptOutSource SourceOf(long code) => ValueOf(SourceCodes, code, 1);

    internal static long TicksOf(DateTimeOffset value) => value.UtcTicks;

    internal static DateTimeOffset TimeOf(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>The account as the small tables keep it: its id (the opt-out tables name it by its <c>accounts.id</c>, <see cref="AccountKeys"/>).</summary>
    internal static string FormatAccount(AccountId accountId) => accountId.Value;

    internal static string FormatId(Guid id) => id.ToString("D");

    internal static string FormatTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    internal static object NullableTime(DateTimeOffset? value) => value is { } v ? FormatTime(v) : DBNull.Value;

    internal static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ParseTime(reader.GetString(ordinal));

    internal static string? NullableString(SqliteDataReader reader, int ordinal) => new ReaderRow(reader).Text(ordinal);

    /// <summary>Numbers as a JSON array: a batch's parameter (<c>json_each</c>), a part of <c>causation_changes</c>.</summary>
    internal static string PhonesJsonOf(IEnumerable<string> phones) => JsonSerializer.Serialize(phones);

    private static long CodeOf<T>(T[] codes, T value, int first) where T : struct, Enum
    {
        var code = Array.IndexOf(codes, value, first);
        return code >= first ? code : throw new ArgumentOutOfRangeException(nameof(value), value, $"No stored code for {typeof(T).Name} {value}.");
    }

    private static T ValueOf<T>(T[] codes, long code, int first) where T : struct, Enum =>
        code >= first && code < codes.Length
            ? codes[code]
            : throw new InvalidDataException($"Unknown {typeof(T).Name} code {code} in the SQLite file.");
}
