-- People who sign in to the web app (one authority, one role each), their one-time set-up
-- tokens, their sessions (stored here so any daemon serves any session) and failed sign-ins
-- (for throttling); the person in the audit log and on the proposals they accept or sign off.
-- See Docs/web.md. Applied once, in a transaction, by `hearthctl migrate` as the schema's owner.

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = btrim(email) AND position('@' IN email) > 1),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    authority     text NOT NULL REFERENCES authorities (code),
    role          text NOT NULL CHECK (role IN ('placement', 'scrutiny', 'finance', 'operator')),
    -- bcrypt ($2a$/$2b$/$2y$); NULL until the person has chosen a password.
    password_hash text CHECK (password_hash IS NULL OR password_hash ~ '^\$2[aby]\$[0-9]{2}\$.{53}$'),
    -- Base32 TOTP secret; NULL when the person has no second factor.
    totp_secret   text CHECK (totp_secret IS NULL OR totp_secret ~ '^[A-Z2-7]{16,64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
-- One person per address, whatever its case.
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- One-time links to choose a password, valid 72 hours; only the SHA-256 of the token is kept.
CREATE TABLE user_setup_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Signed-in browsers. Only the SHA-256 of the cookie's token is kept; the CSRF token is per
-- session. A session idle longer than the web app's timeout (30 minutes) is refused and purged.
CREATE TABLE web_sessions (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES users (id),
    csrf_token   text NOT NULL CHECK (length(csrf_token) BETWEEN 32 AND 128),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- A success message shown once on the next page (redirect after POST).
    flash        text CHECK (length(flash) <= 500)
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen_at);

-- Failed sign-ins, by the address typed (lower-cased) and by the client's IP address.
CREATE TABLE sign_in_failures (
    id      bigserial PRIMARY KEY,
    email   text NOT NULL CHECK (length(email) <= 254),
    address text CHECK (length(address) <= 64),
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);

-- The person behind an audited change (with their role and authority, as for keys).
ALTER TABLE audit_log ADD COLUMN actor_user_id uuid REFERENCES users (id);
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
    CHECK (actor_kind IN ('api_key', 'operator', 'daemon', 'settlement', 'person'));

-- A person may accept or sign off a proposal; the one who accepted never signs off, whether
-- each side used a key or signed in as a person.
ALTER TABLE proposals ADD COLUMN accepted_by_user uuid REFERENCES users (id);
ALTER TABLE proposals ADD COLUMN signed_off_by_user uuid REFERENCES users (id);
ALTER TABLE proposals ADD CONSTRAINT proposals_person_signs_off_another
    CHECK (signed_off_by_user IS NULL OR signed_off_by_user IS DISTINCT FROM accepted_by_user);
ALTER TABLE proposals ADD CONSTRAINT proposals_one_acceptor
    CHECK (accepted_by_key IS NULL OR accepted_by_user IS NULL);
ALTER TABLE proposals ADD CONSTRAINT proposals_one_signer
    CHECK (signed_off_by_key IS NULL OR signed_off_by_user IS NULL);

-- Completing a set-up link: the only way the daemon's login may set a password (and an optional
-- TOTP secret), for the one person whose valid, unused token it presents. True when it was set.
CREATE FUNCTION hearth_complete_user_setup(token bytea, new_hash text, new_totp text) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    person uuid;
BEGIN
    UPDATE user_setup_tokens t SET used_at = now()
     WHERE t.token_hash = token AND t.used_at IS NULL AND t.expires_at > now()
       AND EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id AND u.disabled_at IS NULL)
    RETURNING t.user_id INTO person;
    IF person IS NULL THEN
        RETURN false;
    END IF;
    UPDATE users SET password_hash = new_hash, totp_secret = new_totp WHERE id = person;
    INSERT INTO audit_log (actor_kind, actor_authority, actor_user_id, actor_role, action, entity, entity_id, after_status)
    SELECT 'person', u.authority, u.id, u.role, 'user.setup', 'user', u.id::text, 'active' FROM users u WHERE u.id = person;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION hearth_complete_user_setup(bytea, text, text) FROM PUBLIC;

-- The daemon reads people (to sign them in) and set-up tokens, keeps sessions and failures, and
-- sets a password only through the function above: it never writes users, roles or hashes.
GRANT SELECT ON users, user_setup_tokens TO hearth_daemon, hearth_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions, sign_in_failures TO hearth_daemon, hearth_app;
GRANT USAGE ON SEQUENCE sign_in_failures_id_seq TO hearth_daemon, hearth_app;
GRANT EXECUTE ON FUNCTION hearth_complete_user_setup(bytea, text, text) TO hearth_daemon, hearth_app;
-- The operator's page shows `hearthctl ledger verify`'s result: the daemon may read (never
-- write) the two ledger tables it did not read yet.
GRANT SELECT ON ledger_seals, contribution_charges TO hearth_daemon;
-- Reading the exchange's status (the operator's page, as `hearthctl status` does) forgets
-- daemons not seen for a day: the daemon may delete those registrations too.
GRANT DELETE ON daemons TO hearth_daemon;

-- **Pause clearing** and **Resume clearing** on the operator's page: hearthd's login cannot
-- write `control`; this function does, only for an enabled person whose role is operator.
-- True when the flag changed.
CREATE FUNCTION hearth_set_clearing_paused(paused boolean, person uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = person AND role = 'operator' AND disabled_at IS NULL) THEN
        RAISE EXCEPTION 'only an enabled operator may pause or resume clearing' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE control SET clearing_paused = paused, changed_at = now(), changed_by = 'person' WHERE clearing_paused IS DISTINCT FROM paused;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed > 0;
END
$$;
REVOKE ALL ON FUNCTION hearth_set_clearing_paused(boolean, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hearth_set_clearing_paused(boolean, uuid) TO hearth_daemon, hearth_app;
