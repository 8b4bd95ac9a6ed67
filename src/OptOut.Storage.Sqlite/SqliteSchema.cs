using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The file's layout and how a file of an earlier one is converted, in one transaction when the store starts: its
/// opt-outs and history are the compliance evidence, so they are carried over, never dropped. The SQL is in
/// <c>Schema/*.sql</c> (embedded): <c>schema.sql</c> is the current layout, <c>layout-N.sql</c> an earlier layout N as it
/// was (a conversion that ends there), each <c>to-N-*.sql</c> a step of the conversion to layout N. The layout number is
/// <see cref="Layout"/> alone: derived from <see cref="Upgrades"/>, and written into the file (<c>PRAGMA user_version</c>)
/// after <c>schema.sql</c>.
/// </summary>
/// <remarks>
/// Layouts: 1 (before November 2026) stores every column as text. 2 stores the opt-out tables' account as 16 bytes,
/// states, sources and times as integers, and notes, actors and causation ids once each in <c>texts</c>. 3 lists the
/// numbers each bulk upload changed in <c>causation_changes</c> instead of an index of every history entry's causation,
/// and keeps a number's first history entry in its own row. 4 keeps a history entry's detection (how a contact's text
/// was read) and an account's language settings, as JSON. 5 keeps where an upload's file was stored
/// (<c>bulk_uploads.file_address</c>), so an upload can be stored queued before its consumer starts it. 6 keeps each
/// account id (any id the platform uses, not only a GUID) once in <c>accounts</c>, and the opt-out tables name it by its
/// integer there instead of 16 bytes; a GUID account of an earlier file becomes its lowercase <c>D</c> string. 7 keeps
/// the events of a transition the broker has not confirmed yet (<c>pending_events</c>, the outbox); a file of layout 6
/// gets the empty table. 8 keeps the review list of possible revocations (<c>review_items</c>); a file of layout 7 gets
/// the empty table.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>
    /// The conversion of a file of each earlier layout, oldest first: entry i converts layout i + 1 to layout
    /// <see cref="LayoutUpgrade.To"/>, from which the entry of that layout goes on (<see cref="UpgradeSql"/>). Each runs its
    /// steps <see cref="LayoutUpgrade.Before"/> the schema of the layout it reaches (they make the old tables fit it), that
    /// schema itself (it creates what is missing: <c>schema.sql</c> for the current layout, else <c>layout-N.sql</c>), then
    /// <see cref="LayoutUpgrade.After"/> (they fill the new tables and columns from the old). A new layout freezes
    /// <c>schema.sql</c> as the previous layout's <c>layout-N.sql</c>, points the entries that reached it there, and adds its
    /// own entry.
    /// </summary>
    private static readonly LayoutUpgrade[] Upgrades =
    [
        new(To: 5, Before: ["to-2-rename-text-tables.sql"],
            After: ["to-2-copy-text-tables.sql", "to-3-list-upload-changes.sql", "to-3-move-first-entries.sql"]),
        new(To: 5, Before: ["to-3-add-first-entry-columns.sql", "to-4-add-detections.sql"],
            After: ["to-3-list-upload-changes.sql", "to-3-move-first-entries.sql", "to-3-drop-causation-index.sql"]),
        new(To: 5, Before: ["to-4-add-detections.sql"], After: []),
        new(To: 5, Before: [], After: []),
        new(To: 6, Before: ["to-6-rename-account-tables.sql"], After: ["to-6-copy-account-tables.sql"]),
        new(To: 7, Before: [], After: []),
        new(To: 8, Before: [], After: []),
    ];

    /// <summary>
    /// Columns every earlier layout's conversion adds, first, to a table the file has without them (a check that
    /// answers 1, then the step that adds the column): the table came in different layouts (a file of layout 1 has
    /// settings but no uploads), and <c>schema.sql</c> creates a missing table with its columns.
    /// </summary>
    private static readonly (string Check, string Step)[] AddedColumns =
    [
        ("to-4-settings-lack-languages.sql", "to-4-add-languages.sql"),
        ("to-5-uploads-lack-file-address.sql", "to-5-add-upload-file-address.sql"),
    ];

    /// <summary>The layout this code writes (<c>PRAGMA user_version</c>): the one after the last that <see cref="Upgrades"/> converts.</summary>
    internal static readonly int Layout = Upgrades.Length + 1;

    /// <summary>The current layout, idempotent, ending with its number.</summary>
    private static readonly string CreateSql =
        Sql("schema.sql") + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {Layout};\n");

    /// <summary>
    /// Creates the tables (idempotent), converting a file of an earlier layout first. A file written by a newer version
    /// is refused rather than misread.
    /// </summary>
    public static async Task CreateOrUpgradeAsync(SqliteConnection connection, string databasePath, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (version > Layout)
            throw new InvalidOperationException(
                $"The SQLite file {databasePath} has layout {version}, written by a newer version of the service (this one knows layout {Layout}).");

        // A layout-1 file sets no user_version: it reads 0, like a new file, and is told apart by its tables.
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'opt_outs'";
        var layoutOne = version == 0 && Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        var upgrade = layoutOne ? UpgradeSql(1) : version >= 2 && version < Layout ? UpgradeSql(version) : null;
        if (upgrade is not null)
        {
            var added = new List<string>();
            foreach (var (check, step) in AddedColumns)
            {
                command.CommandText = Sql(check);
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) != 0)
                    added.Add(Sql(step));
            }

            upgrade = string.Join('\n', [.. added, upgrade]);
        }

        command.CommandText = upgrade is null ? CreateSql : "BEGIN IMMEDIATE;\n" + upgrade + "\nCOMMIT;";
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (upgrade is not null)
        {
            command.CommandText = "ROLLBACK";
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The conversion of a file of <paramref name="layout"/> (1 to <see cref="Layout"/> - 1), as one script: its entry's
    /// steps to the layout that entry reaches, then that layout's, until the current one.
    /// </summary>
    private static string UpgradeSql(int layout)
    {
        var steps = new List<string>();
        while (layout < Layout)
        {
            var upgrade = Upgrades[layout - 1];
            var schema = upgrade.To == Layout ? CreateSql : Sql(string.Create(CultureInfo.InvariantCulture, $"layout-{upgrade.To}.sql"));
            steps.AddRange([.. upgrade.Before.Select(Sql), schema, .. upgrade.After.Select(Sql)]);
            layout = upgrade.To;
        }

        // Joined by line breaks: a step may end with a comment, which must not swallow the next step's first statement.
        return string.Join('\n', steps);
    }

    /// <summary>One of the embedded <c>Schema/*.sql</c> files.</summary>
    private static string Sql(string name)
    {
        using var stream = typeof(SqliteSchema).Assembly.GetManifestResourceStream("Schema." + name)
                           ?? throw new InvalidOperationException($"The SQL file Schema/{name} is not embedded in {typeof(SqliteSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The steps of one layout's conversion to layout <paramref name="To"/>, around its schema: names of <c>Schema/*.sql</c>
    /// files, run in order.
    /// </summary>
    private sealed record LayoutUpgrade(int To, string[] Before, string[] After);
}
