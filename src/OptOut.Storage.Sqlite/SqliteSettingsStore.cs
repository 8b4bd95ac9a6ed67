using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// Account settings (<see cref="ISettingsStore"/>) in table <c>settings</c> of the same file, one row per account: the
/// English opt-out message and keywords as columns (what an older build and the <c>sqlite3</c> shell read), every
/// language's settings as JSON (<see cref="StoredJson"/>).
/// </summary>
internal sealed class SqliteSettingsStore(SqliteDatabase database) : ISettingsStore
{
    private const string GetSettingsSql = """
        SELECT default_country_code, auto_opt_out_enabled, opt_out_message, keywords, updated_at, updated_by, languages
        FROM settings WHERE account_id = @account_id
        """;

    private const string SaveSettingsSql = """
        INSERT INTO settings (account_id, default_country_code, auto_opt_out_enabled, opt_out_message, keywords, updated_at, updated_by, languages)
        VALUES (@account_id, @default_country_code, @auto_opt_out_enabled, @opt_out_message, @keywords, @updated_at, @updated_by, @languages)
        ON CONFLICT (account_id) DO UPDATE SET
            default_country_code = excluded.default_country_code,
            auto_opt_out_enabled = excluded.auto_opt_out_enabled,
            opt_out_message = excluded.opt_out_message,
            keywords = excluded.keywords,
            updated_at = excluded.updated_at,
            updated_by = excluded.updated_by,
            languages = excluded.languages
        """;

    public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) =>
        database.Pipeline.ExecuteAsync(
            static (s, ct) => s.self.GetCoreAsync(s.accountId, ct),
            (self: this, accountId),
            cancellationToken).AsTask();

    public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return database.Pipeline.ExecuteAsync(
            static (s, ct) => s.database.WriteAsync(static (writer, settings, ct) => SaveAsync(writer.Connection, settings, ct), s.settings, ct),
            (database, settings),
            cancellationToken).AsTask();
    }

    private async ValueTask<AccountSettings?> GetCoreAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, null, GetSettingsSql);
        command.Parameters.AddWithValue("@account_id", FormatAccount(accountId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;

        return AccountSettings.Restore(
            accountId,
            reader.GetInt32(0),
            reader.GetInt64(1) != 0,
            reader.GetString(2),
            JsonSerializer.Deserialize<string[]>(reader.GetString(3)) ?? [],
            reader.IsDBNull(4) ? null : ParseTime(reader.GetString(4)),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            StoredJson.ParseLanguages(reader.IsDBNull(6) ? null : reader.GetString(6)));
    }

    /// <summary>Runs on the writer connection (under the write gate): a save is rare, so its statement is not kept prepared.</summary>
    private static async Task<bool> SaveAsync(SqliteConnection connection, AccountSettings settings, CancellationToken cancellationToken)
    {
        await using var command = SqliteDatabase.Command(connection, null, SaveSettingsSql);
        var p = command.Parameters;
        p.AddWithValue("@account_id", FormatAccount(settings.AccountId));
        p.AddWithValue("@default_country_code", settings.DefaultCountryCode);
        p.AddWithValue("@auto_opt_out_enabled", settings.AutoOptOutEnabled ? 1 : 0);
        p.AddWithValue("@opt_out_message", settings.OptOutMessage);
        p.AddWithValue("@keywords", JsonSerializer.Serialize(settings.Keywords));
        p.AddWithValue("@updated_at", settings.UpdatedAt is { } at ? FormatTime(at) : DBNull.Value);
        p.AddWithValue("@updated_by", (object?)settings.UpdatedBy ?? DBNull.Value);
        // The original columns stay English's opt-out message and keywords: an older build (or the shell) reads them.
        p.AddWithValue("@languages", StoredJson.Languages(settings.ToStored()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
