-- SSDA903 import speed (Docs/insight.md, "Speed"): the child-key check of 0009,
-- `child_key ~ '^[0-9a-f]{64}$'`, cost PostgreSQL about 18 µs a row (its regular-expression
-- engine expands the bounded repetition), almost half of storing a 100,000-episode return. This
-- check accepts exactly the same values (64 characters, each a lower-case hex digit) for a
-- fraction of the cost.
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.
ALTER TABLE episodes
    DROP CONSTRAINT episodes_child_key_check,
    ADD CONSTRAINT episodes_child_key_check CHECK (length(child_key) = 64 AND child_key !~ '[^0-9a-f]');
