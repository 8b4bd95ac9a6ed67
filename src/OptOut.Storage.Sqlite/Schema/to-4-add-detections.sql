-- Layout 4 keeps a history entry's detection (how a contact's text was read): nullable columns. ADD COLUMN only rewrites
-- the table's definition, never its rows (a row without the column reads NULL), so a file of a million numbers converts
-- at once. The views go first; schema.sql makes them again, with the detections.
DROP VIEW IF EXISTS opt_outs_readable;
DROP VIEW IF EXISTS opt_out_history_readable;
ALTER TABLE opt_outs ADD COLUMN first_detection TEXT;
ALTER TABLE opt_out_history ADD COLUMN detection TEXT;
