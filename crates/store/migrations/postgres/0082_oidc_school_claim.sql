-- The school number became a claim a tool is registered for (it narrows a pseudonym down to
-- one school). Tools registered before always received it and keep it.
UPDATE oidc_clients SET claims = trim(claims || ' school') WHERE (' ' || claims || ' ') NOT LIKE '% school %';
