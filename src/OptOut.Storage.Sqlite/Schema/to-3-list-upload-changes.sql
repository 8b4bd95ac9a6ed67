-- The numbers each earlier upload (causation "bulk:<upload id>") changed, from the history, into causation_changes in
-- parts of 1,000 in phone order, at positions before 0 (from -2^62, ChangeLogPages.ConvertedPosition, on): an
-- upload that was still running records its stretches from its checkpoint on (position 0 or more) when it resumes, and
-- must not replace these. An upload still dispatching starts over (its cursor was a phone): its events go out again
-- with the same message ids, which downstream de-duplicates.
INSERT OR REPLACE INTO causation_changes (account_id, causation, position, phones)
    SELECT account_id, causation, -4611686018427387904 + (n - 1) / 1000 * 1000, json_group_array(phone)
    FROM (SELECT account_id, causation, phone, row_number() OVER (PARTITION BY account_id, causation ORDER BY phone) AS n
          FROM (SELECT DISTINCT h.account_id, h.causation, h.phone
                FROM opt_out_history h JOIN texts t ON t.id = h.causation
                WHERE t.value LIKE 'bulk:%')
          ORDER BY account_id, causation, phone)
    GROUP BY account_id, causation, (n - 1) / 1000;
UPDATE bulk_uploads SET events_dispatched_after = NULL WHERE status = 'Ingested';
