-- Calendar objects whose index columns (recurring, first start, last end, public,
-- transparent, the occurrence rows) were computed by an older reading of the text: before
-- this migration, a VTIMEZONE's yearly STANDARD/DAYLIGHT rules made nearly every object
-- look recurring and endless. `index_version` says which reading wrote the columns; the
-- re-index job recomputes older ones from the stored text (issue 13). `index_claimed_at`
-- is the lease of the node doing so (µs UTC); a stale lease is taken over.
ALTER TABLE calendar_objects ADD COLUMN index_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE calendar_objects ADD COLUMN index_claimed_at BIGINT;
CREATE INDEX calendar_objects_by_index_version ON calendar_objects (index_version);
