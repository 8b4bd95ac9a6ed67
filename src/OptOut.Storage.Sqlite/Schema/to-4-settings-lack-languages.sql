-- 1 when the file has a settings table without the languages column (to-4-add-languages.sql adds it), else 0.
SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings')
       AND NOT EXISTS (SELECT 1 FROM pragma_table_info('settings') WHERE name = 'languages')
