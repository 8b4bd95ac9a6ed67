-- Layout 1's rows into the tables schema.sql created, converted: shared texts into texts, the account's "D" text into
-- its 16 bytes, states and sources into their codes, times ("2025-04-11T09:30:00.1234567+00:00": fixed width, so the
-- seconds and the 7 fraction digits are at fixed positions) into UTC ticks. Then the renamed tables go.
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
