-- Imports from the school administration software, the school year, deletion periods.

-- The current school year (`2025/26`); NULL until the first import or school-year change.
ALTER TABLE instances ADD COLUMN school_year TEXT;
-- Years after the end of the calendar year of deactivation before an account is deleted.
ALTER TABLE instances ADD COLUMN retention_students_years INTEGER NOT NULL DEFAULT 5;
ALTER TABLE instances ADD COLUMN retention_staff_years INTEGER NOT NULL DEFAULT 5;
-- Years archived classes and courses (school-organisation data) are kept.
ALTER TABLE instances ADD COLUMN retention_org_years INTEGER NOT NULL DEFAULT 10;

-- Imported persons are matched by (source, source_id): a Schild import never touches
-- persons from a table import.
ALTER TABLE users ADD COLUMN source TEXT;
ALTER TABLE users ADD COLUMN source_id TEXT;
ALTER TABLE users ADD COLUMN birthday TEXT;
ALTER TABLE users ADD COLUMN class_label TEXT;
-- Set when an import no longer lists the person; cleared when it reappears.
ALTER TABLE users ADD COLUMN marked_for_deletion_at INTEGER;
CREATE UNIQUE INDEX users_by_source ON users (instance_id, source, source_id);

ALTER TABLE user_groups ADD COLUMN source TEXT;
ALTER TABLE user_groups ADD COLUMN source_id TEXT;
ALTER TABLE user_groups ADD COLUMN school_year TEXT;
-- Archived groups are read-only history of a past school year.
ALTER TABLE user_groups ADD COLUMN archived_at INTEGER;
CREATE UNIQUE INDEX groups_by_source ON user_groups (instance_id, source, source_id)
    WHERE archived_at IS NULL;

-- One upload and what became of it. The file's parsed content and the encrypted protocol
-- are personal data: cleared after 14 days, the counts stay.
CREATE TABLE import_runs (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    options TEXT NOT NULL,
    upload BLOB,
    data TEXT,
    status TEXT NOT NULL,
    summary TEXT,
    error TEXT,
    protocol BLOB,
    created_by BLOB,
    created_at INTEGER NOT NULL,
    -- When an apply claimed the run; a run "running" for long was cut off.
    started_at INTEGER,
    applied_at INTEGER,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX import_runs_by_time ON import_runs (instance_id, created_at);
