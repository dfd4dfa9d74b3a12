-- Signalling relayed between nodes (issue 16, several nodes): a member whose socket is on
-- another node than the conference's media asks the host node to run a publish, subscribe,
-- pin or leave on its SFU. SDP offers and answers exceed what PostgreSQL NOTIFY carries
-- (8000 bytes), so the bodies wait here and only the row's id travels over the bus. The
-- asking node deletes a row once it read the answer (or gave up waiting); the host deletes
-- one that wants no answer; rows older than a minute are purged.
CREATE TABLE conference_relay (
    id BLOB NOT NULL PRIMARY KEY,
    node TEXT NOT NULL,
    instance_id BLOB NOT NULL,
    conference_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    request TEXT NOT NULL,
    answer TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX conference_relay_created ON conference_relay (created_at);
