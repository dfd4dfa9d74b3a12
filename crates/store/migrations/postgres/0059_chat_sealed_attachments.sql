-- Chat attachments are sealed with the school's key as the Safe's documents are (issue 16).
-- `sealed` says which blobs are: attachments stored before this stay readable as they are.
ALTER TABLE chat_attachments ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
