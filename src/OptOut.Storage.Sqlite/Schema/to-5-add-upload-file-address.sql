-- Layout 5 keeps where an upload's file was stored, so the admin API can store an upload queued before its consumer
-- starts it. Nullable: an upload stored before (or one that came over the bus with no state) has none. ADD COLUMN
-- rewrites only the table's definition, never its rows.
ALTER TABLE bulk_uploads ADD COLUMN file_address TEXT;
