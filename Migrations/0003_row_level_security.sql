-- Isolation enforced by PostgreSQL as well as by the application. API transactions run as
-- `hearth_app` (SET LOCAL ROLE) with the caller's authority in the transaction-local setting
-- `hearth.authority` ('*' for operator keys and for the daemon's own work). FORCE makes the
-- policies apply to the tables' owner too; only superusers and BYPASSRLS roles skip them.

CREATE FUNCTION hearth_current_authority() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('hearth.authority', true), '')
$$;

CREATE FUNCTION hearth_sees_all() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT hearth_current_authority() = '*'
$$;

-- Bids are children: an authority sees and changes only its own.
ALTER TABLE bids ENABLE ROW LEVEL SECURITY;
ALTER TABLE bids FORCE ROW LEVEL SECURITY;
CREATE POLICY bids_own ON bids
    USING (hearth_sees_all() OR authority = hearth_current_authority())
    WITH CHECK (hearth_sees_all() OR authority = hearth_current_authority());

-- Offers: the market's open offers are visible to every member; an authority sees all of its
-- own and changes only its own.
ALTER TABLE offers ENABLE ROW LEVEL SECURITY;
ALTER TABLE offers FORCE ROW LEVEL SECURITY;
CREATE POLICY offers_visible ON offers FOR SELECT
    USING (hearth_sees_all() OR status = 'open' OR authority = hearth_current_authority());
CREATE POLICY offers_insert_own ON offers FOR INSERT
    WITH CHECK (hearth_sees_all() OR authority = hearth_current_authority());
CREATE POLICY offers_update_own ON offers FOR UPDATE
    USING (hearth_sees_all() OR authority = hearth_current_authority())
    WITH CHECK (hearth_sees_all() OR authority = hearth_current_authority());

-- Proposals and placements: visible to the placing and the host authority only.
ALTER TABLE proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE proposals FORCE ROW LEVEL SECURITY;
CREATE POLICY proposals_parties ON proposals
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority))
    WITH CHECK (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));

ALTER TABLE placements ENABLE ROW LEVEL SECURITY;
ALTER TABLE placements FORCE ROW LEVEL SECURITY;
CREATE POLICY placements_parties ON placements
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority))
    WITH CHECK (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));

-- Clearing daemons wake on market changes (debounced on their side).
CREATE FUNCTION notify_market_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hearth_market', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;
CREATE TRIGGER bids_notify AFTER INSERT OR UPDATE ON bids
    FOR EACH STATEMENT EXECUTE FUNCTION notify_market_change();
CREATE TRIGGER offers_notify AFTER INSERT OR UPDATE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_market_change();
