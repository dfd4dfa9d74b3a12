-- One-time recovery codes of an operator, for a lost authenticator: shown once when made
-- (at creation, on a reset and when the operator makes new ones), kept only as SHA-256 of
-- the code (80 random bits each, so a plain hash suffices). Making new ones deletes the old.
CREATE TABLE operator_recovery_codes (
    code_hash BYTEA NOT NULL PRIMARY KEY,
    operator_id UUID NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    -- Set when the code was used; a used code never works again.
    used_at BIGINT
);
CREATE INDEX operator_recovery_codes_by_operator ON operator_recovery_codes (operator_id);
