using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using Polly;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, for single-node runs and the crash tests (DESIGN.md
/// "Architecture"). Safe for any number of concurrent callers: each read opens a pooled connection of its own
/// (Microsoft.Data.Sqlite connections are not thread-safe; pooling makes opening one cheap, and WAL readers never
/// wait for the writer), while writes queue for the one writer SQLite allows and run on a dedicated connection.
/// Bulk uploads read and write a batch at a time (<see cref="FindManyAsync"/>, <see cref="TryWriteManyAsync"/>): two
/// queries and one transaction per batch instead of one per number. Upload state lives in the same file
/// (<c>SqliteOptOutStore.BulkUploads.cs</c>).
/// </summary>
/// <remarks>
/// The opt-out tables store times as UTC ticks, which keep full precision (the event-time tie rule compares exact
/// values); the views <c>opt_outs_readable</c> and <c>opt_out_history_readable</c> show them as ISO-8601 text for
/// someone auditing the evidence in the <c>sqlite3</c> shell. The small tables (settings, uploads) keep UTC ISO-8601
/// round-trip strings.
/// </remarks>
public sealed partial class SqliteOptOutStore : IOptOutStore, ISettingsStore, IBulkUploadStore, IStoreInitializer, IDisposable
{
    /// <summary>How long SQLite itself waits for the write lock before reporting BUSY to the retry pipeline.</summary>
    private const int BusyTimeoutMs = 5_000;

    /// <summary>
    /// The layout this code writes (<c>PRAGMA user_version</c>). 2: the opt-out tables store the account as 16 bytes,
    /// states, sources and times as integers, and notes, actors and causation ids once each in <c>texts</c>. 3: the
    /// numbers each bulk upload changed are listed in <c>causation_changes</c> instead of an index of every history
    /// entry's causation, and a number's first history entry is kept in its own row. 4: a history entry's detection (how a
    /// contact's text was read) and an account's language settings, as JSON. Files of layouts 1 (text columns, before
    /// November 2026), 2 and 3 are converted when the store starts.
    /// </summary>
    internal const int SchemaVersion = 4;

    // Record and history columns as read back: the account is the caller's (every query filters on it), the shared
    // texts are joined in. LEFT JOINs keep SQLite walking the opt-out table first (an inner join may start from texts).
    private const string RecordColumns =
        "SELECT o.phone, o.state, o.source, n.value, a.value, o.state_at, o.created_at, o.updated_at, o.flagged, o.version";

    private const string RecordTexts = " LEFT JOIN texts n ON n.id = o.note LEFT JOIN texts a ON a.id = o.actor";

    private const string RecordSelect = RecordColumns + " FROM opt_outs o" + RecordTexts;

    // A record's first history entry is in its own row (ReadFirstEntry); later ones in opt_out_history.
    private const string RecordWithFirstEntryColumns = RecordColumns
        + ", o.first_state, o.first_source, o.first_at, o.first_recorded_at, fa.value, fn.value, fc.value, o.first_conversation_id, o.first_campaign_id"
        + ", o.first_detection";

    private const string RecordWithFirstEntryFrom = " FROM opt_outs o" + RecordTexts
        + " LEFT JOIN texts fa ON fa.id = o.first_actor LEFT JOIN texts fn ON fn.id = o.first_note LEFT JOIN texts fc ON fc.id = o.first_causation";

    private const string RecordWithFirstEntrySelect = RecordWithFirstEntryColumns + RecordWithFirstEntryFrom;

    private const int FirstEntryOrdinal = 10;

    /// <summary>How many columns a history entry has in a row read back (<see cref="ReadEntry{TRow}"/>).</summary>
    private const int EntryColumns = 10;

    private const string HistorySelect = """
        SELECT h.phone, h.state, h.source, h.at, h.recorded_at, a.value, n.value, c.value, h.conversation_id, h.campaign_id, h.detection
        FROM opt_out_history h LEFT JOIN texts a ON a.id = h.actor LEFT JOIN texts n ON n.id = h.note LEFT JOIN texts c ON c.id = h.causation
        """;

    /// <summary>
    /// A bulk upload writes a million numbers, so the two opt-out tables are kept small (issue #3: the write rate is
    /// what limits the ingest): the account as 16 bytes, states, sources and times (UTC ticks, so the event-time tie
    /// rule compares exact values) as integers, and each note, actor and causation id stored once in <c>texts</c>
    /// and referenced by id (an upload's million rows share one note). Opted-out records, nearly all of them, need no
    /// index beyond the key: listing them walks the key; the few opted-in ones have a partial index. The views
    /// <c>opt_outs_readable</c> and <c>opt_out_history_readable</c> show it all as text for someone auditing the file in
    /// the <c>sqlite3</c> shell.
    /// </summary>
    private const string Schema = """
        -- Shared strings: notes, actors, causation ids. Rows are only ever added, so an id means one value forever.
        CREATE TABLE IF NOT EXISTS texts (
            id    INTEGER PRIMARY KEY,
            value TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS opt_outs (
            account_id BLOB NOT NULL,    -- the account id's 16 bytes in RFC 4122 order: hex(account_id) is the id
            phone      TEXT NOT NULL,    -- E.164
            state      INTEGER NOT NULL, -- 0 opted in, 1 opted out
            source     INTEGER NOT NULL, -- 1 Keyword, 2 Manual, 3 Messenger, 4 BulkUpload, 5 Api
            note       INTEGER,          -- texts.id
            actor      INTEGER,          -- texts.id
            state_at   INTEGER NOT NULL, -- UTC ticks (100 ns since 0001-01-01)
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            flagged    INTEGER NOT NULL,
            version    INTEGER NOT NULL,
            -- The number's first history entry, as in opt_out_history (NULL while it has none): a new number is one
            -- B-tree insert, not two. Its later entries are in opt_out_history.
            first_state           INTEGER,
            first_source          INTEGER,
            first_at              INTEGER,
            first_recorded_at     INTEGER,
            first_actor           INTEGER,
            first_note            INTEGER,
            first_causation       INTEGER,
            first_conversation_id TEXT,
            first_campaign_id     TEXT,
            first_detection       TEXT,    -- JSON (StoredJson), as opt_out_history.detection
            PRIMARY KEY (account_id, phone)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_opt_outs_opted_in ON opt_outs (account_id, phone) WHERE state = 0;
        -- Every history entry after a number's first (seq 2 on; seq 1 when the number got its first entry after its row).
        CREATE TABLE IF NOT EXISTS opt_out_history (
            account_id      BLOB NOT NULL,
            phone           TEXT NOT NULL,
            seq             INTEGER NOT NULL,
            state           INTEGER NOT NULL,
            source          INTEGER NOT NULL,
            at              INTEGER NOT NULL,
            recorded_at     INTEGER NOT NULL,
            actor           INTEGER,
            note            INTEGER,
            causation       INTEGER NOT NULL, -- texts.id of the causation id
            conversation_id TEXT,
            campaign_id     TEXT,
            -- How the contact's text was read, as JSON (StoredJson: method, language, matched, score, reason); NULL for
            -- an entry no text caused (uploads, administrators).
            detection       TEXT,
            PRIMARY KEY (account_id, phone, seq)
        ) WITHOUT ROWID;
        -- The numbers each bulk upload changed (RecordChangesAsync), in parts of at most 1,000 by their position in the
        -- upload: ListByCausationAsync walks them. Only uploads write here; an index of every history entry's causation
        -- cost every write (keyword STOPs included) one more B-tree insert.
        CREATE TABLE IF NOT EXISTS causation_changes (
            account_id BLOB NOT NULL,
            causation  INTEGER NOT NULL, -- texts.id of the causation id
            position   INTEGER NOT NULL, -- the stretch's position in the upload plus the part's offset in its list
            phones     TEXT NOT NULL,    -- JSON array of E.164 numbers
            PRIMARY KEY (account_id, causation, position)
        ) WITHOUT ROWID;
        CREATE VIEW IF NOT EXISTS opt_outs_readable AS
        SELECT lower(substr(hex(o.account_id), 1, 8) || '-' || substr(hex(o.account_id), 9, 4) || '-' || substr(hex(o.account_id), 13, 4)
                     || '-' || substr(hex(o.account_id), 17, 4) || '-' || substr(hex(o.account_id), 21)) AS account_id,
               o.phone,
               CASE o.state WHEN 1 THEN 'OptedOut' ELSE 'OptedIn' END AS state,
               CASE o.source WHEN 1 THEN 'Keyword' WHEN 2 THEN 'Manual' WHEN 3 THEN 'Messenger' WHEN 4 THEN 'BulkUpload' WHEN 5 THEN 'Api' END AS source,
               n.value AS note, a.value AS actor,
               strftime('%Y-%m-%dT%H:%M:%fZ', (o.state_at - 621355968000000000) / 10000000.0, 'unixepoch') AS state_at,
               strftime('%Y-%m-%dT%H:%M:%fZ', (o.created_at - 621355968000000000) / 10000000.0, 'unixepoch') AS created_at,
               strftime('%Y-%m-%dT%H:%M:%fZ', (o.updated_at - 621355968000000000) / 10000000.0, 'unixepoch') AS updated_at,
               o.flagged, o.version,
               -- How the transition that set the state (the newest history entry) was detected.
               CASE WHEN EXISTS (SELECT 1 FROM opt_out_history h WHERE h.account_id = o.account_id AND h.phone = o.phone)
                    THEN (SELECT h.detection FROM opt_out_history h WHERE h.account_id = o.account_id AND h.phone = o.phone
                          ORDER BY h.seq DESC LIMIT 1)
                    ELSE o.first_detection END AS detection
        FROM opt_outs o LEFT JOIN texts n ON n.id = o.note LEFT JOIN texts a ON a.id = o.actor;
        CREATE VIEW IF NOT EXISTS opt_out_history_readable AS
        SELECT lower(substr(hex(h.account_id), 1, 8) || '-' || substr(hex(h.account_id), 9, 4) || '-' || substr(hex(h.account_id), 13, 4)
                     || '-' || substr(hex(h.account_id), 17, 4) || '-' || substr(hex(h.account_id), 21)) AS account_id,
               h.phone, h.seq,
               CASE h.state WHEN 1 THEN 'OptedOut' ELSE 'OptedIn' END AS state,
               CASE h.source WHEN 1 THEN 'Keyword' WHEN 2 THEN 'Manual' WHEN 3 THEN 'Messenger' WHEN 4 THEN 'BulkUpload' WHEN 5 THEN 'Api' END AS source,
               strftime('%Y-%m-%dT%H:%M:%fZ', (h.at - 621355968000000000) / 10000000.0, 'unixepoch') AS at,
               strftime('%Y-%m-%dT%H:%M:%fZ', (h.recorded_at - 621355968000000000) / 10000000.0, 'unixepoch') AS recorded_at,
               a.value AS actor, n.value AS note, c.value AS causation_id, h.conversation_id, h.campaign_id, h.detection
        FROM (SELECT account_id, phone, 1 AS seq, first_state AS state, first_source AS source, first_at AS at, first_recorded_at AS recorded_at,
                     first_actor AS actor, first_note AS note, first_causation AS causation, first_conversation_id AS conversation_id,
                     first_campaign_id AS campaign_id, first_detection AS detection
              FROM opt_outs WHERE first_state IS NOT NULL
              UNION ALL
              SELECT account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id, campaign_id, detection
              FROM opt_out_history) h
        LEFT JOIN texts a ON a.id = h.actor LEFT JOIN texts n ON n.id = h.note LEFT JOIN texts c ON c.id = h.causation;
        CREATE TABLE IF NOT EXISTS settings (
            account_id           TEXT NOT NULL PRIMARY KEY,
            default_country_code INTEGER NOT NULL,
            auto_opt_out_enabled INTEGER NOT NULL,
            opt_out_message      TEXT NOT NULL,
            keywords             TEXT NOT NULL,
            updated_at           TEXT,
            updated_by           TEXT,
            -- JSON of StoredLanguageSettings (StoredJson); NULL in a row saved before languages existed. In every row
            -- opt_out_message and keywords are English's opt-out message and keywords.
            languages            TEXT
        );
        -- Upload ids are globally unique (the caller's id, also the MongoDB _id), so the key is the id alone and every
        -- statement also filters on the account. A rowid table: rows carry up to 1,000 rejected rows as JSON.
        CREATE TABLE IF NOT EXISTS bulk_uploads (
            upload_id               TEXT NOT NULL PRIMARY KEY,
            account_id              TEXT NOT NULL,
            file_name               TEXT,
            submitted_by            TEXT,
            submitted_at            TEXT NOT NULL,
            dry_run                 INTEGER NOT NULL,
            status                  TEXT NOT NULL,
            started_at              TEXT NOT NULL,
            ingested_at             TEXT,
            completed_at            TEXT,
            total_rows              INTEGER NOT NULL,
            numbers_applied       INTEGER NOT NULL,
            counts                  TEXT NOT NULL,
            rejected_rows           TEXT NOT NULL,
            report_address          TEXT,
            events_dispatched_after TEXT,
            events_dispatched       INTEGER NOT NULL,
            failure_reason          TEXT,
            undone_at               TEXT,
            undone_by               TEXT,
            undo_opted_in           INTEGER NOT NULL,
            undo_kept               INTEGER NOT NULL,
            version                 INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_bulk_uploads_account_submitted
            ON bulk_uploads (account_id, submitted_at DESC, upload_id DESC);
        PRAGMA user_version = 4;
        """;

    // Layout 1 stored everything as text: the account as "D" text, states and sources by name, times as UTC
    // round-trip strings ("2025-04-11T09:30:00.1234567+00:00", fixed width, so seconds and the 7 fraction digits are
    // at fixed positions). The old tables are renamed, the new ones created by Schema (which runs after this), and
    // filled from them by UpgradeCopySql.
    private const string UpgradeFromLayoutOneSql = """
        DROP INDEX IF EXISTS ix_opt_outs_account_state_phone;
        DROP INDEX IF EXISTS ix_opt_out_history_account_causation_phone;
        DROP VIEW IF EXISTS opt_outs_readable;
        DROP VIEW IF EXISTS opt_out_history_readable;
        ALTER TABLE opt_outs RENAME TO opt_outs_layout1;
        ALTER TABLE opt_out_history RENAME TO opt_out_history_layout1;
        """ + Schema + UpgradeCopySql + ListLegacyChangesSql + MoveFirstEntriesSql;

    // Layout 2 listed an upload's numbers through an index of every history entry's causation, and kept every history
    // entry in opt_out_history: the uploads' numbers are listed in causation_changes instead (Schema creates it), the
    // index goes, and each number's first entry moves into its row; then as layout 3.
    private const string UpgradeFromLayoutTwoSql = """
        ALTER TABLE opt_outs ADD COLUMN first_state INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_source INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_at INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_recorded_at INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_actor INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_note INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_causation INTEGER;
        ALTER TABLE opt_outs ADD COLUMN first_conversation_id TEXT;
        ALTER TABLE opt_outs ADD COLUMN first_campaign_id TEXT;
        """ + AddDetectionsSql + Schema + ListLegacyChangesSql + MoveFirstEntriesSql + """
        DROP INDEX IF EXISTS ix_opt_out_history_account_causation_phone;
        """;

    // Layout 3 had no detections (and no language settings: AddLanguagesSql): nullable columns. ADD COLUMN only
    // rewrites the table's definition, never its rows (a row without the column reads NULL), so a file of a million
    // numbers converts at once. The views are made again by Schema, with the detections.
    private const string UpgradeFromLayoutThreeSql = AddDetectionsSql + Schema;

    private const string AddDetectionsSql = """
        DROP VIEW IF EXISTS opt_outs_readable;
        DROP VIEW IF EXISTS opt_out_history_readable;
        ALTER TABLE opt_outs ADD COLUMN first_detection TEXT;
        ALTER TABLE opt_out_history ADD COLUMN detection TEXT;
        """;

    // Before layout 4 the settings table had no languages column; every earlier layout's upgrade adds it (first) when the
    // file has the table (Schema creates it, with the column, when it has none).
    private const string AddLanguagesSql = "ALTER TABLE settings ADD COLUMN languages TEXT;";

    private const string SettingsLackLanguagesSql = """
        SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings')
               AND NOT EXISTS (SELECT 1 FROM pragma_table_info('settings') WHERE name = 'languages')
        """;

    // Every history's first entry (seq 1 until layout 3) into its number's row; the later entries keep their seq.
    private const string MoveFirstEntriesSql = """
        UPDATE opt_outs SET (first_state, first_source, first_at, first_recorded_at, first_actor, first_note, first_causation,
                             first_conversation_id, first_campaign_id, first_detection) =
            (SELECT h.state, h.source, h.at, h.recorded_at, h.actor, h.note, h.causation, h.conversation_id, h.campaign_id, h.detection
             FROM opt_out_history h WHERE h.account_id = opt_outs.account_id AND h.phone = opt_outs.phone AND h.seq = 1);
        DELETE FROM opt_out_history WHERE seq = 1;
        """;

    // The numbers each earlier upload (causation "bulk:<upload id>") changed, from the history, in parts of 1,000 in phone
    // order, at positions before 0 (LegacyChangesPosition on): an upload that was still running records its stretches
    // from its checkpoint on (position 0 or more) when it resumes, and must not replace these. An upload still
    // dispatching starts over (its cursor was a phone): its events go out again with the same message ids, which
    // downstream de-duplicates.
    private const string ListLegacyChangesSql = """
        INSERT OR REPLACE INTO causation_changes (account_id, causation, position, phones)
            SELECT account_id, causation, -4611686018427387904 + (n - 1) / 1000 * 1000, json_group_array(phone)
            FROM (SELECT account_id, causation, phone, row_number() OVER (PARTITION BY account_id, causation ORDER BY phone) AS n
                  FROM (SELECT DISTINCT h.account_id, h.causation, h.phone
                        FROM opt_out_history h JOIN texts t ON t.id = h.causation
                        WHERE t.value LIKE 'bulk:%')
                  ORDER BY account_id, causation, phone)
            GROUP BY account_id, causation, (n - 1) / 1000;
        UPDATE bulk_uploads SET events_dispatched_after = NULL WHERE status = 'Ingested';
        """;

    private const string UpgradeCopySql = """
        INSERT OR IGNORE INTO texts (value)
            SELECT note FROM opt_outs_layout1 WHERE note IS NOT NULL
            UNION SELECT actor FROM opt_outs_layout1 WHERE actor IS NOT NULL
            UNION SELECT note FROM opt_out_history_layout1 WHERE note IS NOT NULL
            UNION SELECT actor FROM opt_out_history_layout1 WHERE actor IS NOT NULL
            UNION SELECT causation_id FROM opt_out_history_layout1;
        INSERT INTO opt_outs (account_id, phone, state, source, note, actor, state_at, created_at, updated_at, flagged, version)
            SELECT unhex(replace(o.account_id, '-', '')), o.phone, o.state = 'OptedOut',
                   CASE o.source WHEN 'Keyword' THEN 1 WHEN 'Manual' THEN 2 WHEN 'Messenger' THEN 3 WHEN 'BulkUpload' THEN 4 WHEN 'Api' THEN 5 END,
                   (SELECT id FROM texts WHERE value = o.note), (SELECT id FROM texts WHERE value = o.actor),
                   unixepoch(substr(o.state_at, 1, 19)) * 10000000 + CAST(substr(o.state_at, 21, 7) AS INTEGER) + 621355968000000000,
                   unixepoch(substr(o.created_at, 1, 19)) * 10000000 + CAST(substr(o.created_at, 21, 7) AS INTEGER) + 621355968000000000,
                   unixepoch(substr(o.updated_at, 1, 19)) * 10000000 + CAST(substr(o.updated_at, 21, 7) AS INTEGER) + 621355968000000000,
                   o.flagged, o.version
            FROM opt_outs_layout1 o;
        INSERT INTO opt_out_history (account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id, campaign_id)
            SELECT unhex(replace(h.account_id, '-', '')), h.phone, h.seq, h.state = 'OptedOut',
                   CASE h.source WHEN 'Keyword' THEN 1 WHEN 'Manual' THEN 2 WHEN 'Messenger' THEN 3 WHEN 'BulkUpload' THEN 4 WHEN 'Api' THEN 5 END,
                   unixepoch(substr(h.at, 1, 19)) * 10000000 + CAST(substr(h.at, 21, 7) AS INTEGER) + 621355968000000000,
                   unixepoch(substr(h.recorded_at, 1, 19)) * 10000000 + CAST(substr(h.recorded_at, 21, 7) AS INTEGER) + 621355968000000000,
                   (SELECT id FROM texts WHERE value = h.actor), (SELECT id FROM texts WHERE value = h.note),
                   (SELECT id FROM texts WHERE value = h.causation_id), h.conversation_id, h.campaign_id
            FROM opt_out_history_layout1 h;
        DROP TABLE opt_outs_layout1;
        DROP TABLE opt_out_history_layout1;
        """;


    // A batch of numbers travels as one JSON array parameter: one statement text whatever the batch size (so SQLite
    // plans it once), and no bound-variable limit. SQLite probes the primary key once per listed number.
    private const string PhonesOfBatch = "phone IN (SELECT value FROM json_each(@phones))";

    private const string FindRecordSql = RecordWithFirstEntrySelect + " WHERE o.account_id = @account_id AND o.phone = @phone";

    private const string FindHistorySql = HistorySelect + " WHERE h.account_id = @account_id AND h.phone = @phone ORDER BY h.seq";

    // The last column says whether the number has entries after its first (most have none: then its history needs no query).
    private const string FindManyRecordsSql = RecordWithFirstEntryColumns
        + ", EXISTS (SELECT 1 FROM opt_out_history h WHERE h.account_id = o.account_id AND h.phone = o.phone)" + RecordWithFirstEntryFrom
        + " WHERE o.account_id = @account_id AND o." + PhonesOfBatch;

    private const int LaterEntriesOrdinal = FirstEntryOrdinal + EntryColumns;

    private const string ListPhonesSql =
        "SELECT phone FROM opt_outs WHERE account_id = @account_id AND phone > @after ORDER BY phone LIMIT @limit";

    private const string FindManyHistorySql =
        HistorySelect + " WHERE h.account_id = @account_id AND h." + PhonesOfBatch + " ORDER BY h.phone, h.seq";

    // The next parts of an upload's changed numbers (causation_changes), from a position on. An unknown causation id
    // makes "causation = NULL", which matches nothing.
    private const string ListCausationPartsSql = """
        SELECT position, phones FROM causation_changes
        WHERE account_id = @account_id AND causation = (SELECT id FROM texts WHERE value = @causation_id) AND position >= @from
        ORDER BY position LIMIT @parts
        """;

    /// <summary>How many numbers one row of <c>causation_changes</c> lists at most (one page of a dispatch).</summary>
    private const int ChangesPerPart = 1_000;

    /// <summary>
    /// Where the lists converted from layout 2 start (-2^62, <see cref="ListLegacyChangesSql"/>): before every stretch
    /// an upload records, so a listing without a cursor starts there.
    /// </summary>
    private const long LegacyChangesPosition = -(1L << 62);

    // One statement per filter combination instead of "@x IS NULL OR ...": SQLite plans a statement once, and only
    // these plain shapes let it walk the key in order. Opted-out records (nearly all) are the key walked with a
    // filter; the literal "state = 0" is what lets SQLite use the partial index of the opted-in ones.
    // Without statistics SQLite would still prefer the key for them, so their statements name the index.
    private const string ListSelect = RecordSelect + " WHERE o.account_id = @account_id";
    private const string ListOrder = " ORDER BY o.phone LIMIT @limit";
    private const string ListAllSql = ListSelect + ListOrder;
    private const string ListAllAfterSql = ListSelect + " AND o.phone > @after" + ListOrder;
    private const string ListOptedOutSql = ListSelect + " AND o.state = 1" + ListOrder;
    private const string ListOptedOutAfterSql = ListSelect + " AND o.state = 1 AND o.phone > @after" + ListOrder;
    private const string ListOptedInSelect =
        RecordColumns + " FROM opt_outs o INDEXED BY ix_opt_outs_opted_in" + RecordTexts + " WHERE o.account_id = @account_id";
    private const string ListOptedInSql = ListOptedInSelect + " AND o.state = 0" + ListOrder;
    private const string ListOptedInAfterSql = ListOptedInSelect + " AND o.state = 0 AND o.phone > @after" + ListOrder;

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

    private readonly string _connectionString;
    private readonly ResiliencePipeline _pipeline;

    // SQLite has one writer per database. Queuing this process's writers here (async, in order) is cheaper than
    // letting them all race for the file lock and sleep in SQLite's busy handler; BEGIN IMMEDIATE still guards
    // against writers in other processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Since writes are serialized anyway, they share one long-lived connection whose statements are prepared once:
    // the bulk upload writes a million rows through TryWriteAsync. Only touched while holding _writeGate.
    private Writer? _writer;

    public SqliteOptOutStore(string path, ILogger<SqliteOptOutStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DatabasePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        _pipeline = StoreResilience.Create("SQLite", IsTransient, logger, resilience);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the lock longer than the busy timeout.
    /// Anything else (constraint, corrupt file, disk full) will not heal by retrying.
    /// </summary>
    public static bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(DatabasePath) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);

        return _pipeline.ExecuteAsync(
            static (self, ct) => self.WriteAsync(
                static async (writer, self, ct) =>
                {
                    await self.CreateOrUpgradeSchemaAsync(writer.Connection, ct).ConfigureAwait(false);
                    return true;
                },
                self,
                ct),
            this,
            cancellationToken).AsTask();
    }

    /// <summary>
    /// Creates the tables (idempotent), converting a file of an earlier layout first: its opt-outs and history are the
    /// compliance evidence, so they are carried over in one transaction, never dropped. A file written by a newer
    /// version is refused rather than misread.
    /// </summary>
    private async Task CreateOrUpgradeSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new InvalidOperationException(
                $"The SQLite file {DatabasePath} has layout {version}, written by a newer version of the service (this one knows layout {SchemaVersion}).");

        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'opt_outs'";
        var layoutOne = version == 0 && Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        var upgrade = layoutOne ? UpgradeFromLayoutOneSql : version switch
        {
            2 => UpgradeFromLayoutTwoSql,
            3 => UpgradeFromLayoutThreeSql,
            _ => null,
        };
        if (upgrade is not null)
        {
            command.CommandText = SettingsLackLanguagesSql;
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) != 0)
                upgrade = AddLanguagesSql + upgrade;
        }

        command.CommandText = upgrade is null ? Schema : "BEGIN IMMEDIATE;" + upgrade + "COMMIT;";
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

    public Task<OptOutRecord?> FindAsync(Guid accountId, string phone, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(phone);
        return _pipeline.ExecuteAsync(
            static (state, ct) => state.self.FindCoreAsync(state.accountId, state.phone, ct),
            (self: this, accountId, phone),
            cancellationToken).AsTask();
    }

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default)
    {
        Validate(write);
        return _pipeline.ExecuteAsync(
            static (state, ct) => state.self.WriteAsync(
                static (writer, write, ct) => Task.FromResult(writer.TryWrite(write, ct)), state.write, ct),
            (self: this, write),
            cancellationToken).AsTask();
    }

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListCoreAsync(s.accountId, s.state, s.afterPhone, s.limit, ct),
            (self: this, accountId, state, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <summary>Two queries in one read snapshot: the batch's records, then all their history.</summary>
    public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(
        Guid accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(phones);
        if (phones.Count == 0)
            return Task.FromResult<IReadOnlyDictionary<string, OptOutRecord>>(new Dictionary<string, OptOutRecord>(StringComparer.Ordinal));

        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.FindManyCoreAsync(s.accountId, s.phones, ct),
            (self: this, accountId, phones),
            cancellationToken).AsTask();
    }

    /// <summary>A walk of the primary key (the table is that B-tree: no row is decoded beyond the phone).</summary>
    public Task<IReadOnlyList<string>> ListPhonesAsync(Guid accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListPhonesCoreAsync(s.accountId, s.afterPhone, s.limit, ct),
            (self: this, accountId, afterPhone, limit),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// One transaction on the writer connection for the whole batch: each write is compare-and-swapped on its own (a
    /// lost race makes that result false and writes nothing for it), and the batch commits once. Writes apply in
    /// order, so a batch may name a number twice (the second expecting the version the first writes).
    /// </summary>
    /// <remarks>
    /// A failure mid-batch (a busy file beyond the timeout, an I/O error) rolls the whole transaction back, so the
    /// retry pipeline can safely run the batch again.
    /// </remarks>
    public Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
            Validate(write);
        if (writes.Count == 0)
            return Task.FromResult<IReadOnlyList<bool>>([]);

        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.WriteAsync(
                static (writer, writes, ct) => Task.FromResult<IReadOnlyList<bool>>(writer.TryWriteMany(writes, ct)), s.writes, ct),
            (self: this, writes),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// One transaction: what was recorded for the stretch (and after it) goes, and its numbers are listed in parts of
    /// <see cref="ChangesPerPart"/>.
    /// </summary>
    public Task RecordChangesAsync(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentNullException.ThrowIfNull(phones);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.WriteAsync(
                static (writer, s, ct) => Task.FromResult(writer.RecordChanges(s.accountId, s.causationId, s.position, s.phones, ct)), s, ct),
            (self: this, accountId, causationId, position, phones),
            cancellationToken).AsTask();
    }

    public Task<CausationPage> ListByCausationAsync(
        Guid accountId, string causationId, string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var (from, skip) = ParseChangesCursor(after);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.ListByCausationCoreAsync(s.accountId, s.causationId, s.from, s.skip, s.limit, ct),
            (self: this, accountId, causationId, from, skip, limit),
            cancellationToken).AsTask();
    }

    /// <remarks>Not retried: readiness must report the store as it is now, not after seconds of backoff.</remarks>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Touches the schema, so a file that exists but was never initialized (or was replaced) fails the check.
        command.CommandText = "SELECT COUNT(*) FROM settings WHERE 0";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<AccountSettings?> GetAsync(Guid accountId, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(
            static (s, ct) => s.self.GetSettingsCoreAsync(s.accountId, ct),
            (self: this, accountId),
            cancellationToken).AsTask();

    public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return _pipeline.ExecuteAsync(
            static (s, ct) => s.self.WriteAsync(static (writer, settings, ct) => writer.SaveSettingsAsync(settings, ct), s.settings, ct),
            (self: this, settings),
            cancellationToken).AsTask();
    }

    /// <summary>Closes the connections, so SQLite checkpoints the WAL and releases the file.</summary>
    public void Dispose()
    {
        _writeGate.Wait();
        try
        {
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _writeGate.Release();
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static void Validate(OptOutWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        // The version is the compare-and-swap token: it must move forward on every write, or a writer holding an
        // old read could overwrite a newer state (ABA).
        if (write.Record.Version <= write.ExpectedVersion || write.ExpectedVersion < 0)
            throw new ArgumentException(
                $"Record version {write.Record.Version} must be greater than expected version {write.ExpectedVersion}.", nameof(write));
    }

    /// <summary>Runs <paramref name="work"/> on the writer connection, one writer at a time.</summary>
    private async ValueTask<T> WriteAsync<T, TState>(
        Func<Writer, TState, CancellationToken, Task<T>> work, TState state, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _writer ??= await Writer.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
            try
            {
                return await work(_writer, state, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Whatever went wrong (a busy file, an I/O error, a cancelled statement), the next write starts on a
                // fresh connection rather than one in an unknown state.
                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// A pooled connection for reads. WAL readers never wait for the writer; for the rare busy moments (WAL recovery
    /// after a crash) Microsoft.Data.Sqlite itself retries until the command timeout.
    /// </summary>
    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<OptOutRecord?> FindCoreAsync(Guid accountId, string phone, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // A deferred (read) transaction pins one WAL snapshot, so the record and its history come from the same
        // commit; it takes no write lock (Microsoft.Data.Sqlite's parameterless BeginTransaction would: IMMEDIATE).
        await using var transaction = connection.BeginTransaction(deferred: true);

        await using var recordCommand = Command(connection, transaction, FindRecordSql);
        AddKey(recordCommand, accountId, phone);
        await using var recordReader = await recordCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await recordReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        var record = ReadRecord(recordReader, accountId);
        var first = ReadFirstEntry(recordReader);
        await recordReader.CloseAsync().ConfigureAwait(false);

        await using var historyCommand = Command(connection, transaction, FindHistorySql);
        AddKey(historyCommand, accountId, phone);
        await using var historyReader = await historyCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<OptOutHistoryEntry>();
        if (first is not null)
            history.Add(first);
        while (await historyReader.ReadAsync(cancellationToken).ConfigureAwait(false))
            history.Add(ReadHistory(historyReader));

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record with { History = history };
    }

    private async ValueTask<IReadOnlyDictionary<string, OptOutRecord>> FindManyCoreAsync(
        Guid accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        var phonesJson = PhonesJsonOf(phones);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for both queries, as in FindCoreAsync.
        await using var transaction = connection.BeginTransaction(deferred: true);

        var found = new Dictionary<string, OptOutRecord>(phones.Count, StringComparer.Ordinal);
        List<string>? withLaterEntries = null;
        // Read through SQLite's own API: a batch is thousands of column reads (see NativeMethods).
        var db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, FindManyRecordsSql, out var statement);
        using (statement)
        {
            if (rc != raw.SQLITE_OK)
                SqliteException.ThrowExceptionForRC(rc, db);
            raw.sqlite3_bind_blob(statement, raw.sqlite3_bind_parameter_index(statement, "@account_id"), AccountKey(accountId));
            raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "@phones"), phonesJson);
            var added = false;
            statement.DangerousAddRef(ref added);
            try
            {
                var row = new RawRow(statement.DangerousGetHandle());
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    var record = ReadRecord(row, accountId);
                    found[record.Phone] = ReadFirstEntry(row) is { } first ? record with { History = [first] } : record;
                    if (row.Int64(LaterEntriesOrdinal) != 0)
                        (withLaterEntries ??= []).Add(record.Phone);
                }
            }
            finally
            {
                if (added)
                    statement.DangerousRelease();
            }

            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, db);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Usually the numbers found have no entry after their first: the history is asked for only of those that do.
        if (withLaterEntries is not null)
            await AttachHistoryAsync(connection, transaction, accountId, PhonesJsonOf(withLaterEntries), found, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    private async ValueTask<IReadOnlyList<string>> ListPhonesCoreAsync(Guid accountId, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, ListPhonesSql);
        command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
        // Every E.164 number sorts after the empty string.
        command.Parameters.AddWithValue("@after", afterPhone ?? "");
        command.Parameters.AddWithValue("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var phones = new List<string>(Math.Min(limit, 10_000));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            phones.Add(reader.GetString(0));
        return phones;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> numbers from the part at <paramref name="from"/> on (skipping the first
    /// <paramref name="skip"/> of that part), then their records in that order. The cursor is "position:skip" of where
    /// the next page starts.
    /// </summary>
    private async ValueTask<CausationPage> ListByCausationCoreAsync(
        Guid accountId, string causationId, long from, int skip, int limit, CancellationToken cancellationToken)
    {
        var phones = new List<string>(Math.Min(limit, ChangesPerPart));
        string? next = null;
        // Enough parts for the page, and one more to tell whether a page follows it.
        var parts = (limit / ChangesPerPart) + 2;
        await using (var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = Command(connection, null, ListCausationPartsSql))
        {
            command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
            command.Parameters.AddWithValue("@causation_id", causationId);
            command.Parameters.AddWithValue("@from", from);
            command.Parameters.AddWithValue("@parts", parts);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var read = 0;
            var position = from;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                position = reader.GetInt64(0);
                var part = JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [];
                var start = position == from ? Math.Min(skip, part.Length) : 0;
                if (phones.Count == limit && start < part.Length)
                {
                    next = FormatChangesCursor(position, start);
                    break;
                }

                var take = Math.Min(part.Length - start, limit - phones.Count);
                phones.AddRange(part.AsSpan(start, take));
                if (start + take < part.Length)
                {
                    next = FormatChangesCursor(position, start + take);
                    break;
                }
            }

            // Every part read was used up: if there may be more, the next page starts after the last of them.
            if (next is null && read == parts)
                next = FormatChangesCursor(position + 1, 0);
        }

        var records = phones.Count == 0
            ? new Dictionary<string, OptOutRecord>()
            : await FindManyCoreAsync(accountId, phones, cancellationToken).ConfigureAwait(false);
        var page = new List<OptOutRecord>(records.Count);
        foreach (var phone in phones)
        {
            if (records.TryGetValue(phone, out var record))
                page.Add(record);
        }

        return new CausationPage(page, next);
    }

    private static string FormatChangesCursor(long position, int skip) => string.Create(CultureInfo.InvariantCulture, $"{position}:{skip}");

    private static (long From, int Skip) ParseChangesCursor(string? cursor)
    {
        if (cursor is null)
            return (LegacyChangesPosition, 0);
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(cursor.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
                      && int.TryParse(cursor.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
            return (from, skip);
        throw new ArgumentException($"'{cursor}' is not a cursor of this store's causation pages", nameof(cursor));
    }

    /// <summary>
    /// Reads the history of the listed numbers in one query and adds it to their records in <paramref name="records"/>,
    /// after the first entry (which is kept in the record's row).
    /// </summary>
    private static async Task AttachHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, Guid accountId,
        string phonesJson, Dictionary<string, OptOutRecord> records, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, FindManyHistorySql);
        command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
        command.Parameters.AddWithValue("@phones", phonesJson);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        // Rows come grouped by phone, oldest first: collect one number's entries, then set them on its record.
        string? phone = null;
        var history = new List<OptOutHistoryEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var rowPhone = reader.GetString(0);
            if (!string.Equals(rowPhone, phone, StringComparison.Ordinal))
            {
                SetHistory(records, phone, history);
                phone = rowPhone;
                history = [];
            }

            history.Add(ReadHistory(reader));
        }

        SetHistory(records, phone, history);

        static void SetHistory(Dictionary<string, OptOutRecord> records, string? phone, List<OptOutHistoryEntry> history)
        {
            if (phone is not null && records.TryGetValue(phone, out var record))
                records[phone] = record with { History = [.. record.History, .. history] };
        }
    }

    private static string PhonesJsonOf(IEnumerable<string> phones) => JsonSerializer.Serialize(phones);

    private async ValueTask<IReadOnlyList<OptOutRecord>> ListCoreAsync(
        Guid accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken)
    {
        var sql = (state, afterPhone) switch
        {
            (null, null) => ListAllSql,
            (null, _) => ListAllAfterSql,
            (OptState.OptedOut, null) => ListOptedOutSql,
            (OptState.OptedOut, _) => ListOptedOutAfterSql,
            (_, null) => ListOptedInSql,
            _ => ListOptedInAfterSql,
        };

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql);
        command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
        command.Parameters.AddWithValue("@limit", limit);
        if (afterPhone is not null)
            command.Parameters.AddWithValue("@after", afterPhone);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var page = new List<OptOutRecord>(Math.Min(limit, 1_000));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRecord(reader, accountId));
        return page;
    }

    private async ValueTask<AccountSettings?> GetSettingsCoreAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, GetSettingsSql);
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

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void AddKey(SqliteCommand command, Guid accountId, string phone)
    {
        command.Parameters.AddWithValue("@account_id", AccountKey(accountId));
        command.Parameters.AddWithValue("@phone", phone);
    }

    // The small tables (settings, uploads) keep the account as text, readable and greppable in the shell; the opt-out
    // tables use AccountKey.
    private static string FormatAccount(Guid accountId) => accountId.ToString("D");

    private static string FormatTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string? NullableString(SqliteDataReader reader, int ordinal) => new ReaderRow(reader).Text(ordinal);

    /// <summary>Reads the columns of <see cref="RecordSelect"/>.</summary>
    private static OptOutRecord ReadRecord(SqliteDataReader reader, Guid accountId) => ReadRecord(new ReaderRow(reader), accountId);

    private static OptOutRecord ReadRecord<TRow>(TRow row, Guid accountId) where TRow : struct, IRow => new()
    {
        AccountId = accountId,
        Phone = row.Text(0)!,
        State = StateOf(row.Int64(1)),
        Source = SourceOf(row.Int64(2)),
        Note = row.Text(3),
        Actor = row.Text(4),
        StateAt = TimeOf(row.Int64(5)),
        CreatedAt = TimeOf(row.Int64(6)),
        UpdatedAt = TimeOf(row.Int64(7)),
        Flagged = row.Int64(8) != 0,
        Version = row.Int64(9),
    };

    /// <summary>Reads the columns of <see cref="HistorySelect"/> after the phone.</summary>
    private static OptOutHistoryEntry ReadHistory(SqliteDataReader reader) => ReadEntry(new ReaderRow(reader), 1);

    /// <summary>Reads the first history entry of <see cref="RecordWithFirstEntrySelect"/>: null when the row holds none.</summary>
    private static OptOutHistoryEntry? ReadFirstEntry(SqliteDataReader reader) => ReadFirstEntry(new ReaderRow(reader));

    private static OptOutHistoryEntry? ReadFirstEntry<TRow>(TRow row) where TRow : struct, IRow =>
        row.IsNull(FirstEntryOrdinal) ? null : ReadEntry(row, FirstEntryOrdinal);

    /// <summary>
    /// Reads a history entry's ten columns (<see cref="EntryColumns"/>) from <paramref name="first"/> on: state, source,
    /// at, recorded_at, actor, note, causation, conversation, campaign, detection.
    /// </summary>
    private static OptOutHistoryEntry ReadEntry<TRow>(TRow row, int first) where TRow : struct, IRow => new()
    {
        State = StateOf(row.Int64(first)),
        Source = SourceOf(row.Int64(first + 1)),
        At = TimeOf(row.Int64(first + 2)),
        RecordedAt = TimeOf(row.Int64(first + 3)),
        Actor = row.Text(first + 4),
        Note = row.Text(first + 5),
        CausationId = row.Text(first + 6)!,
        ConversationId = row.Text(first + 7),
        CampaignId = row.Text(first + 8),
        Detection = StoredJson.ParseDetection(row.Text(first + 9)),
    };

    /// <summary>The account id as the 16-byte key of the opt-out tables, in RFC 4122 (big-endian) order, so that
    /// <c>hex(account_id)</c> in the shell reads as the id without its dashes.</summary>
    internal static byte[] AccountKey(Guid accountId)
    {
        var bytes = new byte[16];
        accountId.TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes;
    }

    // The integer codes are part of the file format (a value's code is its index here): written out rather than taken
    // from the enums' values, so that a contract enum gaining a member can never renumber what is stored.
    private static readonly OptState[] StateCodes = [OptState.OptedIn, OptState.OptedOut];

    private static readonly OptOutSource[] SourceCodes =
        [default, OptOutSource.Keyword, OptOutSource.Manual, OptOutSource.Messenger, OptOutSource.BulkUpload, OptOutSource.Api];

    internal static long StateCode(OptState state) => CodeOf(StateCodes, state, 0);

    private static OptState StateOf(long code) => ValueOf(StateCodes, code, 0);

    internal static long SourceCode(OptOutSource source) => CodeOf(SourceCodes, source, 1);

    private static OptOutSource SourceOf(long code) => ValueOf(SourceCodes, code, 1);

    private static long CodeOf<T>(T[] codes, T value, int first) where T : struct, Enum
    {
        var code = Array.IndexOf(codes, value, first);
        return code >= first ? code : throw new ArgumentOutOfRangeException(nameof(value), value, $"No stored code for {typeof(T).Name} {value}.");
    }

    private static T ValueOf<T>(T[] codes, long code, int first) where T : struct, Enum =>
        code >= first && code < codes.Length
            ? codes[code]
            : throw new InvalidDataException($"Unknown {typeof(T).Name} code {code} in the SQLite file.");

    private static long TicksOf(DateTimeOffset value) => value.UtcTicks;

    private static DateTimeOffset TimeOf(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>
    /// The writer connection and its statements, prepared on first use and reused for every write. The opt-out writes
    /// go through SQLitePCL's raw API (the library under Microsoft.Data.Sqlite): binding integers and spans straight to
    /// prepared statements costs a fraction of an ADO.NET command execution, and a bulk upload runs two of them per
    /// number. Settings and upload saves, rare, use ordinary commands on the same connection.
    /// </summary>
    private sealed class Writer : IDisposable
    {
        private const int Row = raw.SQLITE_ROW;
        private const int Done = raw.SQLITE_DONE;

        /// <summary>Recently used shared texts (the upload's note, "contact", ...) and their ids: most writes need no lookup.</summary>
        private const int MaxCachedTexts = 4_096;

        private readonly sqlite3 _db;
        private readonly SqliteCommand _saveSettings;
        private readonly Dictionary<string, long> _texts = new(StringComparer.Ordinal);
        private readonly (string? Text, long Id)[] _recentTexts = new (string?, long)[4];
        private int _nextRecentText;

        // Prepared on the first opt-out write, not when the connection opens: the schema may not exist yet then.
        private Statements? _statements;

        private Writer(SqliteConnection connection)
        {
            Connection = connection;
            _db = connection.Handle!;
            _saveSettings = connection.CreateCommand();
            _saveSettings.CommandText = SaveSettingsSql;
            foreach (var name in (string[])["@account_id", "@default_country_code", "@auto_opt_out_enabled", "@opt_out_message", "@keywords",
                         "@updated_at", "@updated_by", "@languages"])
                _saveSettings.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        private Statements Prepared => _statements ??= new Statements(this);

        /// <summary>The opt-out write statements of one connection.</summary>
        private sealed class Statements(Writer writer) : IDisposable
        {
            // A new record's columns, its first history entry's included (?13 to ?22 in the statements below).
            private const string InsertRecordInto = """
                INSERT INTO opt_outs (account_id, phone, state, source, note, actor, state_at, created_at, updated_at, flagged, version,
                                      first_state, first_source, first_at, first_recorded_at, first_actor, first_note, first_causation,
                                      first_conversation_id, first_campaign_id, first_detection)

                """;

            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then upgrades can
            // fail with BUSY mid-way, which no busy timeout resolves.
            public readonly sqlite3_stmt Begin = writer.Prepare("BEGIN IMMEDIATE");
            public readonly sqlite3_stmt Commit = writer.Prepare("COMMIT");
            public readonly sqlite3_stmt Rollback = writer.Prepare("ROLLBACK");
            // The new number's first history entry (if any) goes into its row: ?13 to ?22 (BindEntry).
            public readonly BoundStatement InsertRecord = new(writer.Prepare(InsertRecordInto + """
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
                ON CONFLICT (account_id, phone) DO NOTHING
                """));
            // Numbers alike but for the number (InsertAlike): ?2 is a JSON array of their E.164 numbers, the rest as InsertRecord.
            public readonly BoundStatement InsertAlikeRecords = new(writer.Prepare(InsertRecordInto + """
                SELECT ?1, value, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22
                FROM json_each(?2) WHERE true
                ON CONFLICT (account_id, phone) DO NOTHING
                """));
            public readonly sqlite3_stmt SavepointAlike = writer.Prepare("SAVEPOINT alike");
            public readonly sqlite3_stmt ReleaseAlike = writer.Prepare("RELEASE alike");
            public readonly sqlite3_stmt RollbackAlike = writer.Prepare("ROLLBACK TO alike");
            public readonly BoundStatement UpdateRecord = new(writer.Prepare("""
                UPDATE opt_outs
                SET state = ?3, source = ?4, note = ?5, actor = ?6, state_at = ?7, created_at = ?8, updated_at = ?9, flagged = ?10,
                    version = ?11
                WHERE account_id = ?1 AND phone = ?2 AND version = ?12
                """));
            // An entry added after the record's row was written takes the next seq (after the row's own first entry,
            // seq 1, if it has one) inside the write transaction, which holds the database's only write lock, so it
            // can't collide. The entry is ?3 to ?12 (BindEntry).
            public readonly BoundStatement InsertHistory = new(writer.Prepare("""
                INSERT INTO opt_out_history (account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id,
                                             campaign_id, detection)
                SELECT ?1, ?2, COALESCE(MAX(seq), (SELECT first_state IS NOT NULL FROM opt_outs WHERE account_id = ?1 AND phone = ?2)) + 1,
                       ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
                FROM opt_out_history WHERE account_id = ?1 AND phone = ?2
                """));
            public readonly sqlite3_stmt DeleteChanges = writer.Prepare(
                "DELETE FROM causation_changes WHERE account_id = ?1 AND causation = ?2 AND position >= ?3");
            public readonly sqlite3_stmt InsertChanges = writer.Prepare(
                "INSERT INTO causation_changes (account_id, causation, position, phones) VALUES (?1, ?2, ?3, ?4)");
            public readonly sqlite3_stmt FindText = writer.Prepare("SELECT id FROM texts WHERE value = ?1");
            public readonly sqlite3_stmt InsertText = writer.Prepare("INSERT INTO texts (value) VALUES (?1)");

            public void Dispose()
            {
                foreach (var statement in (sqlite3_stmt[])[Begin, Commit, Rollback, DeleteChanges, InsertChanges, FindText, InsertText, SavepointAlike,
                             ReleaseAlike, RollbackAlike])
                    statement.Dispose();
                foreach (var statement in (BoundStatement[])[InsertRecord, InsertAlikeRecords, UpdateRecord, InsertHistory])
                    statement.Dispose();
            }
        }

        public SqliteConnection Connection { get; }

        public static async Task<Writer> OpenAsync(string connectionString, CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                // NORMAL is durable across application crashes in WAL mode (only a power loss can drop the last
                // commits) and avoids an fsync per commit. busy_timeout lets SQLite wait for another process's
                // write lock before reporting BUSY to the retry pipeline.
                await using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMs};";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return new Writer(connection);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        // SQLite has no async I/O (https://learn.microsoft.com/dotnet/standard/data/sqlite/async): the write path is
        // synchronous, on the caller's thread, under the write gate.
        public bool TryWrite(OptOutWrite write, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Execute(Prepared.Begin);
            bool applied;
            try
            {
                applied = Apply(write);
            }
            catch
            {
                Rollback();
                throw;
            }

            if (applied)
                Execute(Prepared.Commit);
            else
                Rollback();
            return applied;
        }

        public bool[] TryWriteMany(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken)
        {
            var results = new bool[writes.Count];
            // One transaction (one write lock, one commit) for the batch; a write that loses its race simply changes
            // no row, so the others still commit.
            Execute(Prepared.Begin);
            try
            {
                var alike = AlikeInserts(writes);
                for (var i = 0; i < writes.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (alike?[i] != true)
                        results[i] = Apply(writes[i]);
                }

                if (alike is not null)
                    InsertAlike(writes, alike, results, cancellationToken);
                Execute(Prepared.Commit);
            }
            catch
            {
                Rollback();
                throw;
            }

            return results;
        }

        /// <summary>Replaces the listed changes of <paramref name="causationId"/> from <paramref name="position"/> on, in one transaction.</summary>
        public bool RecordChanges(Guid accountId, string causationId, long position, IReadOnlyList<string> phones,
            CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var account = AccountKey(accountId);
            Execute(Prepared.Begin);
            try
            {
                var causation = TextId(causationId)!.Value;
                raw.sqlite3_bind_blob(Prepared.DeleteChanges, 1, account);
                raw.sqlite3_bind_int64(Prepared.DeleteChanges, 2, causation);
                raw.sqlite3_bind_int64(Prepared.DeleteChanges, 3, position);
                Execute(Prepared.DeleteChanges);
                for (var i = 0; i < phones.Count; i += ChangesPerPart)
                {
                    raw.sqlite3_bind_blob(Prepared.InsertChanges, 1, account);
                    raw.sqlite3_bind_int64(Prepared.InsertChanges, 2, causation);
                    raw.sqlite3_bind_int64(Prepared.InsertChanges, 3, position + i);
                    raw.sqlite3_bind_text(Prepared.InsertChanges, 4, PhonesJsonOf(phones.Skip(i).Take(ChangesPerPart)));
                    Execute(Prepared.InsertChanges);
                }

                Execute(Prepared.Commit);
                return true;
            }
            catch
            {
                Rollback();
                throw;
            }
        }

        /// <summary>
        /// One compare-and-swap inside the open transaction: the record (0 rows: the insert hit an existing key, or the
        /// version moved on; another writer won and nothing is written), then the history entry if it won.
        /// </summary>
        private bool Apply(OptOutWrite write)
        {
            var record = write.Record;
            var note = TextId(record.Note);
            var actor = TextId(record.Actor);

            var insert = write.ExpectedVersion == 0;
            var statement = insert ? Prepared.InsertRecord : Prepared.UpdateRecord;
            BindRecord(statement, write, note, actor);
            statement.Text(2, record.Phone);
            if (!insert)
                statement.Integer(12, write.ExpectedVersion);
            Execute(statement.Statement);
            if (raw.sqlite3_changes(_db) == 0)
                return false;

            if (!insert && write.Appended is { } entry)
            {
                var history = Prepared.InsertHistory;
                history.Id(1, record.AccountId);
                history.Text(2, record.Phone);
                BindEntry(history, 3, entry, record, note, actor);
                Execute(history.Statement);
            }

            return true;
        }

        /// <summary>
        /// Binds a write's record (all but its phone, ?2) from ?1 to ?11, and for an insert its first history entry from ?13 to ?22
        /// (the parameters of <see cref="Statements.InsertRecord"/>, <see cref="Statements.InsertAlikeRecords"/> and, up to
        /// ?11, <see cref="Statements.UpdateRecord"/>).
        /// </summary>
        private void BindRecord(BoundStatement statement, OptOutWrite write, long? note, long? actor)
        {
            var record = write.Record;
            statement.Id(1, record.AccountId);
            statement.Integer(3, StateCode(record.State));
            statement.Integer(4, SourceCode(record.Source));
            statement.Integer(5, note);
            statement.Integer(6, actor);
            statement.Integer(7, TicksOf(record.StateAt));
            statement.Integer(8, TicksOf(record.CreatedAt));
            statement.Integer(9, TicksOf(record.UpdatedAt));
            statement.Integer(10, record.Flagged ? 1 : 0);
            statement.Integer(11, record.Version);
            if (write.ExpectedVersion == 0)
                BindEntry(statement, 13, write.Appended, record, note, actor);
        }

        /// <summary>Fewer alike inserts than this in a batch are written one by one.</summary>
        private const int MinAlikeInserts = 16;

        /// <summary>
        /// The inserts of a batch that are alike but for the number (a bulk upload's new numbers: the same record values
        /// and the very same first history entry), marked by index: written by one statement, <see cref="InsertAlike"/>.
        /// Null when there are too few to be worth it.
        /// </summary>
        private static bool[]? AlikeInserts(IReadOnlyList<OptOutWrite> writes)
        {
            var alike = new bool[writes.Count];
            var first = -1;
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                if (write.ExpectedVersion != 0 || !IsPlainE164(write.Record.Phone))
                    continue;
                if (first < 0)
                    first = i;
                alike[i] = i == first || Alike(writes[first], write);
            }

            // The group is written after the batch's other writes: a number another write of the batch also touches
            // stays in its place, so the batch's writes of one number still apply in order.
            var others = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < writes.Count; i++)
            {
                if (!alike[i])
                    others.Add(writes[i].Record.Phone);
            }

            var count = 0;
            for (var i = 0; i < writes.Count; i++)
            {
                alike[i] &= !others.Contains(writes[i].Record.Phone);
                count += alike[i] ? 1 : 0;
            }

            return count >= MinAlikeInserts ? alike : null;
        }

        /// <summary>Both inserts write the same values but for the phone: the same record values and the same history entry object.</summary>
        private static bool Alike(OptOutWrite a, OptOutWrite b)
        {
            OptOutRecord x = a.Record, y = b.Record;
            return ReferenceEquals(a.Appended, b.Appended) && x.AccountId == y.AccountId && x.State == y.State && x.Source == y.Source
                   && string.Equals(x.Note, y.Note, StringComparison.Ordinal) && string.Equals(x.Actor, y.Actor, StringComparison.Ordinal)
                   && x.StateAt == y.StateAt && x.CreatedAt == y.CreatedAt && x.UpdatedAt == y.UpdatedAt && x.Flagged == y.Flagged
                   && x.Version == y.Version;
        }

        /// <summary>'+' and digits only: such a number goes into a JSON string as it is.</summary>
        private static bool IsPlainE164(string phone) =>
            phone.Length > 1 && phone[0] == '+' && !phone.AsSpan(1).ContainsAnyExcept("0123456789");

        /// <summary>
        /// Inserts the writes marked <paramref name="alike"/> with one statement (SQLite walks a JSON array of their
        /// numbers, instead of a statement run, reset and bound per number: 850,000 new numbers took 1.7–1.8 s of CPU
        /// instead of 2.1 s; a bulk upload's new numbers are most of its writes).
        /// When one of the numbers got a record first (a race: rare), the statement is undone and they are written one by
        /// one, so each result says exactly which lost.
        /// </summary>
        private void InsertAlike(IReadOnlyList<OptOutWrite> writes, bool[] alike, bool[] results, CancellationToken cancellationToken)
        {
            var indexes = Enumerable.Range(0, writes.Count).Where(i => alike[i]).ToList();
            var template = writes[indexes[0]];
            var statement = Prepared.InsertAlikeRecords;
            // The texts are looked up (and added) before the savepoint: rolling back to it must not undo a text whose id is cached.
            BindRecord(statement, template, TextId(template.Record.Note), TextId(template.Record.Actor));
            var json = new StringBuilder(indexes.Count * 16).Append('[');
            foreach (var i in indexes)
                json.Append(json.Length > 1 ? ",\"" : "\"").Append(writes[i].Record.Phone).Append('"');
            statement.Text(2, json.Append(']').ToString());

            Execute(Prepared.SavepointAlike);
            Execute(statement.Statement);
            if (raw.sqlite3_changes(_db) == indexes.Count)
            {
                Execute(Prepared.ReleaseAlike);
                foreach (var i in indexes)
                    results[i] = true;
                return;
            }

            Execute(Prepared.RollbackAlike);
            Execute(Prepared.ReleaseAlike);
            foreach (var i in indexes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[i] = Apply(writes[i]);
            }
        }

        /// <summary>
        /// Binds a history entry's ten values (state, source, at, recorded_at, actor, note, causation, conversation,
        /// campaign, detection) from parameter <paramref name="first"/> on, or ten NULLs for none. The record's text ids are
        /// reused.
        /// </summary>
        private void BindEntry(BoundStatement statement, int first, OptOutHistoryEntry? entry, OptOutRecord record, long? note, long? actor)
        {
            if (entry is null)
            {
                for (var i = 0; i < EntryColumns; i++)
                    statement.Null(first + i);
                return;
            }

            statement.Integer(first, StateCode(entry.State));
            statement.Integer(first + 1, SourceCode(entry.Source));
            statement.Integer(first + 2, TicksOf(entry.At));
            statement.Integer(first + 3, TicksOf(entry.RecordedAt));
            statement.Integer(first + 4, entry.Actor == record.Actor ? actor : TextId(entry.Actor));
            statement.Integer(first + 5, entry.Note == record.Note ? note : TextId(entry.Note));
            statement.Integer(first + 6, TextId(entry.CausationId)!.Value);
            statement.Text(first + 7, entry.ConversationId);
            statement.Text(first + 8, entry.CampaignId);
            // Most entries have none (an upload's): NULL, which BoundStatement binds once and then leaves in place.
            statement.Text(first + 9, StoredJson.Detection(entry.Detection));
        }

        /// <summary>The id of a shared text, added to <c>texts</c> (inside the caller's transaction) when new.</summary>
        private long? TextId(string? value)
        {
            if (value is null)
                return null;
            // A batch's writes share the same few string instances (note, actor, causation): compared by reference,
            // they skip hashing a 60-character note three times per number.
            foreach (var (text, textId) in _recentTexts)
            {
                if (ReferenceEquals(text, value))
                    return textId;
            }

            if (_texts.TryGetValue(value, out var id))
            {
                Remember(value, id);
                return id;
            }

            raw.sqlite3_bind_text(Prepared.FindText, 1, value);
            var rc = raw.sqlite3_step(Prepared.FindText);
            if (rc == Row)
            {
                id = raw.sqlite3_column_int64(Prepared.FindText, 0);
                raw.sqlite3_reset(Prepared.FindText);
            }
            else
            {
                raw.sqlite3_reset(Prepared.FindText);
                Check(rc, Done);
                raw.sqlite3_bind_text(Prepared.InsertText, 1, value);
                Execute(Prepared.InsertText);
                id = raw.sqlite3_last_insert_rowid(_db);
            }

            if (_texts.Count >= MaxCachedTexts)
                _texts.Clear();
            _texts[value] = id;
            Remember(value, id);
            return id;
        }

        private void Remember(string value, long id)
        {
            _recentTexts[_nextRecentText] = (value, id);
            _nextRecentText = (_nextRecentText + 1) % _recentTexts.Length;
        }

        /// <summary>
        /// Rolls the open transaction back (if SQLite has not already) and forgets the cached text ids: a text added in
        /// the rolled-back transaction is gone, and its id may be given to another value.
        /// </summary>
        private void Rollback()
        {
            _texts.Clear();
            Array.Clear(_recentTexts);
            if (raw.sqlite3_get_autocommit(_db) == 0)
                Execute(Prepared.Rollback);
        }

        /// <summary>Steps a statement that returns no rows, then resets it (keeping its bindings for the next use).</summary>
        private void Execute(sqlite3_stmt statement)
        {
            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            Check(rc, Done);
        }

        /// <summary>Turns an unexpected result code into the SqliteException Microsoft.Data.Sqlite would throw (so BUSY is retried).</summary>
        private void Check(int rc, int expected)
        {
            if (rc != expected)
                SqliteException.ThrowExceptionForRC(rc, _db);
        }

        private sqlite3_stmt Prepare(string sql)
        {
            var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
            if (rc != raw.SQLITE_OK)
            {
                statement?.Dispose();
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return statement ?? throw new InvalidOperationException("SQLite prepared no statement for: " + sql);
        }

        public async Task<bool> SaveSettingsAsync(AccountSettings settings, CancellationToken cancellationToken)
        {
            var command = _saveSettings;
            Set(command, "@account_id", FormatAccount(settings.AccountId));
            Set(command, "@default_country_code", settings.DefaultCountryCode);
            Set(command, "@auto_opt_out_enabled", settings.AutoOptOutEnabled ? 1 : 0);
            Set(command, "@opt_out_message", settings.OptOutMessage);
            Set(command, "@keywords", JsonSerializer.Serialize(settings.Keywords));
            Set(command, "@updated_at", settings.UpdatedAt is { } at ? FormatTime(at) : null);
            Set(command, "@updated_by", settings.UpdatedBy);
            // The original columns stay English's opt-out message and keywords: an older build (or the shell) reads them.
            Set(command, "@languages", StoredJson.Languages(settings.ToStored()));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        public void Dispose()
        {
            // Statements first: a connection with unfinalized statements can't close.
            _statements?.Dispose();
            _saveSettings.Dispose();
            Connection.Dispose();
        }

        private static void Set(SqliteCommand command, string name, object? value) =>
            command.Parameters[name].Value = value ?? DBNull.Value;
    }
}
