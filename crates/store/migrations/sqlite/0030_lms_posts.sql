-- Course communication (issue 15): announcements by the course's teachers and the Q&A forum
-- (threads and replies by every member). kind: 'announcement', 'question' (a thread's first
-- post, with a title) or 'reply' (parent_id: its question). Times are unix microseconds.
CREATE TABLE lms_posts (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    course_id BLOB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('announcement', 'question', 'reply')),
    parent_id BLOB,
    author_id BLOB NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, parent_id) REFERENCES lms_posts(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, author_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lms_posts_by_course ON lms_posts (instance_id, course_id, kind, created_at);
CREATE INDEX lms_posts_by_parent ON lms_posts (instance_id, parent_id, created_at);
