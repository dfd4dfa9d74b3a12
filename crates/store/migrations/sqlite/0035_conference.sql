-- Video conferences of the built-in SFU (issue 16): one live conference per chat room at a
-- time, its participants, and each person's consent to audio/video conferences. Times are
-- unix microseconds (UTC).

-- node/media_addr: the server process hosting the conference's media (all media of one
-- conference runs on one node) and the UDP address browsers send to. A socket on another
-- node learns from here where the conference lives. ended_at set: over.
CREATE TABLE conferences (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    started_by BLOB NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    node TEXT NOT NULL,
    media_addr TEXT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX conferences_live ON conferences (instance_id, room_id) WHERE ended_at IS NULL;

-- One row per person who joined; left_at set while away. removed: put out by a moderator
-- (may not join again); muted: microphone stopped by a moderator until the person unmutes;
-- may_share: a moderator allowed screen sharing.
CREATE TABLE conference_participants (
    instance_id BLOB NOT NULL,
    conference_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    joined_at INTEGER NOT NULL,
    left_at INTEGER,
    hand_raised INTEGER NOT NULL DEFAULT 0,
    may_share INTEGER NOT NULL DEFAULT 0,
    muted INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (instance_id, conference_id, user_id),
    FOREIGN KEY (instance_id, conference_id) REFERENCES conferences(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- The school's records on whether a student may take part with microphone (audio) and
-- camera (video): from the SVWS import or set by an admin. No row: no consent.
CREATE TABLE av_consents (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    audio INTEGER NOT NULL DEFAULT 0,
    video INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL CHECK (source IN ('import', 'admin')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
