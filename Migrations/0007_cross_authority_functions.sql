-- The exchange's consequences for the other side of a proposal, done without the
-- all-authorities scope. See Docs/architecture.md, "Database roles".
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- A member's request changes only rows its own scope may change, except the other party's bid,
-- which a proposal's lifecycle moves: back to the market when the proposal ends unplaced, to
-- `placed` when it is confirmed. Each function below does that one change and nothing else,
-- after checking itself that the caller's authority (`hearth.authority`) is entitled to it, so
-- no API transaction needs '*'. They run as their owner (the migrating user, which row-level
-- security also binds: FORCE), take '*' only for their one UPDATE and then restore the
-- caller's scope; an error aborts the statement and, with it, that change of setting. The
-- search_path is fixed (pg_temp last) so no caller's object can stand in for the tables.
-- Both are idempotent: repeating a call changes nothing.
-- bed_occupancy and declined_pairs have no row-level security: the caller's scope writes them.

-- Returns the proposal's bid to the market: only for a party to the proposal (or '*'), only
-- once the proposal has ended unplaced (declined, lapsed, withdrawn), only while the bid is
-- `proposed` and has no live proposal since. True when the bid was reopened.
CREATE FUNCTION hearth_reopen_bid_after(proposal uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    caller constant text := hearth_current_authority();
    ended proposals%ROWTYPE;
    reopened boolean;
BEGIN
    SELECT * INTO ended FROM proposals WHERE id = proposal;
    IF NOT FOUND OR NOT (caller = '*' OR caller IN (ended.placing_authority, ended.host_authority)) THEN
        RAISE EXCEPTION 'proposal % is not a proposal of authority "%"', proposal, caller USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF ended.status NOT IN ('declined', 'lapsed', 'withdrawn') THEN
        RAISE EXCEPTION 'proposal % is %, not ended: its bid stays where it is', proposal, ended.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM set_config('hearth.authority', '*', true);
    UPDATE bids SET status = 'open', version = version + 1, updated_at = now()
    WHERE id = ended.bid_id AND status = 'proposed'
      AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.bid_id = ended.bid_id AND p.status IN ('proposed', 'accepted', 'signed_off'));
    reopened := FOUND;
    PERFORM set_config('hearth.authority', caller, true);
    RETURN reopened;
END;
$$;

-- Marks the proposal's bid placed: only for the proposal's host (or '*'), only once the
-- proposal is confirmed and its placement made, only while the bid is `proposed`. True when
-- the bid was marked placed.
CREATE FUNCTION hearth_place_bid_for(proposal uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    caller constant text := hearth_current_authority();
    confirmed proposals%ROWTYPE;
    placed boolean;
BEGIN
    SELECT * INTO confirmed FROM proposals WHERE id = proposal;
    IF NOT FOUND OR NOT (caller = '*' OR caller = confirmed.host_authority) THEN
        RAISE EXCEPTION 'proposal % is not hosted by authority "%"', proposal, caller USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF confirmed.status <> 'confirmed' OR NOT EXISTS (SELECT 1 FROM placements WHERE proposal_id = proposal) THEN
        RAISE EXCEPTION 'proposal % is %, without a placement: its bid is not placed', proposal, confirmed.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM set_config('hearth.authority', '*', true);
    UPDATE bids SET status = 'placed', version = version + 1, updated_at = now()
    WHERE id = confirmed.bid_id AND status = 'proposed';
    placed := FOUND;
    PERFORM set_config('hearth.authority', caller, true);
    RETURN placed;
END;
$$;

REVOKE EXECUTE ON FUNCTION hearth_reopen_bid_after(uuid), hearth_place_bid_for(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hearth_reopen_bid_after(uuid), hearth_place_bid_for(uuid) TO hearth_daemon, hearth_app;
