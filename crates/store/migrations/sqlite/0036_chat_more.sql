-- Chat (issue 16), second part: muting members, pinned messages, reports to the room's
-- teachers, quiet hours, per-room silencing of notifications, attachments and the school's
-- chat settings (default quiet hours, deletion period). Times are unix microseconds (UTC).

-- visible_from: a pupil's message written in quiet hours waits until this instant; others
-- see it only from then on (filtered in SQL), its author at once as pending. The release
-- sweep clears it and gives the message a new rev, so resuming clients get it once.
ALTER TABLE chat_messages ADD COLUMN visible_from INTEGER;
ALTER TABLE chat_messages ADD COLUMN pinned_at INTEGER;
CREATE INDEX chat_messages_held ON chat_messages (visible_from) WHERE visible_from IS NOT NULL;
CREATE INDEX chat_messages_by_age ON chat_messages (instance_id, created_at);

-- A room's own quiet hours (minutes after local midnight; NULL: the school's default).
ALTER TABLE chat_rooms ADD COLUMN quiet_from INTEGER;
ALTER TABLE chat_rooms ADD COLUMN quiet_to INTEGER;

-- The school's chat settings: default quiet hours and the deletion period in days.
CREATE TABLE chat_settings (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id),
    quiet_from INTEGER,
    quiet_to INTEGER,
    retention_days INTEGER
) STRICT;

-- A member muted by a moderator until `until`: its writes are refused.
CREATE TABLE chat_mutes (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    until INTEGER NOT NULL,
    muted_by BLOB NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- A member's report of a message to the room's moderators.
CREATE TABLE chat_reports (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    reporter_id BLOB,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, room_id, seq, reporter_id),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
) STRICT;

-- A member who wants no notifications (mentions) from a room.
CREATE TABLE chat_silenced (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- A file, picture or voice message of a message (one per message); the content is a blob
-- (sha), counted against the uploader's quota.
CREATE TABLE chat_attachments (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    sha TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by BLOB,
    PRIMARY KEY (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
) STRICT;
CREATE INDEX chat_attachments_by_sha ON chat_attachments (sha);
