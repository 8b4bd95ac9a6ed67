-- Layout 7, as it was: the conversion of layout 6 ends in it (SqliteSchema runs it where it ran schema.sql), and
-- layout 8 only adds review_items, which schema.sql creates. Never changed: schema.sql is the current layout.
--
-- A bulk upload writes a million numbers, so the two opt-out tables are kept small (the write rate is what limits the
-- ingest): the account as the small integer accounts gives it, states, sources and times (UTC ticks, so the event-time
-- tie rule compares exact values) as integers, and each note, actor and causation id stored once in texts and
-- referenced by id (an upload's million rows share one note). Opted-out records, nearly all of them, need no index
-- beyond the key: listing them walks the key; the few opted-in ones have a partial index. The views opt_outs_readable
-- and opt_out_history_readable show it all as text for someone auditing the file in the sqlite3 shell. The small tables
-- (settings, uploads) keep the account id as text and times as UTC ISO-8601 round-trip strings.

-- The accounts the opt-out tables name, each id (the platform's own, exact: "42", "acme-campaigns", a GUID's lowercase
-- "D" string) once. Rows are only ever added, so an id means one account forever; a read of an account not in it
-- finds nothing.
CREATE TABLE IF NOT EXISTS accounts (
    id    INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);
-- Shared strings: notes, actors, causation ids. Rows are only ever added, so an id means one value forever.
CREATE TABLE IF NOT EXISTS texts (
    id    INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS opt_outs (
    account_id INTEGER NOT NULL, -- accounts.id
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
    account_id      INTEGER NOT NULL, -- accounts.id
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
    account_id INTEGER NOT NULL, -- accounts.id
    causation  INTEGER NOT NULL, -- texts.id of the causation id
    position   INTEGER NOT NULL, -- the stretch's position in the upload plus the part's offset in its list
    phones     TEXT NOT NULL,    -- JSON array of E.164 numbers
    PRIMARY KEY (account_id, causation, position)
) WITHOUT ROWID;
-- The events of a transition the broker has not confirmed yet (the outbox, IOutbox), at most one per number: written in
-- the transaction that writes the transition, deleted once the broker confirmed them. A row lives milliseconds unless
-- the service died or the broker refused the publish; bulk uploads never write here, so the sweeper's scan of expired
-- claims (ListDueAsync) needs no index.
CREATE TABLE IF NOT EXISTS pending_events (
    account_id     INTEGER NOT NULL, -- accounts.id
    phone          TEXT NOT NULL,    -- E.164
    causation      INTEGER NOT NULL, -- texts.id of the transition's causation id
    reply          TEXT,             -- JSON (StoredJson): the confirmation {from, body, kind, language}; NULL: none
    claim_message  TEXT NOT NULL,    -- the bus message (or admin write, or sweeper) publishing them now
    claim_delivery TEXT NOT NULL,    -- that delivery's nonce (its in-process retries share it)
    claimed_until  INTEGER NOT NULL, -- UTC ticks: from then on anyone may take them over
    PRIMARY KEY (account_id, phone)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS opt_outs_readable AS
SELECT (SELECT value FROM accounts WHERE id = o.account_id) AS account_id,
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
SELECT (SELECT value FROM accounts WHERE id = h.account_id) AS account_id,
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
    version                 INTEGER NOT NULL,
    -- The message data address of the uploaded file; last, as layout 5 added it (to-5-add-upload-file-address.sql).
    file_address            TEXT
);
CREATE INDEX IF NOT EXISTS ix_bulk_uploads_account_submitted
    ON bulk_uploads (account_id, submitted_at DESC, upload_id DESC);
