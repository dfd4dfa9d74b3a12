-- The occurrences of every calendar object (issue 13, performance): expanded once at ingest,
-- so a time-range query (CalDAV calendar-query, the views, free/busy) reads an index instead
-- of parsing and expanding each recurring series on every request. Times are unix
-- microseconds (UTC).
--
-- `seq` numbers the occurrences of one object. A row with `is_open` stands for every
-- occurrence from `starts_at` on that was not stored (an endless or very long series, or a
-- task without dates): a reader expands that object itself. `is_long` marks rows longer than
-- the span a reader looks back (and open rows), found through their own small index.
-- `summary` is set where an exception renames the occurrence; `location` is the place.
CREATE TABLE calendar_occurrences (
    instance_id BLOB NOT NULL,
    object_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    calendar_id BLOB NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    is_open INTEGER NOT NULL,
    is_long INTEGER NOT NULL,
    summary TEXT,
    location TEXT NOT NULL,
    PRIMARY KEY (instance_id, object_id, seq),
    FOREIGN KEY (instance_id, object_id) REFERENCES calendar_objects(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX calendar_occurrences_by_time ON calendar_occurrences (calendar_id, starts_at, ends_at, object_id);
CREATE INDEX calendar_occurrences_long ON calendar_occurrences (calendar_id, starts_at) WHERE is_long;
