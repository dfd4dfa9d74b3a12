-- News (issue 14): items with a publication period and an audience, the files they carry,
-- who has read them, and a per-school stamp of the public feed.
-- Times are unix microseconds (UTC).

-- One news item. `body` is sanitised HTML, `summary` its plain-text excerpt. A draft has
-- published_at NULL. `public`: everyone, also without login; otherwise news_audience says
-- who. visible_until NULL: no end. notified_at: when the audience was notified (set once).
CREATE TABLE news (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    author_id UUID NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    summary TEXT NOT NULL,
    public BOOLEAN NOT NULL,
    visible_from BIGINT NOT NULL,
    visible_until BIGINT,
    published_at BIGINT,
    notified_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX news_by_from ON news (instance_id, visible_from);
CREATE INDEX news_by_author ON news (instance_id, author_id);
CREATE INDEX news_due ON news (visible_from) WHERE published_at IS NOT NULL AND notified_at IS NULL;

-- Who a restricted item is for: exactly one of group_id, user_id, account_type per row.
CREATE TABLE news_audience (
    instance_id UUID NOT NULL,
    news_id UUID NOT NULL,
    group_id UUID,
    user_id UUID,
    account_type TEXT,
    CHECK (num_nonnulls(group_id, user_id, account_type) = 1),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX news_audience_by_news ON news_audience (instance_id, news_id);

-- Pictures and attachments of an item; the content is in the blob store under blob_sha and
-- counts against the school's quota.
CREATE TABLE news_files (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    news_id UUID NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_sha TEXT NOT NULL,
    image BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX news_files_by_news ON news_files (instance_id, news_id);

-- Items a login has opened (the "unread" mark of the home page).
CREATE TABLE news_reads (
    instance_id UUID NOT NULL,
    news_id UUID NOT NULL,
    user_id UUID NOT NULL,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id, news_id),
    FOREIGN KEY (instance_id, news_id) REFERENCES news(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Grows with every change of a school's public news or public school-calendar events, in
-- the transaction of the change: the feeds' version.
CREATE TABLE news_feed_stamp (
    instance_id UUID NOT NULL PRIMARY KEY REFERENCES instances(id),
    stamp BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);
