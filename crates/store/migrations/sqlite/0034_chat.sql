-- Chat (issue 16): rooms, their members, messages with a sequence number per room, reactions
-- and read markers. Times are unix microseconds (UTC). Message bodies are sealed with the
-- school's key (as the Safe does); the database never holds them in the clear.

-- kind: 'group' (a class, course or staff group: members are the group's members, read at
-- query time, so leaving the group leaves the room), 'direct' (two persons, direct_key =
-- the two user ids sorted) or 'adhoc' (invited members in chat_members). last_seq grows
-- with every change in the room: the clients' resume point.
CREATE TABLE chat_rooms (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'direct', 'adhoc')),
    name TEXT NOT NULL,
    group_id BLOB,
    direct_key TEXT,
    created_by BLOB,
    locked INTEGER NOT NULL DEFAULT 0,
    announce INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, group_id),
    UNIQUE (instance_id, direct_key),
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE
) STRICT;

-- Members of direct and ad-hoc rooms.
CREATE TABLE chat_members (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX chat_members_by_user ON chat_members (instance_id, user_id);

-- seq: the message's place in the room (replies and read markers point at it); rev: the
-- room's sequence number at the message's last change (new, edited, deleted, reacted), so
-- `after=N` returns every message changed since N exactly once. `notice` set: a moderation
-- step shown in the room (locked, unlocked, announce_on, announce_off, removed), author_id
-- is the moderator and body empty. body: sealed text, empty once deleted.
CREATE TABLE chat_messages (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    author_id BLOB,
    notice TEXT,
    body BLOB NOT NULL,
    reply_to INTEGER,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER,
    deleted_by BLOB,
    PRIMARY KEY (instance_id, room_id, seq),
    UNIQUE (instance_id, room_id, rev),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE chat_reactions (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    user_id BLOB NOT NULL,
    emoji TEXT NOT NULL,
    PRIMARY KEY (instance_id, room_id, seq, user_id, emoji),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
) STRICT;

-- The last message seq a member has read in a room.
CREATE TABLE chat_reads (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    last_read INTEGER NOT NULL,
    PRIMARY KEY (instance_id, room_id, user_id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
