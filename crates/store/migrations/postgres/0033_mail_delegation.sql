-- Mail delegation (issue 17): an owner gives named persons of the school access to the own
-- mailbox, and confidential-role accounts ("Geheimnisträger") whose mailbox only the admin
-- delegates. Times are unix microseconds (UTC).

-- One delegation: `delegate_id` may use the mailbox of `owner_id`. access 'read' or 'write';
-- send_as: the delegate may send with the owner's addresses. granted_by: who gave it (the
-- owner, or the admin for a confidential mailbox). One level only: a row never names a
-- mailbox the owner was given, only the owner's own.
CREATE TABLE mail_delegations (
    instance_id UUID NOT NULL REFERENCES instances(id),
    owner_id UUID NOT NULL,
    delegate_id UUID NOT NULL,
    access TEXT NOT NULL CHECK (access IN ('read', 'write')),
    send_as BOOLEAN NOT NULL,
    granted_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, owner_id, delegate_id),
    CHECK (owner_id <> delegate_id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, delegate_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_delegations_by_delegate ON mail_delegations (instance_id, delegate_id);

-- Confidential-role accounts: a login row without password (it never logs in) whose mailbox
-- is delegated by the admin only. `role` is its title, e.g. "Lehrerrat".
CREATE TABLE mail_confidential (
    instance_id UUID NOT NULL REFERENCES instances(id),
    user_id UUID NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
