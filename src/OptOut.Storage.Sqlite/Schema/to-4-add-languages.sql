-- Layout 4 keeps an account's language settings. Every earlier layout's upgrade adds the column (first) when the file
-- has a settings table without it (to-4-settings-lack-languages.sql); schema.sql creates the table, with the column,
-- when it has none.
ALTER TABLE settings ADD COLUMN languages TEXT;
