-- Learning management (issue 15), second part: notifications of new activities, and private
-- questions about an assignment. Times are unix microseconds (UTC).

-- Whether the course's participants are told about an activity: NULL nothing to tell
-- (imported or copied activities, and those from before this migration); 0 waiting until
-- participants see it (hidden or scheduled); otherwise when they were notified. The claim
-- `UPDATE … WHERE notified_at = 0` makes sure of several nodes only one notifies.
ALTER TABLE lms_activities ADD COLUMN notified_at INTEGER;
CREATE INDEX lms_activities_to_notify ON lms_activities (visible_from) WHERE notified_at = 0;

-- A private question about an assignment: one thread per student and assignment, seen by
-- that student and the course's editors only. author_id is the student or a teacher.
CREATE TABLE lms_private_posts (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    student_id BLOB NOT NULL,
    author_id BLOB NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, student_id) REFERENCES users(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, author_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lms_private_posts_by_thread
    ON lms_private_posts (instance_id, activity_id, student_id, created_at);
