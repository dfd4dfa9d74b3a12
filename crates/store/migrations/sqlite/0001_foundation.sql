-- Foundation: schools, logins, groups, rights, sessions, consent, audit, throttling.
-- Times are INTEGER unix microseconds (text timestamps mis-sort within a second).

CREATE TABLE instances (
    id BLOB NOT NULL PRIMARY KEY,
    school_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    mail_domain TEXT NOT NULL,
    demo INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    login TEXT NOT NULL,
    kind TEXT NOT NULL,
    function_role TEXT,
    holder_id BLOB,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    mail TEXT NOT NULL,
    external_mail TEXT,
    password_hash TEXT,
    must_change_password INTEGER NOT NULL,
    active INTEGER NOT NULL,
    deactivated_at INTEGER,
    search_text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, login),
    UNIQUE (instance_id, mail)
) STRICT;

CREATE TABLE user_groups (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, name_key)
) STRICT;

CREATE TABLE memberships (
    instance_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, group_id, user_id),
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX memberships_by_user ON memberships (instance_id, user_id);

-- O-rights granted to a user or a group. Whether they take effect is decided by the
-- matrix in the authz layer, never by this table alone.
CREATE TABLE right_grants (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    subject_kind TEXT NOT NULL,
    subject_id BLOB NOT NULL,
    right_id TEXT NOT NULL,
    granted_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, subject_kind, subject_id, right_id)
) STRICT;

CREATE TABLE sessions (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    token_hash BLOB NOT NULL,
    user_id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, token_hash),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_by_user ON sessions (instance_id, user_id);

CREATE TABLE consent_texts (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    version INTEGER NOT NULL,
    terms TEXT NOT NULL,
    privacy TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, version)
) STRICT;

CREATE TABLE consents (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    version INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (instance_id, user_id, version),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- Log data: logins, logouts, failed logins and administrative actions. Deleted after
-- 7 days unless covered by a documented hold.
CREATE TABLE audit_log (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_id BLOB,
    holder_id BLOB,
    action TEXT NOT NULL,
    object TEXT,
    client_addr TEXT,
    detail TEXT,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (instance_id, at);

CREATE TABLE audit_holds (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    subject_id BLOB,
    from_at INTEGER NOT NULL,
    until_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;

-- Failed-login counters per account and per client address (shared by all nodes).
CREATE TABLE login_throttle (
    instance_id BLOB NOT NULL,
    throttle_key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    PRIMARY KEY (instance_id, throttle_key)
) STRICT;
