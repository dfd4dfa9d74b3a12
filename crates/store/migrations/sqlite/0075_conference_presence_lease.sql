-- Every presence in a conference is owned by one connection (a member's or guest's socket)
-- on one node and holds a lease that the connection renews while it lives (issue 16,
-- several nodes): a connection that closes ends its presence at once; one whose node dies
-- (crash, SIGKILL) stops renewing, and any node puts the person out once lease_until
-- (unix microseconds) has passed. A present row without a lease counts as expired.
ALTER TABLE conference_participants ADD COLUMN lease_until INTEGER;
ALTER TABLE conference_guests ADD COLUMN lease_until INTEGER;
CREATE INDEX conference_participants_lease ON conference_participants (lease_until)
    WHERE left_at IS NULL;
CREATE INDEX conference_guests_lease ON conference_guests (lease_until)
    WHERE presence_id IS NOT NULL;
