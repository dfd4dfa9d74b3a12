-- Third-party initiated login (OpenID Connect Core §4, issue 18): where the platform's
-- tile sends the browser so the tool starts a login ('' = the tool has no tile), and the
-- page it should land on afterwards ('' = the root of that address).
ALTER TABLE oidc_clients ADD COLUMN initiate_login_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_clients ADD COLUMN target_link_uri TEXT NOT NULL DEFAULT '';
