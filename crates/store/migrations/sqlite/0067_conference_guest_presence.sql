-- Each join of a guest is its own presence: a socket's late leave clears only its own
-- (issue 16: a guest who reconnects must not be put out by the old socket closing).
ALTER TABLE conference_guests ADD COLUMN presence_id BLOB;
