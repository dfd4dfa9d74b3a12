-- Chat search (issue 16): a full-text index of the messages. Bodies are sealed with the
-- school's key, so the index never holds words in the clear: the domain cuts a text into
-- words, takes every word's prefixes (2 to 16 characters, lower-cased) and stores each as a
-- keyed hash (HMAC under a key derived from the school's key) spelled in the letters a-p.
-- The same search on SQLite (FTS5) and PostgreSQL (tsvector + GIN) thus finds the same
-- messages. A message without a row here is not indexed yet (written before this index):
-- the upkeep job indexes it. Deleting the message deletes its row.

-- One row per indexed message. The 'simple' configuration only lower-cases: the hashes are
-- no language, so stemming has nothing to work on (prefixes take its place).
CREATE TABLE chat_search_docs (
    -- Unused here; SQLite's FTS5 needs it as a stable rowid, and both schemas stay alike.
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    search TSVECTOR NOT NULL,
    PRIMARY KEY (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
);
CREATE INDEX chat_search_docs_gin ON chat_search_docs USING GIN (search);

-- Messages written before this index, to be indexed by the upkeep job (which needs the
-- school's key); a row goes when its message is indexed or deleted.
CREATE TABLE chat_search_backlog (
    instance_id UUID NOT NULL,
    room_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
);
INSERT INTO chat_search_backlog (instance_id, room_id, seq)
    SELECT instance_id, room_id, seq FROM chat_messages
    WHERE notice IS NULL AND deleted_at IS NULL;
