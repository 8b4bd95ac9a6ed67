-- A layout-1 file stores everything as text: the account as "D" text, states and sources by name, times as UTC round-trip
-- strings. Its tables are renamed out of the way before schema.sql creates the new ones, which
-- to-2-copy-text-tables.sql then fills from them.
DROP INDEX IF EXISTS ix_opt_outs_account_state_phone;
DROP INDEX IF EXISTS ix_opt_out_history_account_causation_phone;
DROP VIEW IF EXISTS opt_outs_readable;
DROP VIEW IF EXISTS opt_out_history_readable;
ALTER TABLE opt_outs RENAME TO opt_outs_layout1;
ALTER TABLE opt_out_history RENAME TO opt_out_history_layout1;
