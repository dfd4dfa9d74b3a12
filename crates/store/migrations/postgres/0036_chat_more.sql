-- Chat (issue 16), second part: muting members, pinned messages, reports to the room's
-- teachers, quiet hours, per-room silencing of notifications, attachments and the school's
-- chat settings (default quiet hours, deletion period). Times are unix microseconds (UTC).

-- visible_from: a pupil's message written in quiet hours waits until this instant; others
-- see it only from then on (filtered in SQL), its author at once as pending. The release
-- sweep clears it and gives the message a new rev, so resuming clients get it once.
ALTER TABLE chat_messages ADD COLUMN visible_from BIGINT;
ALTER TABLE chat_messages ADD COLUMN pinned_at BIGINT;
CREATE INDEX chat_messages_held ON chat_messages (visible_from) WHERE visible_from IS NOT NULL;
CREATE INDEX chat_messages_by_age ON chat_messages (instance_id, created_at);

-- A room's own quiet hours (minutes after local midnight; NULL: the school's default).
ALTER TABLE chat_rooms ADD COLUMN quiet_from BIGINT;
ALTER TABLE chat_rooms ADD COLUMN quiet_to BIGINT;

-- The school's chat settings: default quiet hours and the deletion period in days.
CREATE TABLE chat_settings (
    instance_id UUID NOT NULL PRIMARY KEY REFERENCES instances(id),
    quiet_from BIGINT,
    quiet_to BIGINT,
    retention_days BIGINT
);

-- A member muted by a moderator until `until`: its writes are refused.
CREATE TABLE chat_mutes (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    until BIGINT NOT NULL,
    muted_by UUID NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- A member's report of a message to the room's moderators.
CREATE TABLE chat_reports (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    reporter_id UUID,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, room_id, seq, reporter_id),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
);

-- A member who wants no notifications (mentions) from a room.
CREATE TABLE chat_silenced (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- A file, picture or voice message of a message (one per message); the content is a blob
-- (sha), counted against the uploader's quota.
CREATE TABLE chat_attachments (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    sha TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by UUID,
    PRIMARY KEY (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
);
CREATE INDEX chat_attachments_by_sha ON chat_attachments (sha);
