-- A layout-2 file lists an upload's numbers through an index of every history entry's causation: from layout 3 on
-- causation_changes lists them, and the index, one more B-tree insert in every write, goes.
DROP INDEX IF EXISTS ix_opt_out_history_account_causation_phone;
