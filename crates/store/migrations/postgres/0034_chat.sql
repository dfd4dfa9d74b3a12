-- Chat (issue 16): rooms, their members, messages with a sequence number per room, reactions
-- and read markers. Times are unix microseconds (UTC). Message bodies are sealed with the
-- school's key (as the Safe does); the database never holds them in the clear.

-- kind: 'group' (a class, course or staff group: members are the group's members, read at
-- query time, so leaving the group leaves the room), 'direct' (two persons, direct_key =
-- the two user ids sorted) or 'adhoc' (invited members in chat_members). last_seq grows
-- with every change in the room: the clients' resume point.
CREATE TABLE chat_rooms (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'direct', 'adhoc')),
    name TEXT NOT NULL,
    group_id UUID,
    direct_key TEXT,
    created_by UUID,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    announce BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, group_id),
    UNIQUE (instance_id, direct_key),
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE
);

-- Members of direct and ad-hoc rooms.
CREATE TABLE chat_members (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX chat_members_by_user ON chat_members (instance_id, user_id);

-- seq: the message's place in the room (replies and read markers point at it); rev: the
-- room's sequence number at the message's last change (new, edited, deleted, reacted), so
-- `after=N` returns every message changed since N exactly once. `notice` set: a moderation
-- step shown in the room (locked, unlocked, announce_on, announce_off, removed), author_id
-- is the moderator and body empty. body: sealed text, empty once deleted.
CREATE TABLE chat_messages (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    rev BIGINT NOT NULL,
    author_id UUID,
    notice TEXT,
    body BYTEA NOT NULL,
    reply_to BIGINT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT,
    deleted_by UUID,
    PRIMARY KEY (instance_id, room_id, seq),
    UNIQUE (instance_id, room_id, rev),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE
);

CREATE TABLE chat_reactions (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    user_id UUID NOT NULL,
    emoji TEXT NOT NULL,
    PRIMARY KEY (instance_id, room_id, seq, user_id, emoji),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
);

-- The last message seq a member has read in a room.
CREATE TABLE chat_reads (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    last_read BIGINT NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
