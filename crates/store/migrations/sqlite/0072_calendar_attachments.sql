-- Attachments of calendar events, chosen from the editor's file areas (issue 13): the event
-- keeps the file's content as it was when attached (blob_sha, the same blob, no copy), with
-- its name, type and size then. node_id only says where it came from. An attachment belongs
-- to the object (the whole series) and goes with it.
CREATE TABLE calendar_attachments (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    calendar_id BLOB NOT NULL,
    object_id BLOB NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    blob_sha TEXT NOT NULL,
    node_id BLOB,
    created_by BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, object_id) REFERENCES calendar_objects(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX calendar_attachments_by_calendar ON calendar_attachments (instance_id, calendar_id);
CREATE INDEX calendar_attachments_by_object ON calendar_attachments (instance_id, object_id);
CREATE INDEX calendar_attachments_by_blob ON calendar_attachments (blob_sha);
