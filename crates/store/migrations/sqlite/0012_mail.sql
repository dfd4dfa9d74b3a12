-- Mail. A mailbox belongs to one login; its folders hold messages whose content lives once in
-- the blob store (a message to a class list is stored once, however many receive it).

-- `path` is the folder's full name with '/' between levels ("Archiv/2026"); `special` marks the
-- standard folders (inbox, drafts, sent, trash, junk, archive), which cannot be renamed or deleted.
CREATE TABLE mail_folders (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    owner_id BLOB NOT NULL,
    path TEXT NOT NULL,
    special TEXT,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL,
    highest_modseq INTEGER NOT NULL,
    subscribed INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, owner_id, path),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- One message in one folder. The envelope columns serve the folder list and search without
-- reading the content.
CREATE TABLE mail_messages (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    owner_id BLOB NOT NULL,
    folder_id BLOB NOT NULL,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    blob_sha TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    sent_at INTEGER,
    seen INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    draft INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    subject TEXT NOT NULL,
    from_addr TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_addrs TEXT NOT NULL,
    cc_addrs TEXT NOT NULL,
    message_id TEXT NOT NULL,
    has_attachments INTEGER NOT NULL,
    preview TEXT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (folder_id, uid),
    FOREIGN KEY (instance_id, folder_id) REFERENCES mail_folders(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX mail_messages_by_date ON mail_messages (folder_id, received_at);
CREATE INDEX mail_messages_by_modseq ON mail_messages (folder_id, modseq);
CREATE INDEX mail_messages_by_owner ON mail_messages (instance_id, owner_id);
CREATE INDEX mail_messages_by_blob ON mail_messages (blob_sha);

-- The searchable text of a content, once per content.
CREATE TABLE mail_texts (
    blob_sha TEXT NOT NULL PRIMARY KEY,
    text TEXT NOT NULL
) STRICT;

-- Bytes a mailbox holds, kept with every change so a quota check costs one row.
CREATE TABLE mail_usage (
    instance_id BLOB NOT NULL,
    owner_id BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (instance_id, owner_id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- Further addresses of a login (lower case, with domain). The standard address is users.mail.
CREATE TABLE mail_aliases (
    address TEXT NOT NULL PRIMARY KEY,
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX mail_aliases_by_user ON mail_aliases (instance_id, user_id);

-- Further domains of a school (e.g. goethe-gymnasium.de): every local part of the school's
-- standard domain is reachable under them too.
CREATE TABLE mail_domains (
    domain TEXT NOT NULL PRIMARY KEY,
    instance_id BLOB NOT NULL REFERENCES instances(id),
    created_at INTEGER NOT NULL
) STRICT;

-- Mail to other domains, waiting to leave. A node claims a row by setting a lease; another node
-- takes it over only when the lease has run out.
CREATE TABLE mail_queue (
    id BLOB NOT NULL PRIMARY KEY,
    instance_id BLOB NOT NULL,
    sender_id BLOB,
    mail_from TEXT NOT NULL,
    rcpt TEXT NOT NULL,
    blob_sha TEXT NOT NULL,
    size INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER
) STRICT;
CREATE INDEX mail_queue_due ON mail_queue (next_at) WHERE status = 'queued';
CREATE INDEX mail_queue_by_blob ON mail_queue (blob_sha);

-- Traffic data of every message (kept 7 days for abuse control, then deleted).
CREATE TABLE mail_traffic (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    at INTEGER NOT NULL,
    direction TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX mail_traffic_by_time ON mail_traffic (at);

-- The absence note of a login, and whom it already answered in the current period.
CREATE TABLE mail_absence (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    starts INTEGER NOT NULL,
    ends INTEGER NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    substitute_id BLOB,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE TABLE mail_absence_replies (
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    sender TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id, sender, period_start),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- Mail quota per account type, per school (bytes); no row: the installation's default.
CREATE TABLE mail_quotas (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    account_type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (instance_id, account_type)
) STRICT;

-- "Passwort vergessen": single-use reset links, stored as the hash of their secret.
CREATE TABLE password_resets (
    token_hash BLOB NOT NULL PRIMARY KEY,
    instance_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
