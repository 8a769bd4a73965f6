-- Settlement: what the nightly run, statements and contributions need beyond 0001.
-- See Docs/settlement.md. Applied once, in a transaction; never edit after it has landed.

-- Statements and `ledger balances --period` select entries by night (the month a charge
-- belongs to).
CREATE INDEX journal_entries_night ON journal_entries (night) WHERE night IS NOT NULL;

-- Reversals are rare; the run looks them up by placement and night to re-book a night whose
-- placement was extended again after a reversal.
CREATE INDEX journal_entries_reversals ON journal_entries (placement_id, night) WHERE kind = 'reversal';

-- A booked night belongs to a placement and a night; a contribution to neither.
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_shape CHECK (
    (kind = 'contribution' AND placement_id IS NULL AND night IS NULL)
    OR (kind IN ('placement_night', 'reversal') AND placement_id IS NOT NULL AND night IS NOT NULL)
);

-- Membership contributions booked into the ledger: one per member and financial year
-- (the year starting 1 April of `financial_year`), with the figures that set the amount.
CREATE TABLE contribution_charges (
    authority       text NOT NULL REFERENCES authorities (code),
    financial_year  integer NOT NULL CHECK (financial_year BETWEEN 2000 AND 2100),
    year_index      integer NOT NULL CHECK (year_index BETWEEN 1 AND 3),
    tier            integer NOT NULL CHECK (tier >= 1),
    share_pct       numeric(7, 4) NOT NULL CHECK (share_pct BETWEEN 0 AND 100),
    amount_pence    bigint NOT NULL CHECK (amount_pence > 0),
    entry_id        bigint NOT NULL UNIQUE REFERENCES journal_entries (id),
    booked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (authority, financial_year)
);
CREATE TRIGGER contribution_charges_append_only BEFORE UPDATE OR DELETE ON contribution_charges
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER contribution_charges_no_truncate BEFORE TRUNCATE ON contribution_charges
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only();

-- A seal written at the end of every run that booked something: how many entries have ids in
-- (after_entry_id, max_entry_id] and a checksum of their content and lines. `hearthctl ledger
-- verify` recomputes every seal, so an entry edited, added or removed behind the triggers' back
-- (a superuser with triggers disabled) is noticed.
CREATE TABLE ledger_seals (
    id                 bigserial PRIMARY KEY,
    settlement_run_id  bigint REFERENCES settlement_runs (id),
    after_entry_id     bigint NOT NULL,
    max_entry_id       bigint NOT NULL CHECK (max_entry_id > after_entry_id),
    entry_count        bigint NOT NULL,
    checksum           text NOT NULL,
    sealed_at          timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER ledger_seals_append_only BEFORE UPDATE OR DELETE ON ledger_seals
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
CREATE TRIGGER ledger_seals_no_truncate BEFORE TRUNCATE ON ledger_seals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only();

GRANT SELECT, INSERT ON contribution_charges, ledger_seals TO hearth_app;
GRANT USAGE ON SEQUENCE ledger_seals_id_seq TO hearth_app;
