-- Hearth core schema: members, keys, offers, bids, rounds, proposals, placements, bed
-- occupancy, ledger, audit log, daemons and control. See Docs/architecture.md.
-- Applied once, in a transaction, by `hearthctl migrate`; never edit after it has landed.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Members of the Regional Care Cooperative.
CREATE TABLE authorities (
    code          text PRIMARY KEY CHECK (code ~ '^[EWSN][0-9]{8}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    lat           numeric(5, 2) NOT NULL CHECK (lat BETWEEN 49 AND 61),
    lon           numeric(5, 2) NOT NULL CHECK (lon BETWEEN -9 AND 2),
    active        boolean NOT NULL DEFAULT true,
    -- Share of the region's looked-after children (%), where known: weights the demo data.
    lac_share_pct numeric(5, 2) CHECK (lac_share_pct BETWEEN 0 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- API keys: stored only as a SHA-256 hash; `prefix` identifies a key in lists and revocations.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prefix        text NOT NULL UNIQUE CHECK (length(prefix) BETWEEN 8 AND 32),
    secret_hash   bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    authority     text NOT NULL REFERENCES authorities (code),
    role          text NOT NULL CHECK (role IN ('placement', 'scrutiny', 'finance', 'operator')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX api_keys_authority ON api_keys (authority);

-- A surplus in-house place offered to the region.
CREATE TABLE offers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    authority          text NOT NULL REFERENCES authorities (code),
    setting            text NOT NULL CHECK (setting IN ('foster', 'childrens_home', 'secure_childrens_home', 'supported_accommodation')),
    capacity           integer NOT NULL CHECK (capacity BETWEEN 1 AND 8),
    needs_supported    text[] NOT NULL DEFAULT '{}' CHECK (needs_supported <@ ARRAY[
                           'emotional_behavioural', 'autism', 'learning_disability', 'physical_disability',
                           'complex_health', 'mental_health', 'self_harm', 'exploitation_risk',
                           'missing_from_care', 'substance_misuse', 'youth_justice', 'uasc',
                           'parent_and_child', 'deprivation_of_liberty']::text[]),
    age_min            integer NOT NULL CHECK (age_min BETWEEN 0 AND 17),
    age_max            integer NOT NULL CHECK (age_max BETWEEN 0 AND 17),
    sexes_accepted     text[] NOT NULL CHECK (cardinality(sexes_accepted) >= 1 AND sexes_accepted <@ ARRAY['female', 'male', 'other']::text[]),
    lat                numeric(5, 2) NOT NULL CHECK (lat BETWEEN 49 AND 61),
    lon                numeric(5, 2) NOT NULL CHECK (lon BETWEEN -9 AND 2),
    postcode_district  text CHECK (postcode_district ~ '^[A-Z]{1,2}[0-9][0-9A-Z]?$'),
    available_from     date NOT NULL,
    available_until    date,
    weekly_rate_pence  bigint NOT NULL CHECK (weekly_rate_pence BETWEEN 0 AND 10000000),
    ofsted_urn         text CHECK (ofsted_urn ~ '^[A-Z0-9]{6,10}$'),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn', 'full')),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (age_min <= age_max),
    CHECK (available_until IS NULL OR available_until >= available_from)
);
CREATE INDEX offers_open ON offers (status, setting);
CREATE INDEX offers_authority ON offers (authority);

-- One row per bed of an offer, so that holds and placements can name the bed they take.
CREATE TABLE beds (
    offer_id   uuid NOT NULL REFERENCES offers (id),
    bed_no     integer NOT NULL CHECK (bed_no BETWEEN 1 AND 8),
    PRIMARY KEY (offer_id, bed_no)
);

-- A child, or a sibling group that must live together, needing a place.
CREATE TABLE bids (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    authority              text NOT NULL REFERENCES authorities (code),
    child_ref              text NOT NULL CHECK (length(child_ref) BETWEEN 1 AND 64),
    group_size             integer NOT NULL DEFAULT 1 CHECK (group_size BETWEEN 1 AND 8),
    age                    integer NOT NULL CHECK (age BETWEEN 0 AND 17),
    sex                    text NOT NULL CHECK (sex IN ('female', 'male', 'other')),
    needs                  text[] NOT NULL DEFAULT '{}' CHECK (needs <@ ARRAY[
                               'emotional_behavioural', 'autism', 'learning_disability', 'physical_disability',
                               'complex_health', 'mental_health', 'self_harm', 'exploitation_risk',
                               'missing_from_care', 'substance_misuse', 'youth_justice', 'uasc',
                               'parent_and_child', 'deprivation_of_liberty']::text[]),
    settings_acceptable    text[] NOT NULL CHECK (cardinality(settings_acceptable) >= 1 AND settings_acceptable <@ ARRAY[
                               'foster', 'childrens_home', 'secure_childrens_home', 'supported_accommodation']::text[]),
    home_lat               numeric(5, 2) NOT NULL CHECK (home_lat BETWEEN 49 AND 61),
    home_lon               numeric(5, 2) NOT NULL CHECK (home_lon BETWEEN -9 AND 2),
    home_postcode_district text CHECK (home_postcode_district ~ '^[A-Z]{1,2}[0-9][0-9A-Z]?$'),
    max_distance_km        numeric(8, 3) CHECK (max_distance_km > 0),
    min_distance_km        numeric(8, 3) CHECK (min_distance_km >= 0),
    urgency                text NOT NULL CHECK (urgency IN ('emergency', 'urgent', 'planned')),
    needed_by              date NOT NULL,
    max_weekly_rate_pence  bigint CHECK (max_weekly_rate_pence BETWEEN 0 AND 10000000),
    status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'proposed', 'placed', 'withdrawn', 'expired')),
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (min_distance_km IS NULL OR max_distance_km IS NULL OR min_distance_km <= max_distance_km)
);
CREATE INDEX bids_open ON bids (status, urgency);
CREATE INDEX bids_authority ON bids (authority);

-- Clearing rounds: one row per round, with its figures.
CREATE TABLE rounds (
    id                  bigserial PRIMARY KEY,
    trigger             text NOT NULL CHECK (trigger IN ('notify', 'timer', 'operator', 'startup')),
    daemon_id           uuid,
    status              text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'committed', 'failed')),
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    bids_considered     integer,
    offers_considered   integer,
    compatible_pairs    bigint,
    proposals           integer,
    placed_emergency    integer,
    placed_urgent       integer,
    placed_planned      integer,
    total_distance_km   numeric(14, 3),
    total_weekly_pence  bigint,
    solver_ms           numeric(12, 3),
    error               text
);

-- A pair the clearing proposed; it holds the beds until it is confirmed, declined or lapses.
CREATE TABLE proposals (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    round_id              bigint REFERENCES rounds (id),
    bid_id                uuid NOT NULL REFERENCES bids (id),
    offer_id              uuid NOT NULL REFERENCES offers (id),
    placing_authority     text NOT NULL REFERENCES authorities (code),
    host_authority        text NOT NULL REFERENCES authorities (code),
    beds                  integer NOT NULL CHECK (beds BETWEEN 1 AND 8),
    distance_km           numeric(8, 3) NOT NULL CHECK (distance_km >= 0),
    weekly_rate_pence     bigint NOT NULL CHECK (weekly_rate_pence >= 0),
    status                text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'signed_off', 'confirmed', 'declined', 'lapsed', 'withdrawn')),
    expires_at            timestamptz NOT NULL,
    accepted_by_key       uuid REFERENCES api_keys (id),
    accepted_at           timestamptz,
    child_consulted       boolean,
    child_views_summary   text CHECK (length(child_views_summary) <= 4000),
    signed_off_by_key     uuid REFERENCES api_keys (id),
    signed_off_at         timestamptz,
    sign_off_note         text CHECK (length(sign_off_note) <= 4000),
    declined_by_authority text REFERENCES authorities (code),
    declined_at           timestamptz,
    decline_reason        text CHECK (length(decline_reason) <= 4000),
    confirmed_at          timestamptz,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (signed_off_by_key IS NULL OR signed_off_by_key IS DISTINCT FROM accepted_by_key)
);
-- At most one live proposal per bid.
CREATE UNIQUE INDEX proposals_one_live_per_bid ON proposals (bid_id) WHERE status IN ('proposed', 'accepted', 'signed_off');
CREATE INDEX proposals_placing ON proposals (placing_authority, status);
CREATE INDEX proposals_host ON proposals (host_authority, status);
CREATE INDEX proposals_expiry ON proposals (expires_at) WHERE status IN ('proposed', 'accepted', 'signed_off');

-- Pairs declined by either side: never proposed again.
CREATE TABLE declined_pairs (
    bid_id       uuid NOT NULL REFERENCES bids (id),
    offer_id     uuid NOT NULL REFERENCES offers (id),
    proposal_id  uuid REFERENCES proposals (id),
    declined_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bid_id, offer_id)
);

-- A confirmed placement: a child living in a host authority's place from `start_date`.
-- `end_date` is the day the child leaves: the last night booked is the night before it.
CREATE TABLE placements (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    proposal_id        uuid NOT NULL UNIQUE REFERENCES proposals (id),
    bid_id             uuid NOT NULL REFERENCES bids (id),
    offer_id           uuid NOT NULL REFERENCES offers (id),
    placing_authority  text NOT NULL REFERENCES authorities (code),
    host_authority     text NOT NULL REFERENCES authorities (code),
    beds               integer NOT NULL CHECK (beds BETWEEN 1 AND 8),
    weekly_rate_pence  bigint NOT NULL CHECK (weekly_rate_pence >= 0),
    start_date         date NOT NULL,
    end_date           date CHECK (end_date IS NULL OR end_date >= start_date),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- No child (bid) is placed twice for overlapping dates.
    CONSTRAINT placements_no_child_twice EXCLUDE USING gist (
        bid_id WITH =, daterange(start_date, end_date, '[)') WITH &&
    )
);
CREATE INDEX placements_placing ON placements (placing_authority);
CREATE INDEX placements_host ON placements (host_authority);

-- Which bed a hold (live proposal) or a placement takes, for which dates. The exclusion
-- constraint is the last line of defence against double booking, whatever the application does.
CREATE TABLE bed_occupancy (
    id            bigserial PRIMARY KEY,
    offer_id      uuid NOT NULL,
    bed_no        integer NOT NULL,
    during        daterange NOT NULL CHECK (NOT isempty(during)),
    kind          text NOT NULL CHECK (kind IN ('hold', 'placement')),
    proposal_id   uuid NOT NULL REFERENCES proposals (id),
    placement_id  uuid REFERENCES placements (id),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    released_at   timestamptz,
    FOREIGN KEY (offer_id, bed_no) REFERENCES beds (offer_id, bed_no),
    CHECK ((kind = 'placement') = (placement_id IS NOT NULL)),
    CONSTRAINT bed_occupancy_no_double_booking EXCLUDE USING gist (
        offer_id WITH =, bed_no WITH =, during WITH &&
    ) WHERE (active)
);
CREATE INDEX bed_occupancy_proposal ON bed_occupancy (proposal_id);

-- Settlement: a double-entry ledger. Accounts are member authority codes and 'RCC'.
CREATE TABLE settlement_runs (
    id              bigserial PRIMARY KEY,
    through_date    date NOT NULL,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    nights_booked   bigint NOT NULL DEFAULT 0,
    entries_booked  bigint NOT NULL DEFAULT 0,
    error           text
);

CREATE TABLE journal_entries (
    id                bigserial PRIMARY KEY,
    idempotency_key   text NOT NULL UNIQUE,
    kind              text NOT NULL CHECK (kind IN ('placement_night', 'reversal', 'contribution')),
    placement_id      uuid REFERENCES placements (id),
    night             date,
    reverses_entry_id bigint UNIQUE REFERENCES journal_entries (id),
    settlement_run_id bigint REFERENCES settlement_runs (id),
    description       text NOT NULL,
    booked_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL))
);
CREATE INDEX journal_entries_placement_night ON journal_entries (placement_id, night);

CREATE TABLE journal_lines (
    id            bigserial PRIMARY KEY,
    entry_id      bigint NOT NULL REFERENCES journal_entries (id),
    account       text NOT NULL CHECK (account = 'RCC' OR account ~ '^[EWSN][0-9]{8}$'),
    amount_pence  bigint NOT NULL CHECK (amount_pence <> 0)
);
CREATE INDEX journal_lines_entry ON journal_lines (entry_id);
CREATE INDEX journal_lines_account ON journal_lines (account);

-- Every journal entry's lines sum to zero and there are at least two: checked at commit.
CREATE FUNCTION journal_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    line_count bigint;
    total      numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount_pence), 0) INTO line_count, total
      FROM journal_lines WHERE entry_id = NEW.entry_id;
    IF line_count < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% lines, sum %)', NEW.entry_id, line_count, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER journal_lines_balance
    AFTER INSERT ON journal_lines DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();

-- An entry with no lines at all is refused at commit too.
CREATE FUNCTION journal_entry_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM journal_lines WHERE entry_id = NEW.id) THEN
        RAISE EXCEPTION 'journal entry % has no lines', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER journal_entries_have_lines
    AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION journal_entry_has_lines();

-- Append-only tables: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION refuse_change_to_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER journal_lines_no_truncate BEFORE TRUNCATE ON journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only();

-- Who did what, when: every state change, written in the same transaction as the change.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind      text NOT NULL CHECK (actor_kind IN ('api_key', 'operator', 'daemon', 'settlement')),
    actor_authority text,
    actor_key_id    uuid,
    actor_role      text,
    action          text NOT NULL,
    entity          text NOT NULL,
    entity_id       text,
    before_status   text,
    after_status    text,
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only();

-- Running hearthd processes and their heartbeats.
CREATE TABLE daemons (
    id          uuid PRIMARY KEY,
    host        text NOT NULL,
    pid         integer NOT NULL,
    version     text NOT NULL,
    workers     integer NOT NULL CHECK (workers >= 1),
    state       text NOT NULL CHECK (state IN ('starting', 'running', 'draining', 'stopped')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);

-- Region-wide switches, one row.
CREATE TABLE control (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    clearing_paused  boolean NOT NULL DEFAULT false,
    changed_at       timestamptz NOT NULL DEFAULT now(),
    changed_by       text
);
INSERT INTO control (singleton) VALUES (true);

-- Idempotency-Key replay store for POSTs.
CREATE TABLE idempotency_keys (
    key_id          uuid NOT NULL REFERENCES api_keys (id),
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    method          text NOT NULL,
    path            text NOT NULL,
    request_hash    bytea NOT NULL,
    response_status integer NOT NULL,
    response_body   bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
