-- Layout 6 keys the opt-out tables on accounts.id (an integer) instead of a GUID's 16 bytes, so an account can be any
-- id the platform uses. The three tables are renamed out of the way before schema.sql creates the new ones, which
-- to-6-copy-account-tables.sql then fills from them. A renamed table keeps its indexes, so the index goes first (or
-- schema.sql, finding its name taken, would not create it on the new table), and the views, which schema.sql makes
-- again on the new tables.
DROP VIEW IF EXISTS opt_outs_readable;
DROP VIEW IF EXISTS opt_out_history_readable;
DROP INDEX IF EXISTS ix_opt_outs_opted_in;
ALTER TABLE opt_outs RENAME TO opt_outs_layout5;
ALTER TABLE opt_out_history RENAME TO opt_out_history_layout5;
ALTER TABLE causation_changes RENAME TO causation_changes_layout5;
