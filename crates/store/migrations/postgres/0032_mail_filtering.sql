-- Mail filtering (issue 17, item 5 and the rate limit of item 4): messages a virus scanner
-- held back, and the outgoing-mail counters and per-school limits shared by all nodes.
-- Times are unix microseconds (UTC).

-- A message held back for one recipient: never delivered. The content stays in the blob
-- store under blob_sha so the operator can inspect it; `finding` is the scanner's name of it.
CREATE TABLE mail_quarantine (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    held_at BIGINT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'local', 'out')),
    mail_from TEXT NOT NULL,
    rcpt_addr TEXT NOT NULL,
    rcpt_id UUID,
    sender_id UUID,
    blob_sha TEXT NOT NULL,
    size BIGINT NOT NULL,
    subject TEXT NOT NULL,
    finding TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX mail_quarantine_by_time ON mail_quarantine (instance_id, held_at);

-- Recipients a login sent to in the current window (fixed windows: a new one starts when
-- the stored one is older than the window). One row per login, updated in one statement.
CREATE TABLE mail_send_counter (
    instance_id UUID NOT NULL REFERENCES instances(id),
    user_id UUID NOT NULL,
    window_start BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);

-- Recipients per hour an account type of the school may send to, when the school sets
-- its own (else the installation's default).
CREATE TABLE mail_send_limit (
    instance_id UUID NOT NULL REFERENCES instances(id),
    account_type TEXT NOT NULL,
    per_hour BIGINT NOT NULL,
    PRIMARY KEY (instance_id, account_type)
);
