-- The UIDs that left a folder (expunged, moved away), with the MODSEQ of the change that took
-- them: a node's copy of a folder's UID list catches up from these instead of re-reading every
-- UID of the folder. Only a recent window is kept (pruned on every removal); a copy older than
-- that notices the gap by the folder's count and reads the UIDs again.
CREATE TABLE mail_expunged (
    instance_id UUID NOT NULL,
    folder_id UUID NOT NULL,
    modseq BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    PRIMARY KEY (folder_id, modseq, uid),
    FOREIGN KEY (instance_id, folder_id) REFERENCES mail_folders(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_expunged_by_folder ON mail_expunged (instance_id, folder_id);
