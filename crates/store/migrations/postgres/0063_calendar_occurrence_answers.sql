-- What a CalDAV calendar-query answers, copied onto the occurrence rows (issue 13,
-- performance): the object's name, ETag, component and first start. A time-range query then
-- reads one index range and nothing else — no lookup of each occurrence row and of each
-- object; the texts of the hits come from memory or one statement by id. The ingest path and
-- the re-index job write these columns with the rows; an object's name never changes and its
-- ETag, component and first start change only with a new text or a re-index, both of which
-- rewrite the rows.
ALTER TABLE calendar_occurrences ADD COLUMN href TEXT NOT NULL DEFAULT '';
ALTER TABLE calendar_occurrences ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE calendar_occurrences ADD COLUMN component TEXT NOT NULL DEFAULT '';
ALTER TABLE calendar_occurrences ADD COLUMN first_start BIGINT NOT NULL DEFAULT 0;
UPDATE calendar_occurrences x
   SET href = o.href, etag = o.etag, component = o.component, first_start = o.first_start
  FROM calendar_objects o
 WHERE o.instance_id = x.instance_id AND o.id = x.object_id;
-- Objects of reading 1 have their rows filled now: they are of reading 2 (objects of reading
-- 0 are re-indexed whole, and so are objects a node of reading 1 writes after this).
UPDATE calendar_objects SET index_version = 2 WHERE index_version = 1;
-- The time index covers the answer (an index-only scan); it replaces the narrower one.
DROP INDEX calendar_occurrences_by_time;
CREATE INDEX calendar_occurrences_by_time ON calendar_occurrences
    (calendar_id, starts_at, ends_at, is_open, object_id) INCLUDE (first_start, etag, component, href);
