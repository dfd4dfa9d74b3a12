-- LTI tools registered with the address of their key set (issue 18): the server fetches the
-- keys there (public addresses only, size- and time-limited) and keeps them in public_jwks
-- as a cache; a JWT with an unknown key id fetches them again, at most once a minute.
-- jwks_url '' = keys pasted at registration; jwks_fetched_at: unix microseconds, 0 = never.
ALTER TABLE lti_tools ADD COLUMN jwks_url TEXT NOT NULL DEFAULT '';
ALTER TABLE lti_tools ADD COLUMN jwks_fetched_at BIGINT NOT NULL DEFAULT 0;
