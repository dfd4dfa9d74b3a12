-- The operators: the people who run the platform for all schools (the state or the school
-- carrier). A principal of its own kind: no school login can become one, an operator never
-- holds a school's token, and operator sessions are kept apart from school sessions.
CREATE TABLE operators (
    id BLOB NOT NULL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    -- The TOTP key (RFC 6238), sealed with the master key: it cannot be hashed, the server
    -- must compute the codes.
    totp_secret BLOB NOT NULL,
    -- The last accepted TOTP time step: a code is accepted once (replay guard).
    totp_last_step INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE operator_sessions (
    token_hash BLOB NOT NULL PRIMARY KEY,
    operator_id BLOB NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX operator_sessions_by_operator ON operator_sessions (operator_id);

-- Every operator action, refused logins included. Kept apart from the schools' logs.
CREATE TABLE operator_audit (
    id BLOB NOT NULL PRIMARY KEY,
    at INTEGER NOT NULL,
    operator_id BLOB,
    action TEXT NOT NULL,
    object TEXT,
    client_addr TEXT,
    detail TEXT
) STRICT;
CREATE INDEX operator_audit_by_time ON operator_audit (at);

-- State-wide defaults that new schools take (state mail domain, quotas, consent texts).
CREATE TABLE state_defaults (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- A deactivated school's logins cannot log in; a deleted one waits for its data to be purged.
ALTER TABLE instances ADD COLUMN deactivated_at INTEGER;
ALTER TABLE instances ADD COLUMN deleted_at INTEGER;
