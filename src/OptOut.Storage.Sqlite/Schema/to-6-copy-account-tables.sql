-- Layout 5's rows into the tables schema.sql created: every account (a GUID's 16 bytes in RFC 4122 order) becomes its
-- lowercase "D" string in accounts, numbered in the order of the bytes, so the rows are copied in the new key's order
-- (appends to each B-tree, not inserts all over it). Then the renamed tables go.
CREATE TEMP TABLE layout5_accounts (account_key BLOB PRIMARY KEY, value TEXT NOT NULL, id INTEGER) WITHOUT ROWID;
INSERT INTO layout5_accounts (account_key, value)
    SELECT account_key,
           lower(substr(hex(account_key), 1, 8) || '-' || substr(hex(account_key), 9, 4) || '-' || substr(hex(account_key), 13, 4)
                 || '-' || substr(hex(account_key), 17, 4) || '-' || substr(hex(account_key), 21))
    FROM (SELECT account_id AS account_key FROM opt_outs_layout5
          UNION SELECT account_id FROM opt_out_history_layout5
          UNION SELECT account_id FROM causation_changes_layout5);
INSERT OR IGNORE INTO accounts (value) SELECT value FROM layout5_accounts ORDER BY account_key;
UPDATE layout5_accounts SET id = (SELECT a.id FROM accounts a WHERE a.value = layout5_accounts.value);
INSERT INTO opt_outs (account_id, phone, state, source, note, actor, state_at, created_at, updated_at, flagged, version,
                      first_state, first_source, first_at, first_recorded_at, first_actor, first_note, first_causation,
                      first_conversation_id, first_campaign_id, first_detection)
    SELECT k.id, o.phone, o.state, o.source, o.note, o.actor, o.state_at, o.created_at, o.updated_at, o.flagged, o.version,
           o.first_state, o.first_source, o.first_at, o.first_recorded_at, o.first_actor, o.first_note, o.first_causation,
           o.first_conversation_id, o.first_campaign_id, o.first_detection
    FROM opt_outs_layout5 o JOIN layout5_accounts k ON k.account_key = o.account_id
    ORDER BY k.id, o.phone;
INSERT INTO opt_out_history (account_id, phone, seq, state, source, at, recorded_at, actor, note, causation, conversation_id,
                             campaign_id, detection)
    SELECT k.id, h.phone, h.seq, h.state, h.source, h.at, h.recorded_at, h.actor, h.note, h.causation, h.conversation_id,
           h.campaign_id, h.detection
    FROM opt_out_history_layout5 h JOIN layout5_accounts k ON k.account_key = h.account_id
    ORDER BY k.id, h.phone, h.seq;
INSERT INTO causation_changes (account_id, causation, position, phones)
    SELECT k.id, c.causation, c.position, c.phones
    FROM causation_changes_layout5 c JOIN layout5_accounts k ON k.account_key = c.account_id
    ORDER BY k.id, c.causation, c.position;
DROP TABLE layout5_accounts;
DROP TABLE opt_outs_layout5;
DROP TABLE opt_out_history_layout5;
DROP TABLE causation_changes_layout5;
