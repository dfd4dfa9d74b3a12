-- Whether students of this school may accept shares offered by other schools (off unless
-- the admin allows it).
ALTER TABLE instances ADD COLUMN cross_share_students INTEGER NOT NULL DEFAULT 0;

-- Shares offered to logins of other schools, kept in the sharing school. The address is
-- kept as typed; the recipient is set only when it exists and may receive the offer, so
-- an offer to nobody looks the same to the sharer. Only an accepted offer becomes a grant.
CREATE TABLE file_share_offers (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    node_id BLOB NOT NULL,
    address TEXT NOT NULL,
    recipient_school BLOB,
    recipient_user BLOB,
    offered_by BLOB NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, node_id, address),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX file_share_offers_by_recipient ON file_share_offers (recipient_user)
    WHERE recipient_user IS NOT NULL;

-- Shares made to other schools' logins before offers existed were never accepted: they
-- become offers, and give no access until their recipients accept them.
INSERT INTO file_share_offers (instance_id, id, node_id, address, recipient_school, recipient_user,
    offered_by, state, created_at)
SELECT g.instance_id, randomblob(16), g.node_id, u.login || '@' || i.school_number, u.instance_id, u.id,
    COALESCE(g.granted_by, n.owner_id), 'offered', g.created_at
FROM file_grants g
JOIN users u ON u.id = g.subject_user AND u.instance_id <> g.instance_id
JOIN instances i ON i.id = u.instance_id
JOIN file_nodes n ON n.instance_id = g.instance_id AND n.id = g.node_id
WHERE g.subject_kind = 'x'
ON CONFLICT (instance_id, node_id, address) DO NOTHING;
DELETE FROM file_grants WHERE subject_kind = 'x';

-- Offers made per login and hour, shared by all nodes.
CREATE TABLE share_offer_counters (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    window_start INTEGER NOT NULL,
    offers INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- WebDAV locks, seen by every node. `scope` is `s` for the school's shared areas or
-- `u:<login id>` for one login's own area (the same path means another folder there).
CREATE TABLE dav_locks (
    instance_id BLOB NOT NULL,
    token TEXT NOT NULL,
    scope TEXT NOT NULL,
    path TEXT NOT NULL,
    owner_id BLOB NOT NULL,
    deep INTEGER NOT NULL,
    shared INTEGER NOT NULL,
    owner_xml TEXT,
    timeout_secs INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, token),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX dav_locks_by_scope ON dav_locks (instance_id, scope);
CREATE INDEX dav_locks_by_expiry ON dav_locks (expires_at);
