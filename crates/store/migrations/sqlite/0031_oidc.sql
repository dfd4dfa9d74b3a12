-- The platform as an OpenID Connect provider (issue 18). Times are unix microseconds (UTC).
-- Secrets, codes and tokens are stored only as SHA-256 hex of the random value: a copy of
-- the database redeems nothing.

-- A connected tool. instance_id NULL: registered state-wide by the operator (every school
-- sees it); otherwise only that school's people can use it. redirect_uris and
-- post_logout_uris: one exact URI per line. claims: the claims it may ask for, space
-- separated (name, email, groups, role). sector: the host pairwise subjects are made for.
CREATE TABLE oidc_clients (
    id BLOB NOT NULL PRIMARY KEY,
    instance_id BLOB REFERENCES instances(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    secret_hash TEXT,
    public INTEGER NOT NULL,
    redirect_uris TEXT NOT NULL,
    post_logout_uris TEXT NOT NULL,
    claims TEXT NOT NULL,
    terms TEXT NOT NULL,
    sector TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_clients_by_instance ON oidc_clients (instance_id);

-- Per school: the secret pairwise subjects are computed with (HMAC key), made on first use.
CREATE TABLE oidc_school_secrets (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Signing keys (PKCS#8 DER). The newest unretired key signs; retired ones stay in the JWKS
-- until published_until so tokens signed shortly before a rotation still verify.
CREATE TABLE oidc_keys (
    kid TEXT NOT NULL PRIMARY KEY,
    alg TEXT NOT NULL,
    private_der BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    published_until INTEGER
) STRICT;

-- An authorization code: single use (used_at set by the one redemption), short-lived.
-- grant_id ties it to the tokens it produced, so a replay can revoke them.
CREATE TABLE oidc_codes (
    code_hash TEXT NOT NULL PRIMARY KEY,
    grant_id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    claims TEXT NOT NULL,
    nonce TEXT,
    challenge TEXT,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_codes_expiry ON oidc_codes (expires_at);

-- Access and refresh tokens. A refresh token is rotated: its redemption sets used_at, and a
-- second redemption revokes the whole grant (RFC 9700 §4.14).
CREATE TABLE oidc_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    scope TEXT NOT NULL,
    claims TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_tokens_by_grant ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_by_user ON oidc_tokens (instance_id, user_id, client_ref);
CREATE INDEX oidc_tokens_expiry ON oidc_tokens (expires_at);

-- A person's answer on the consent screen for one tool: which personal claims it may have
-- (possibly none) and that its terms were accepted. revoked_at: withdrawn in Mein Konto.
CREATE TABLE oidc_consents (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    claims TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (instance_id, user_id, client_ref),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
