-- Resumable uploads under way: what arrives is staged on disk; the row says where it
-- goes and how long it will be. A finished, cancelled or expired upload loses its row.
CREATE TABLE file_uploads (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    folder_id BLOB NOT NULL,
    name TEXT NOT NULL,
    mime TEXT,
    length INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX file_uploads_by_user ON file_uploads (instance_id, user_id);
CREATE INDEX file_uploads_by_expiry ON file_uploads (expires_at);

-- Shares with logins of other schools (`x:<login id>`), looked up by the guest.
CREATE INDEX file_grants_by_guest ON file_grants (subject_key) WHERE subject_kind = 'x';
