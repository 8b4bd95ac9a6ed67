-- Every history's first entry (seq 1 until layout 3) into its number's row; the later entries keep their seq.
UPDATE opt_outs SET (first_state, first_source, first_at, first_recorded_at, first_actor, first_note, first_causation,
                     first_conversation_id, first_campaign_id, first_detection) =
    (SELECT h.state, h.source, h.at, h.recorded_at, h.actor, h.note, h.causation, h.conversation_id, h.campaign_id, h.detection
     FROM opt_out_history h WHERE h.account_id = opt_outs.account_id AND h.phone = opt_outs.phone AND h.seq = 1);
DELETE FROM opt_out_history WHERE seq = 1;
