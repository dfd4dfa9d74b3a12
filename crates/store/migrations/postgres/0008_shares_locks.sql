-- Whether students of this school may accept shares offered by other schools (off unless
-- the admin allows it).
ALTER TABLE instances ADD COLUMN cross_share_students BOOLEAN NOT NULL DEFAULT FALSE;

-- Shares offered to logins of other schools, kept in the sharing school. The address is
-- kept as typed; the recipient is set only when it exists and may receive the offer, so
-- an offer to nobody looks the same to the sharer. Only an accepted offer becomes a grant.
CREATE TABLE file_share_offers (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    node_id UUID NOT NULL,
    address TEXT NOT NULL,
    recipient_school UUID,
    recipient_user UUID,
    offered_by UUID NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, node_id, address),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX file_share_offers_by_recipient ON file_share_offers (recipient_user)
    WHERE recipient_user IS NOT NULL;

-- Shares made to other schools' logins before offers existed were never accepted: they
-- become offers, and give no access until their recipients accept them.
INSERT INTO file_share_offers (instance_id, id, node_id, address, recipient_school, recipient_user,
    offered_by, state, created_at)
SELECT g.instance_id, gen_random_uuid(), g.node_id, u.login || '@' || i.school_number, u.instance_id, u.id,
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
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    window_start BIGINT NOT NULL,
    offers BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- WebDAV locks, seen by every node. `scope` is `s` for the school's shared areas or
-- `u:<login id>` for one login's own area (the same path means another folder there).
CREATE TABLE dav_locks (
    instance_id UUID NOT NULL,
    token TEXT NOT NULL,
    scope TEXT NOT NULL,
    path TEXT NOT NULL,
    owner_id UUID NOT NULL,
    deep BOOLEAN NOT NULL,
    shared BOOLEAN NOT NULL,
    owner_xml TEXT,
    timeout_secs BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, token),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX dav_locks_by_scope ON dav_locks (instance_id, scope);
CREATE INDEX dav_locks_by_expiry ON dav_locks (expires_at);
