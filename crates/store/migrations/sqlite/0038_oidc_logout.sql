-- Central logout for connected tools (issue 18): OpenID Connect Back-Channel and Front-Channel
-- Logout 1.0, the sessions tools hold, the school's rule for pupils under 16, and a link to
-- a tool's terms of use. Times are unix microseconds (UTC).

-- Where a tool wants to hear that a session ended ('' = it does not support that channel),
-- and where its terms of use are published ('' = only the text).
ALTER TABLE oidc_clients ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_clients ADD COLUMN frontchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_clients ADD COLUMN terms_url TEXT NOT NULL DEFAULT '';

-- The `sid` a code and the tokens of its grant carry into ID tokens.
ALTER TABLE oidc_codes ADD COLUMN sid TEXT;
ALTER TABLE oidc_tokens ADD COLUMN sid TEXT;

-- A tool session: a platform session (session_key = SHA-256 hex of the session's stored hash,
-- so this table redeems nothing) logged in to a tool under `sid`. issuer: what the tool was
-- told, so the logout token says the same.
CREATE TABLE oidc_tool_sessions (
    instance_id BLOB NOT NULL,
    session_key TEXT NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL,
    sid TEXT NOT NULL,
    issuer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, session_key, client_ref),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_tool_sessions_by_user ON oidc_tool_sessions (instance_id, user_id, client_ref);

-- Back-channel logouts to deliver. Claimed with a lease (lease_until) so of several nodes one
-- sends a row, and a node that dies mid-send leaves it to another after the lease; failures
-- wait (due_at) and count (attempts). user_id has no foreign key: an account deleted meanwhile
-- is still logged out at the tool (the subject is computed when sending, never stored).
CREATE TABLE oidc_logout_outbox (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL,
    sid TEXT,
    issuer TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX oidc_logout_outbox_due ON oidc_logout_outbox (due_at);

-- Who consents to sharing personal data with tools for pupils under 16: 'student' (the
-- pupil on the consent screen) or 'school' (nobody: the tool gets only the pseudonym). No
-- row: 'student'.
CREATE TABLE oidc_school_settings (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    under16 TEXT NOT NULL CHECK (under16 IN ('student', 'school')),
    updated_at INTEGER NOT NULL
) STRICT;
