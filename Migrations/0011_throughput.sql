-- Throughput: market changes are signalled after commit, and the market search has an index.
-- See Docs/performance.md, "API throughput".
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.

-- A NOTIFY inside every transaction that wrote a bid or an offer made all those commits queue,
-- one at a time, on PostgreSQL's notification lock. The programs now notify `hearth_market`
-- themselves, after the writing transaction committed and coalesced to one NOTIFY per ~50 ms
-- per process (LibPQ's CoalescingNotifier; Sources/HearthStore/MarketChanges.swift). A change
-- made with plain SQL notifies nobody: the daemons' 30 s timer clears it.
DROP TRIGGER bids_notify ON bids;
DROP TRIGGER offers_notify ON offers;
DROP FUNCTION notify_market_change();

-- The market search (`GET /v1/offers?near=…&within_km=…`) bounds the great-circle distance by a
-- longitude/latitude box first (HearthStore's Geography.boundingBox), read from this GiST index
-- of built-in points (no extension needed), then applies the exact haversine to what is inside.
CREATE INDEX offers_location ON offers USING gist (point(lon::float8, lat::float8));
