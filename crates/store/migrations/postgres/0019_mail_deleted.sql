-- The messages of a folder flagged \Deleted, and only those: EXPUNGE reads this instead of
-- every message of the folder.
CREATE INDEX mail_messages_deleted ON mail_messages (folder_id, uid) WHERE deleted;
