-- LTI 1.3 with Advantage inside the LMS (issue 18). An LTI tool is an OpenID Connect client
-- (oidc_clients) with these launch details; tools of a school stay in it, the operator's
-- serve every school. Times are unix microseconds (UTC).

-- login_url: the tool's OIDC login initiation; target_link_uri: where launches go by
-- default; public_jwks: the tool's public keys (a JSON Web Key Set) that its JWTs (deep
-- linking responses, client assertions) are checked with.
CREATE TABLE lti_tools (
    client_ref BLOB NOT NULL PRIMARY KEY REFERENCES oidc_clients(id) ON DELETE CASCADE,
    login_url TEXT NOT NULL,
    target_link_uri TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    public_jwks TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- A launch in flight: made when a person opens an LTI activity (kind 'resource') or a
-- teacher picks content (kind 'deeplink'); the tool's authentication request names it in
-- lti_message_hint. Used once, for a few minutes.
CREATE TABLE lti_messages (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('resource', 'deeplink')),
    activity_id BLOB,
    section_id BLOB,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lti_messages_expiry ON lti_messages (expires_at);

-- Nonces and jti values of JWTs a tool sent (deep linking responses, client assertions):
-- each is accepted once. Kept per tool (a state-wide tool belongs to no school) until the
-- JWT would have expired anyway.
CREATE TABLE lti_nonces (
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_ref, nonce)
) STRICT;
CREATE INDEX lti_nonces_expiry ON lti_nonces (expires_at);

-- Access tokens of the services (NRPS, AGS), SHA-256 hex of the random value, per tool.
CREATE TABLE lti_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX lti_tokens_expiry ON lti_tokens (expires_at);

-- A gradebook column of a course, owned by one tool (AGS line item). activity_id: the LTI
-- activity it belongs to (made with the activity). Points are stored in thousandths.
CREATE TABLE lti_line_items (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    course_id BLOB NOT NULL,
    client_ref BLOB NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    activity_id BLOB,
    label TEXT NOT NULL,
    score_maximum INTEGER NOT NULL,
    resource_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lti_line_items_by_course ON lti_line_items (instance_id, course_id, client_ref);

-- The latest score a tool posted for a person and line item (AGS score): the grade the
-- course shows. Points in thousandths.
CREATE TABLE lti_scores (
    instance_id BLOB NOT NULL,
    line_item_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    score_given INTEGER,
    score_maximum INTEGER,
    activity_progress TEXT NOT NULL,
    grading_progress TEXT NOT NULL,
    comment TEXT NOT NULL,
    scored_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, line_item_id, user_id),
    FOREIGN KEY (instance_id, line_item_id) REFERENCES lti_line_items(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
