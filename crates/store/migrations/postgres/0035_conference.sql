-- Video conferences of the built-in SFU (issue 16): one live conference per chat room at a
-- time, its participants, and each person's consent to audio/video conferences. Times are
-- unix microseconds (UTC).

-- node/media_addr: the server process hosting the conference's media (all media of one
-- conference runs on one node) and the UDP address browsers send to. A socket on another
-- node learns from here where the conference lives. ended_at set: over.
CREATE TABLE conferences (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    room_id UUID NOT NULL,
    started_by UUID NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    node TEXT NOT NULL,
    media_addr TEXT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX conferences_live ON conferences (instance_id, room_id) WHERE ended_at IS NULL;

-- One row per person who joined; left_at set while away. removed: put out by a moderator
-- (may not join again); muted: microphone stopped by a moderator until the person unmutes;
-- may_share: a moderator allowed screen sharing.
CREATE TABLE conference_participants (
    instance_id UUID NOT NULL,
    conference_id UUID NOT NULL,
    user_id UUID NOT NULL,
    joined_at BIGINT NOT NULL,
    left_at BIGINT,
    hand_raised BOOLEAN NOT NULL DEFAULT FALSE,
    may_share BOOLEAN NOT NULL DEFAULT FALSE,
    muted BOOLEAN NOT NULL DEFAULT FALSE,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (instance_id, conference_id, user_id),
    FOREIGN KEY (instance_id, conference_id) REFERENCES conferences(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- The school's records on whether a student may take part with microphone (audio) and
-- camera (video): from the SVWS import or set by an admin. No row: no consent.
CREATE TABLE av_consents (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    audio BOOLEAN NOT NULL DEFAULT FALSE,
    video BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('import', 'admin')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
