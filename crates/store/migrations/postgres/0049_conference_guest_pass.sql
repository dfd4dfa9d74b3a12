-- Guests who take part (issue 16): each arrival gets its own secret (the "pass", kept by the
-- guest's browser; only its hash is stored), the conference it is present in (NULL when not
-- in one) and a moderator's mute.
ALTER TABLE conference_guests ADD COLUMN pass_hash BYTEA;
ALTER TABLE conference_guests ADD COLUMN conference_id UUID;
ALTER TABLE conference_guests ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX conference_guests_pass ON conference_guests (pass_hash);
CREATE INDEX conference_guests_present ON conference_guests (instance_id, conference_id);
