-- The daemon's own login role, write checks on every row-level policy, and idempotency records
-- as isolated as the resources they replay. See Docs/architecture.md, "Database roles".
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- hearthd logs in as `hearth_daemon`: it owns nothing, is not a member of `hearth_app` (so it
-- cannot take on the owner's tools' rights) and holds only the grants below. Roles are
-- cluster-wide: created once (without a password: set one with ALTER ROLE) and granted rights
-- in every Hearth database of the cluster. The migrating user needs CREATEROLE, or an
-- administrator creates the role first.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hearth_daemon') THEN
        BEGIN
            CREATE ROLE hearth_daemon LOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- another database of the cluster created it at the same moment
        END;
    END IF;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hearth_daemon', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO hearth_daemon;

-- Reading: what the API serves (statements read the ledger), what rounds clear, /ready.
GRANT SELECT ON authorities, api_keys, offers, beds, bids, rounds, proposals, declined_pairs, placements,
    bed_occupancy, settlement_runs, journal_entries, journal_lines, daemons, control, idempotency_keys,
    schema_migrations TO hearth_daemon;
-- Writing: the market, rounds and their holds, its own registration. Never keys, members,
-- control, migrations or the ledger.
GRANT INSERT, UPDATE ON offers, bids, rounds, proposals, placements, bed_occupancy, daemons TO hearth_daemon;
GRANT INSERT ON beds, declined_pairs, audit_log, idempotency_keys TO hearth_daemon;
GRANT DELETE ON idempotency_keys TO hearth_daemon;
GRANT USAGE ON SEQUENCE rounds_id_seq, bed_occupancy_id_seq, audit_log_id_seq TO hearth_daemon;

-- hearth_app is now only what the owner's own programs (hearthctl, hearth-settle) work as inside
-- scoped transactions; keys are administered as the owner itself, never through it.
REVOKE INSERT, UPDATE ON api_keys FROM hearth_app;

-- Proposals: made only by clearing rounds (the all-authorities scope); a party may change its
-- proposals and they stay its proposals.
DROP POLICY proposals_parties ON proposals;
CREATE POLICY proposals_visible ON proposals FOR SELECT
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));
CREATE POLICY proposals_insert_by_rounds ON proposals FOR INSERT
    WITH CHECK (hearth_sees_all());
CREATE POLICY proposals_update_parties ON proposals FOR UPDATE
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority))
    WITH CHECK (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));

-- Placements: made by the host from one of its own proposals, exactly as proposed.
DROP POLICY placements_parties ON placements;
CREATE POLICY placements_visible ON placements FOR SELECT
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));
CREATE POLICY placements_insert_by_host ON placements FOR INSERT
    WITH CHECK (hearth_sees_all() OR (
        host_authority = hearth_current_authority()
        AND EXISTS (
            SELECT 1 FROM proposals p
            WHERE p.id = placements.proposal_id AND p.bid_id = placements.bid_id AND p.offer_id = placements.offer_id
              AND p.placing_authority = placements.placing_authority AND p.host_authority = placements.host_authority
        )
    ));
CREATE POLICY placements_update_parties ON placements FOR UPDATE
    USING (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority))
    WITH CHECK (hearth_sees_all() OR hearth_current_authority() IN (placing_authority, host_authority));

-- Who a row belongs to, and what a proposal or placement pairs, never changes, in any scope:
-- WITH CHECK sees only the new row, so a trigger compares it with the old one.
CREATE FUNCTION refuse_change_to_fixed_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fixed text;
BEGIN
    FOREACH fixed IN ARRAY TG_ARGV LOOP
        IF to_jsonb(NEW) -> fixed IS DISTINCT FROM to_jsonb(OLD) -> fixed THEN
            RAISE EXCEPTION '%.% cannot be changed', TG_TABLE_NAME, fixed USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;
CREATE TRIGGER bids_fixed_columns BEFORE UPDATE ON bids
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns('id', 'authority');
CREATE TRIGGER offers_fixed_columns BEFORE UPDATE ON offers
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns('id', 'authority');
CREATE TRIGGER proposals_fixed_columns BEFORE UPDATE ON proposals
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns(
        'id', 'round_id', 'bid_id', 'offer_id', 'placing_authority', 'host_authority', 'beds', 'distance_km', 'weekly_rate_pence');
CREATE TRIGGER placements_fixed_columns BEFORE UPDATE ON placements
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns(
        'id', 'proposal_id', 'bid_id', 'offer_id', 'placing_authority', 'host_authority');

-- Idempotency records replay responses about children: visible and writable only under the
-- authority of the key that made them (or the all-authorities scope), and kept only for the
-- 24-hour replay window (lookups ignore older records; daemons purge them).
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON idempotency_keys
    USING (hearth_sees_all() OR EXISTS (
        SELECT 1 FROM api_keys k WHERE k.id = idempotency_keys.key_id AND k.authority = hearth_current_authority()
    ))
    WITH CHECK (hearth_sees_all() OR EXISTS (
        SELECT 1 FROM api_keys k WHERE k.id = idempotency_keys.key_id AND k.authority = hearth_current_authority()
    ));
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
