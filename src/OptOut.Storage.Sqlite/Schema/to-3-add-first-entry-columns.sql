-- A layout-2 file keeps every history entry in opt_out_history; from layout 3 on a number's first entry is in its own
-- row, in these columns (to-3-move-first-entries.sql fills them).
ALTER TABLE opt_outs ADD COLUMN first_state INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_source INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_at INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_recorded_at INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_actor INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_note INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_causation INTEGER;
ALTER TABLE opt_outs ADD COLUMN first_conversation_id TEXT;
ALTER TABLE opt_outs ADD COLUMN first_campaign_id TEXT;
