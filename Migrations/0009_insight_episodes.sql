-- Regional insight: the members' SSDA903 episodes, minimised (DESIGN.md, Insight; Docs/insight.md).
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- The per-installation secret that keys the hash of a return's CHILD id (HMAC-SHA256). Made here
-- from PostgreSQL's strong random source (gen_random_uuid: 2 × 122 random bits), readable by the
-- schema's owner only: neither hearth_app nor hearth_daemon holds any grant on it, so the API can
-- never turn a CHILD id into its key. It travels with the database (a restored backup keeps its
-- keys, so later returns still merge); losing it only means later imports start new histories.
CREATE TABLE insight_secrets (
    name text PRIMARY KEY,
    secret bytea NOT NULL CHECK (length(secret) >= 30)
);
REVOKE ALL ON insight_secrets FROM PUBLIC;
INSERT INTO insight_secrets (name, secret)
VALUES ('ssda903_child_key',
        decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex'));

-- One period of care for one child, as the returns give it, minimised: a keyed hash for the
-- child, month and year of birth, postcode districts (never full postcodes), the derived
-- distance and the placement's authority. Never UPN, ethnicity, names, addresses or the mother's
-- details. One row per authority, child and episode start (DECOM): successive years' returns are
-- merged on that key, the later return winning (`return_year`).
CREATE TABLE episodes (
    authority text NOT NULL REFERENCES authorities (code),
    child_key text NOT NULL CHECK (child_key ~ '^[0-9a-f]{64}$'),
    decom date NOT NULL,
    dec date CHECK (dec IS NULL OR dec >= decom),
    birth_month text CHECK (birth_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    sex text CHECK (sex IN ('1', '2')),
    rne text NOT NULL CHECK (rne ~ '^[A-Z0-9]{1,2}$'),
    ls text NOT NULL CHECK (ls ~ '^[A-Z0-9]{2,3}$'),
    cin text NOT NULL CHECK (cin ~ '^N[1-8]$'),
    place text NOT NULL CHECK (place ~ '^[A-Z][0-9]{1,2}$'),
    place_provider text CHECK (place_provider ~ '^PR[0-5]$'),
    rec text CHECK (rec ~ '^[A-Z][0-9A-Z]{1,3}$'),
    reason_place_change text CHECK (reason_place_change ~ '^[A-Z]{4,6}$'),
    home_district text CHECK (home_district ~ '^[A-Z]{1,2}[0-9][A-Z0-9]?$'),
    placement_district text CHECK (placement_district ~ '^[A-Z]{1,2}[0-9][A-Z0-9]?$'),
    distance_km double precision CHECK (distance_km >= 0),
    placement_authority text CHECK (placement_authority ~ '^[EWSN][0-9]{8}$'),
    uasc boolean NOT NULL DEFAULT false,
    -- The collection year of the return that supplied the row: 2024 for 2023/24 (ending 31 March 2024).
    return_year integer NOT NULL CHECK (return_year BETWEEN 1990 AND 2100),
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (authority, child_key, decom),
    CHECK ((dec IS NULL) = (rec IS NULL))
);
CREATE INDEX episodes_open_between ON episodes (decom, dec);

-- Each file import that changed something: which authority, which collection year, the file's
-- SHA-256 and what it did. No row data.
CREATE TABLE ssda903_imports (
    id bigserial PRIMARY KEY,
    authority text NOT NULL REFERENCES authorities (code),
    return_year integer NOT NULL,
    file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    episodes integer NOT NULL CHECK (episodes >= 0),
    inserted integer NOT NULL CHECK (inserted >= 0),
    updated integer NOT NULL CHECK (updated >= 0),
    replaced integer NOT NULL CHECK (replaced >= 0),
    imported_at timestamptz NOT NULL DEFAULT now()
);

-- Reads: hearthd serves the region's aggregates (under the all-authorities scope) and a member's
-- own detail; hearthctl's scoped reads work as hearth_app. Writes: only `hearthctl import
-- ssda903`, as the schema's owner: neither role may insert, change or delete an episode.
GRANT SELECT ON episodes, ssda903_imports TO hearth_app, hearth_daemon;

-- Row-level security for the roles that read: a member's scope sees its own children's
-- episodes only. Not FORCEd: the owner is the only writer (and could lift a forced policy at
-- will); its import sees the authority's whole history to merge it.
ALTER TABLE episodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY episodes_visible ON episodes FOR SELECT
    USING (hearth_sees_all() OR authority = hearth_current_authority());
ALTER TABLE ssda903_imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY ssda903_imports_visible ON ssda903_imports FOR SELECT
    USING (hearth_sees_all() OR authority = hearth_current_authority());
