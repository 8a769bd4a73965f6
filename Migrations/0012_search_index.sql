-- The market search reads an index the planner can use under row-level security.
-- See Docs/performance.md, "The market search".
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- 0011's GiST index on point(lon::float8, lat::float8) was never chosen: `offers` has FORCE
-- ROW LEVEL SECURITY, and PostgreSQL uses a condition as an index condition beneath a policy
-- only when every function in it is LEAKPROOF. Neither the point-in-box operator (on_pb) nor the
-- numeric-to-float8 cast is, so the box was only ever a filter after the policy. Plain float8
-- comparisons (float8ge, float8le) and text equality are leakproof: the search compares these
-- stored float8 copies of the coordinates, and the btree below bounds `status`, the latitude
-- band and, within it, the longitude band in the index, with `setting` checked there too.
DROP INDEX offers_location;

ALTER TABLE offers
    ADD COLUMN lat_deg float8 GENERATED ALWAYS AS (lat::float8) STORED,
    ADD COLUMN lon_deg float8 GENERATED ALWAYS AS (lon::float8) STORED;

CREATE INDEX offers_position ON offers (status, lat_deg, lon_deg, setting);
