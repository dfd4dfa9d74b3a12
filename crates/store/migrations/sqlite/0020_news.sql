-- News (issue 14): items with a publication period and an audience, the files they carry,
-- who has read them, and a per-school stamp of the public feed.
-- Times are unix microseconds (UTC).

-- One news item. `body` is sanitised HTML, `summary` its plain-text excerpt. A draft has
-- published_at NULL. `public`: everyone, also without login; otherwise news_audience says
-- who. visible_until NULL: no end. notified_at: when the audience was notified (set once).
CREATE TABLE news (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    author_id BLOB NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    summary TEXT NOT NULL,
    public INTEGER NOT NULL,
    visible_from INTEGER NOT NULL,
    visible_until INTEGER,
    published_at INTEGER,
    notified_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX news_by_from ON news (instance_id, visible_from);
CREATE INDEX news_by_author ON news (instance_id, author_id);
CREATE INDEX news_due ON news (visible_from) WHERE published_at IS NOT NULL AND notified_at IS NULL;

-- Who a restricted item is for: exactly one of group_id, user_id, account_type per row.
CREATE TABLE news_audience (
    instance_id BLOB NOT NULL,
    news_id BLOB NOT NULL,
    group_id BLOB,
    user_id BLOB,
    account_type TEXT,
    CHECK ((group_id IS NOT NULL) + (user_id IS NOT NULL) + (account_type IS NOT NULL) = 1),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX news_audience_by_news ON news_audience (instance_id, news_id);

-- Pictures and attachments of an item; the content is in the blob store under blob_sha and
-- counts against the school's quota.
CREATE TABLE news_files (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    news_id BLOB NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    blob_sha TEXT NOT NULL,
    image INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX news_files_by_news ON news_files (instance_id, news_id);

-- Items a login has opened (the "unread" mark of the home page).
CREATE TABLE news_reads (
    instance_id BLOB NOT NULL,
    news_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    read_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, user_id, news_id),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;

-- Grows with every change of a school's public news or public school-calendar events, in
-- the transaction of the change: the feeds' version.
CREATE TABLE news_feed_stamp (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id),
    stamp INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
