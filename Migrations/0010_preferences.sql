-- The child's voice in the match: each proposal's options, the child's views and ranking, what
-- became of each ranked choice, and the rounds' figures for ranked children. See Docs/clearing.md.
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- A proposal's options, computed by its round and never changed: the other offers the child was
-- compatible with, nearest first, each with its effect on the other children (Docs/api.md).
ALTER TABLE proposals ADD COLUMN options jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array');
CREATE TRIGGER proposals_options_fixed BEFORE UPDATE ON proposals
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns('options');

-- How many children with a ranking a round considered, and how many it placed in their first,
-- second, … choice.
ALTER TABLE rounds ADD COLUMN ranked_children integer;
ALTER TABLE rounds ADD COLUMN placed_by_choice integer[];

-- The child's views and ranked choice of offers, one row per bid, written by its placing
-- authority; `outcome` is what the last round that saw the ranking made of each choice.
CREATE TABLE bid_preferences (
    bid_id              uuid PRIMARY KEY REFERENCES bids (id),
    authority           text NOT NULL REFERENCES authorities (code),
    ranking             uuid[] NOT NULL CHECK (cardinality(ranking) <= 5),
    child_consulted     boolean NOT NULL,
    child_views_summary text CHECK (length(child_views_summary) <= 4000),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    outcome_round_id    bigint REFERENCES rounds (id),
    outcome             jsonb CHECK (outcome IS NULL OR jsonb_typeof(outcome) = 'array')
);

-- A child's preferences are the child's: only its placing authority (or the all-authorities
-- scope of rounds and operators) reads or writes them, and a row stays with its bid's authority.
ALTER TABLE bid_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE bid_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY bid_preferences_own ON bid_preferences
    USING (hearth_sees_all() OR authority = hearth_current_authority())
    WITH CHECK ((hearth_sees_all() OR authority = hearth_current_authority())
                AND authority = (SELECT b.authority FROM bids b WHERE b.id = bid_preferences.bid_id));
CREATE TRIGGER bid_preferences_fixed_columns BEFORE UPDATE ON bid_preferences
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_fixed_columns('bid_id', 'authority');

GRANT SELECT, INSERT, UPDATE ON bid_preferences TO hearth_daemon, hearth_app;
