-- The operators: the people who run the platform for all schools (the state or the school
-- carrier). A principal of its own kind: no school login can become one, an operator never
-- holds a school's token, and operator sessions are kept apart from school sessions.
CREATE TABLE operators (
    id UUID NOT NULL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    -- The TOTP key (RFC 6238), sealed with the master key: it cannot be hashed, the server
    -- must compute the codes.
    totp_secret BYTEA NOT NULL,
    -- The last accepted TOTP time step: a code is accepted once (replay guard).
    totp_last_step BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE operator_sessions (
    token_hash BYTEA NOT NULL PRIMARY KEY,
    operator_id UUID NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX operator_sessions_by_operator ON operator_sessions (operator_id);

-- Every operator action, refused logins included. Kept apart from the schools' logs.
CREATE TABLE operator_audit (
    id UUID NOT NULL PRIMARY KEY,
    at BIGINT NOT NULL,
    operator_id UUID,
    action TEXT NOT NULL,
    object TEXT,
    client_addr TEXT,
    detail TEXT
);
CREATE INDEX operator_audit_by_time ON operator_audit (at);

-- State-wide defaults that new schools take (state mail domain, quotas, consent texts).
CREATE TABLE state_defaults (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A deactivated school's logins cannot log in; a deleted one waits for its data to be purged.
ALTER TABLE instances ADD COLUMN deactivated_at BIGINT;
ALTER TABLE instances ADD COLUMN deleted_at BIGINT;
