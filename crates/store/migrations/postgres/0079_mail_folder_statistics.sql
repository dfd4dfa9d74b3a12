-- The planner's idea of how many messages a folder holds (issue 12, the folder list). A
-- mailbox's folder list counts each folder through the folder index, and leaves out the
-- folders a node already knows; whether PostgreSQL takes the index depends on the rows it
-- expects per folder. Sampled statistics of a young installation (few folders, one of them
-- large) make it expect every message in every folder and scan the whole table per folder.
-- Folders are many: about one distinct folder per hundred messages.
ALTER TABLE mail_messages ALTER COLUMN folder_id SET (n_distinct = -0.01);
