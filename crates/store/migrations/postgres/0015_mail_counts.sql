-- A folder's counts (messages, unseen, bytes) from the index alone, without reading every
-- message row: SELECT and the webmail page ask for them each time.
CREATE INDEX mail_messages_counts ON mail_messages (folder_id, seen, size);
