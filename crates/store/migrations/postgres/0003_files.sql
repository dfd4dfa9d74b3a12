-- The cloud file manager: folders and files as one tree per area, their rights, earlier
-- versions, WebDAV dead properties.

-- One node is a folder or a file. Area roots have no parent: one per shared area of a
-- school (owner_id = the nil id) and one own area per user (owner_id = the user).
-- A deleted node stays as trash: deleted_at/deleted_by say when and who, trash_root is the
-- node whose deletion took it along, so restoring that node brings back the whole subtree.
CREATE TABLE file_nodes (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    parent_id UUID,
    area TEXT NOT NULL,
    owner_id UUID NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    is_dir BOOLEAN NOT NULL,
    -- Rights set above reach this node; false once they were withdrawn here.
    inherit BOOLEAN NOT NULL,
    -- A drop folder: contributors see only their own files in it.
    drop_box BOOLEAN NOT NULL,
    blob_sha TEXT,
    size BIGINT NOT NULL,
    mime TEXT,
    created_by UUID,
    created_at BIGINT NOT NULL,
    modified_by UUID,
    modified_at BIGINT NOT NULL,
    deleted_at BIGINT,
    deleted_by UUID,
    trash_root UUID,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX file_roots ON file_nodes (instance_id, area, owner_id) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX file_names ON file_nodes (instance_id, parent_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX file_children ON file_nodes (instance_id, parent_id);
CREATE INDEX file_trash ON file_nodes (instance_id, trash_root);
CREATE INDEX file_usage ON file_nodes (instance_id, owner_id);

-- A role on a node for a user, a group or every login of a kind (`lehrer`, `fn:admin`).
-- role: 1 viewer, 2 contributor, 3 coordinator.
CREATE TABLE file_grants (
    instance_id UUID NOT NULL,
    node_id UUID NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    subject_user UUID,
    subject_group UUID,
    role BIGINT NOT NULL,
    granted_by UUID,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, node_id, subject_kind, subject_key),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);

-- Earlier contents of a file, newest last.
CREATE TABLE file_versions (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    node_id UUID NOT NULL,
    blob_sha TEXT NOT NULL,
    size BIGINT NOT NULL,
    modified_by UUID,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX file_versions_by_node ON file_versions (instance_id, node_id);

-- Properties WebDAV clients set on a node, kept as the XML they sent.
CREATE TABLE file_props (
    instance_id UUID NOT NULL,
    node_id UUID NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    xml BYTEA NOT NULL,
    PRIMARY KEY (instance_id, node_id, namespace, name),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);

-- Links for people outside the school: a secret token (only its SHA-256 is kept), an
-- optional password, an optional expiry, read-only or upload-only. A link acts with its
-- creator's current rights: when those end, the link stops working.
CREATE TABLE file_links (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    token_hash BYTEA NOT NULL,
    node_id UUID NOT NULL,
    mode TEXT NOT NULL,
    password_hash TEXT,
    -- What the browser keeps after the password was entered (random, per link).
    unlock_key TEXT NOT NULL,
    expires_at BIGINT,
    created_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX file_links_by_token ON file_links (token_hash);
CREATE INDEX file_links_by_node ON file_links (instance_id, node_id);
