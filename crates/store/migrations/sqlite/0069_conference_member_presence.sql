-- Each join of a member is its own presence, as for guests (0067): a socket's late leave
-- clears only its own (issue 16: a member who reconnects must not be put out by the old
-- socket closing).
ALTER TABLE conference_participants ADD COLUMN presence_id BLOB;
