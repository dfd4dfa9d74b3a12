-- Mail. A mailbox belongs to one login; its folders hold messages whose content lives once in
-- the blob store (a message to a class list is stored once, however many receive it).

-- `path` is the folder's full name with '/' between levels ("Archiv/2026"); `special` marks the
-- standard folders (inbox, drafts, sent, trash, junk, archive), which cannot be renamed or deleted.
CREATE TABLE mail_folders (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    owner_id UUID NOT NULL,
    path TEXT NOT NULL,
    special TEXT,
    uid_validity BIGINT NOT NULL,
    uid_next BIGINT NOT NULL,
    highest_modseq BIGINT NOT NULL,
    subscribed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, owner_id, path),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- One message in one folder. The envelope columns serve the folder list and search without
-- reading the content.
CREATE TABLE mail_messages (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    owner_id UUID NOT NULL,
    folder_id UUID NOT NULL,
    uid BIGINT NOT NULL,
    modseq BIGINT NOT NULL,
    blob_sha TEXT NOT NULL,
    size BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    sent_at BIGINT,
    seen BOOLEAN NOT NULL,
    answered BOOLEAN NOT NULL,
    flagged BOOLEAN NOT NULL,
    deleted BOOLEAN NOT NULL,
    draft BOOLEAN NOT NULL,
    keywords TEXT NOT NULL,
    subject TEXT NOT NULL,
    from_addr TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_addrs TEXT NOT NULL,
    cc_addrs TEXT NOT NULL,
    message_id TEXT NOT NULL,
    has_attachments BOOLEAN NOT NULL,
    preview TEXT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (folder_id, uid),
    FOREIGN KEY (instance_id, folder_id) REFERENCES mail_folders(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_messages_by_date ON mail_messages (folder_id, received_at);
CREATE INDEX mail_messages_by_modseq ON mail_messages (folder_id, modseq);
CREATE INDEX mail_messages_by_owner ON mail_messages (instance_id, owner_id);
CREATE INDEX mail_messages_by_blob ON mail_messages (blob_sha);

-- The searchable text of a content, once per content.
CREATE TABLE mail_texts (
    blob_sha TEXT NOT NULL PRIMARY KEY,
    text TEXT NOT NULL
);

-- Bytes a mailbox holds, kept with every change so a quota check costs one row.
CREATE TABLE mail_usage (
    instance_id UUID NOT NULL,
    owner_id UUID NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (instance_id, owner_id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Further addresses of a login (lower case, with domain). The standard address is users.mail.
CREATE TABLE mail_aliases (
    address TEXT NOT NULL PRIMARY KEY,
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_aliases_by_user ON mail_aliases (instance_id, user_id);

-- Further domains of a school (e.g. goethe-gymnasium.de): every local part of the school's
-- standard domain is reachable under them too.
CREATE TABLE mail_domains (
    domain TEXT NOT NULL PRIMARY KEY,
    instance_id UUID NOT NULL REFERENCES instances(id),
    created_at BIGINT NOT NULL
);

-- Mail to other domains, waiting to leave. A node claims a row by setting a lease; another node
-- takes it over only when the lease has run out.
CREATE TABLE mail_queue (
    id UUID NOT NULL PRIMARY KEY,
    instance_id UUID NOT NULL,
    sender_id UUID,
    mail_from TEXT NOT NULL,
    rcpt TEXT NOT NULL,
    blob_sha TEXT NOT NULL,
    size BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX mail_queue_due ON mail_queue (next_at) WHERE status = 'queued';
CREATE INDEX mail_queue_by_blob ON mail_queue (blob_sha);

-- Traffic data of every message (kept 7 days for abuse control, then deleted).
CREATE TABLE mail_traffic (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    at BIGINT NOT NULL,
    direction TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX mail_traffic_by_time ON mail_traffic (at);

-- The absence note of a login, and whom it already answered in the current period.
CREATE TABLE mail_absence (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    starts BIGINT NOT NULL,
    ends BIGINT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    substitute_id UUID,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE TABLE mail_absence_replies (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    sender TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id, sender, period_start),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Mail quota per account type, per school (bytes); no row: the installation's default.
CREATE TABLE mail_quotas (
    instance_id UUID NOT NULL REFERENCES instances(id),
    account_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (instance_id, account_type)
);

-- "Passwort vergessen": single-use reset links, stored as the hash of their secret.
CREATE TABLE password_resets (
    token_hash BYTEA NOT NULL PRIMARY KEY,
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
