-- Learning management (issue 15): a private subscription address for the due dates of a
-- person's courses (the read-only calendar "Fälligkeiten" for calendar programs that
-- cannot speak CalDAV). SHA-256 of the secret; one address per person, a new one replaces
-- the old. Times are unix microseconds (UTC).
CREATE TABLE lms_due_feeds (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- The simple view for primary schools: participants see the course as large tiles, and
-- instructions can be read aloud. Set per course by its teachers.
ALTER TABLE lms_courses ADD COLUMN simple_view INTEGER NOT NULL DEFAULT 0;
