-- Chat search (issue 16): a full-text index of the messages. Bodies are sealed with the
-- school's key, so the index never holds words in the clear: the domain cuts a text into
-- words, takes every word's prefixes (2 to 16 characters, lower-cased) and stores each as a
-- keyed hash (HMAC under a key derived from the school's key) spelled in the letters a-p.
-- The same search on SQLite (FTS5) and PostgreSQL (tsvector + GIN) thus finds the same
-- messages. A message without a row here is not indexed yet (written before this index):
-- the upkeep job indexes it. Deleting the message deletes its row.

-- One row per indexed message; `id` is the stable rowid FTS5 points at (a table without an
-- INTEGER PRIMARY KEY may get new rowids from VACUUM).
CREATE TABLE chat_search_docs (
    id INTEGER PRIMARY KEY NOT NULL,
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    search TEXT NOT NULL,
    UNIQUE (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
) STRICT;

-- The index over the rows above (external content: the hashes are stored once). No
-- positions: search asks for words, never phrases.
CREATE VIRTUAL TABLE chat_search USING fts5(
    search, content = 'chat_search_docs', content_rowid = 'id', detail = none
);

-- Kept in step by the database: whatever writes or removes a row (the store, the deletion
-- period, a room deleted with its messages) updates the index in the same transaction.
CREATE TRIGGER chat_search_docs_ai AFTER INSERT ON chat_search_docs BEGIN
    INSERT INTO chat_search (rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER chat_search_docs_ad AFTER DELETE ON chat_search_docs BEGIN
    INSERT INTO chat_search (chat_search, rowid, search) VALUES ('delete', old.id, old.search);
END;
CREATE TRIGGER chat_search_docs_au AFTER UPDATE ON chat_search_docs BEGIN
    INSERT INTO chat_search (chat_search, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO chat_search (rowid, search) VALUES (new.id, new.search);
END;

-- Messages written before this index, to be indexed by the upkeep job (which needs the
-- school's key); a row goes when its message is indexed or deleted.
CREATE TABLE chat_search_backlog (
    instance_id BLOB NOT NULL,
    room_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (instance_id, room_id, seq),
    FOREIGN KEY (instance_id, room_id, seq) REFERENCES chat_messages(instance_id, room_id, seq) ON DELETE CASCADE
) STRICT;
INSERT INTO chat_search_backlog (instance_id, room_id, seq)
    SELECT instance_id, room_id, seq FROM chat_messages
    WHERE notice IS NULL AND deleted_at IS NULL;
