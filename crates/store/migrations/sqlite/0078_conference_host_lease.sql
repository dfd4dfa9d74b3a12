-- The node hosting a conference's media holds a lease on it (issue 16, several nodes): it
-- renews host_until (unix microseconds) while it lives; once that has passed (the node
-- died) a node where members of the conference are takes the media over, in one
-- conditional update. A live conference without a lease counts as having a dead host.
ALTER TABLE conferences ADD COLUMN host_until INTEGER;
