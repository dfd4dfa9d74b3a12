-- Per-address counters of the mail listeners (IMAP, SMTP): connections per minute and
-- failed logins per quarter hour, in fixed windows. Kept in the database so every node
-- counts the same connections; not per school, since a connection has no school yet.
CREATE TABLE mail_ip_limits (
    limit_key TEXT NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
