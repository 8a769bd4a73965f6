-- The market's listing order (API throughput, Docs/performance.md): every offers page is
-- `ORDER BY created_at, id LIMIT n` after a `(created_at, id) > cursor` condition. Without an
-- index in that order each page sorted every open offer that matched (all of them, for a page
-- with no filters), and a radius search over a crowded area read every offer in its box before
-- keeping the first n. With it, the planner walks the
-- offers in listing order and stops after n matches when matches are common, and keeps the
-- `offers_position` box scan when they are rare.
-- Applied once, in a transaction, by `hearthctl migrate` as the schema's owner; never edit after
-- it has landed.
CREATE INDEX offers_listing ON offers (status, created_at, id);
