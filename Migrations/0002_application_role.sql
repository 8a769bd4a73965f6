-- The role the programs work as (`SET ROLE hearth_app` after connecting). It owns nothing, so
-- row-level security applies to it, and it cannot change the append-only tables at all.
-- Roles are cluster-wide: the role is created once and reused by every Hearth database in the
-- cluster. The migrating user needs CREATEROLE, or an administrator creates the role first.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hearth_app') THEN
        CREATE ROLE hearth_app NOLOGIN;
    END IF;
END
$$;

DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'hearth_app', 'MEMBER') THEN
        EXECUTE format('GRANT hearth_app TO %I', current_user);
    END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;

GRANT SELECT ON authorities, api_keys, offers, beds, bids, rounds, proposals, declined_pairs,
    placements, bed_occupancy, settlement_runs, journal_entries, journal_lines, audit_log,
    daemons, control, idempotency_keys TO hearth_app;
GRANT INSERT, UPDATE ON authorities, api_keys, offers, bids, rounds, proposals, placements,
    bed_occupancy, settlement_runs, daemons, control TO hearth_app;
GRANT INSERT ON beds, declined_pairs, journal_entries, journal_lines, audit_log, idempotency_keys TO hearth_app;
GRANT DELETE ON daemons, idempotency_keys TO hearth_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hearth_app;
