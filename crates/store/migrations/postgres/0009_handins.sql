-- Hand-in folders: the deadline of a drop folder, set by its coordinators. Hand-ins after
-- it are still accepted and marked late. A drop folder without a row has no deadline.
CREATE TABLE file_handins (
    instance_id UUID NOT NULL,
    node_id UUID NOT NULL,
    deadline BIGINT,
    set_by UUID,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, node_id),
    FOREIGN KEY (instance_id, node_id) REFERENCES file_nodes(instance_id, id) ON DELETE CASCADE
);

