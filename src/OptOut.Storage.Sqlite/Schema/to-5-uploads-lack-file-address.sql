-- 1 when the file has an uploads table without the file_address column (to-5-add-upload-file-address.sql adds it), else 0.
SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bulk_uploads')
       AND NOT EXISTS (SELECT 1 FROM pragma_table_info('bulk_uploads') WHERE name = 'file_address')
