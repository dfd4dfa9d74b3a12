-- Foundation: schools, logins, groups, rights, sessions, consent, audit, throttling.
-- Times are BIGINT unix microseconds (text timestamps mis-sort within a second).

CREATE TABLE instances (
    id UUID NOT NULL PRIMARY KEY,
    school_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    mail_domain TEXT NOT NULL,
    demo BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    login TEXT NOT NULL,
    kind TEXT NOT NULL,
    function_role TEXT,
    holder_id UUID,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    mail TEXT NOT NULL,
    external_mail TEXT,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    deactivated_at BIGINT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, login),
    UNIQUE (instance_id, mail)
);

CREATE TABLE user_groups (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, name_key)
);

CREATE TABLE memberships (
    instance_id UUID NOT NULL,
    group_id UUID NOT NULL,
    user_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, group_id, user_id),
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX memberships_by_user ON memberships (instance_id, user_id);

-- O-rights granted to a user or a group. Whether they take effect is decided by the
-- matrix in the authz layer, never by this table alone.
CREATE TABLE right_grants (
    instance_id UUID NOT NULL REFERENCES instances(id),
    subject_kind TEXT NOT NULL,
    subject_id UUID NOT NULL,
    right_id TEXT NOT NULL,
    granted_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, subject_kind, subject_id, right_id)
);

CREATE TABLE sessions (
    instance_id UUID NOT NULL REFERENCES instances(id),
    token_hash BYTEA NOT NULL,
    user_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, token_hash),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_user ON sessions (instance_id, user_id);

CREATE TABLE consent_texts (
    instance_id UUID NOT NULL REFERENCES instances(id),
    version BIGINT NOT NULL,
    terms TEXT NOT NULL,
    privacy TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, version)
);

CREATE TABLE consents (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    version BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (instance_id, user_id, version),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Log data: logins, logouts, failed logins and administrative actions. Deleted after
-- 7 days unless covered by a documented hold.
CREATE TABLE audit_log (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id UUID,
    holder_id UUID,
    action TEXT NOT NULL,
    object TEXT,
    client_addr TEXT,
    detail TEXT,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (instance_id, at);

CREATE TABLE audit_holds (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    subject_id UUID,
    from_at BIGINT NOT NULL,
    until_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);

-- Failed-login counters per account and per client address (shared by all nodes).
CREATE TABLE login_throttle (
    instance_id UUID NOT NULL,
    throttle_key TEXT NOT NULL,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    PRIMARY KEY (instance_id, throttle_key)
);
