-- The notification centre: per-kind preferences, quiet hours and the daily digest, and the
-- delivery state of every notification. Rows are written in the transaction that causes
-- them; a worker with leases mails them after commit. New columns have defaults, so modules
-- that insert notifications (a fan-out by INSERT … SELECT) need not know them.

-- pending: the worker has not decided yet; none: stays in the platform; off: switched off
-- by its owner (hidden, counted as read); digest: waits for the daily digest; sent: mailed.
ALTER TABLE notifications ADD COLUMN mail_state TEXT NOT NULL DEFAULT 'pending';
-- When an immediate mail may leave (later than now during quiet hours), in microseconds.
ALTER TABLE notifications ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0;
-- A node working on this row holds it until then; others leave it alone.
ALTER TABLE notifications ADD COLUMN lease_until BIGINT;
-- Rows from before the centre were mailed through the outbox already.
UPDATE notifications SET mail_state = 'none';
-- The bell: unread rows of a login, counted from the index alone.
CREATE INDEX notifications_unread ON notifications (instance_id, user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_pending ON notifications (due_at) WHERE mail_state = 'pending';
CREATE INDEX notifications_digest ON notifications (instance_id, user_id) WHERE mail_state = 'digest';

-- How a login wants one kind: platform, mail, digest or off. No row: the kind's default.
CREATE TABLE notification_prefs (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('platform', 'mail', 'digest', 'off')),
    PRIMARY KEY (instance_id, user_id, kind),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Quiet hours (minutes after local midnight; both NULL: none), the hour of the digest in the
-- school's time zone, and the digest's lease, last run and next due time, so no two nodes
-- send one twice.
CREATE TABLE notification_settings (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    quiet_from BIGINT,
    quiet_to BIGINT,
    digest_hour BIGINT NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
    digest_lease BIGINT,
    last_digest_at BIGINT,
    -- When the next digest is due (found by the worker, cleared when the hour changes).
    digest_due_at BIGINT,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
