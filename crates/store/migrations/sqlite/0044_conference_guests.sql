-- Guests of a room's video conferences invited by link (issue 16: the parents' evening).
-- A moderator creates a time-limited link; whoever opens it gives a name and waits until a
-- moderator of the room admits or refuses them. Times are unix microseconds (UTC).

-- token_hash: SHA-256 of the secret in the link (the secret itself is shown once).
CREATE TABLE conference_guest_links (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    token_hash BLOB NOT NULL,
    created_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, room_id) REFERENCES chat_rooms(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX conference_guest_links_token ON conference_guest_links (token_hash);

-- One row per arrival; state: waiting, then admitted or refused by a moderator.
CREATE TABLE conference_guests (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    link_id BLOB NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'admitted', 'refused')),
    arrived_at INTEGER NOT NULL,
    decided_by BLOB,
    decided_at INTEGER,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, link_id) REFERENCES conference_guest_links(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX conference_guests_link ON conference_guests (instance_id, link_id, state);
