-- The algorithm a tool's ID tokens are signed with (its registration's
-- id_token_signed_response_alg, issue 18): RS256 by default, ES256 optional.
ALTER TABLE oidc_clients ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256';
