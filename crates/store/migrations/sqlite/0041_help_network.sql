-- The help network's forums and tickets (issue 14). Times are unix microseconds (UTC).
--
-- The forums are state-wide: teachers and staff of every school read and write in them.
-- A topic or post still carries its author's school (instance_id), so a deleted school's
-- contributions go with it; its key is the id alone because readers of every school reach
-- it. The forum (a fixed slug the product ships) is a column, so moving a topic is one
-- UPDATE. Hidden rows stay for the moderators.
CREATE TABLE help_topics (
    id BLOB NOT NULL PRIMARY KEY,
    instance_id BLOB NOT NULL REFERENCES instances(id),
    author_id BLOB NOT NULL,
    forum TEXT NOT NULL,
    title TEXT NOT NULL,
    locked INTEGER NOT NULL,
    hidden INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_post_at INTEGER NOT NULL
) STRICT;
CREATE INDEX help_topics_by_forum ON help_topics (forum, last_post_at);

CREATE TABLE help_posts (
    id BLOB NOT NULL PRIMARY KEY,
    topic_id BLOB NOT NULL REFERENCES help_topics(id) ON DELETE CASCADE,
    instance_id BLOB NOT NULL REFERENCES instances(id),
    author_id BLOB NOT NULL,
    body TEXT NOT NULL,
    hidden INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX help_posts_by_topic ON help_posts (topic_id, created_at);

-- A support ticket of one person of one school. `number` is what the person quotes
-- (unique state-wide); status is open, answered or closed. The client line records
-- browser and operating system as the form sent them.
CREATE TABLE help_tickets (
    instance_id BLOB NOT NULL REFERENCES instances(id),
    id BLOB NOT NULL,
    number TEXT NOT NULL UNIQUE,
    user_id BLOB NOT NULL,
    subject TEXT NOT NULL,
    client TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX help_tickets_by_user ON help_tickets (instance_id, user_id, updated_at);
CREATE INDEX help_tickets_by_status ON help_tickets (status, updated_at);

-- The messages of a ticket: from the person (user_id) or from support (operator_id).
CREATE TABLE help_ticket_messages (
    instance_id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    id BLOB NOT NULL,
    user_id BLOB,
    operator_id BLOB,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, ticket_id, id),
    FOREIGN KEY (instance_id, ticket_id) REFERENCES help_tickets(instance_id, id) ON DELETE CASCADE
) STRICT;
