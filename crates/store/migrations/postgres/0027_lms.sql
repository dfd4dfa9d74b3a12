-- Learning management (issue 15): courses tied to groups, their sections and activities,
-- files of activities and completion per person. Assignments, quizzes and course
-- communication keep their own tables (later migrations). Times are unix microseconds (UTC).

-- A course. Members come from lms_course_groups (teachers and staff of a linked group edit,
-- everyone else of it takes part) and from lms_course_people (co-teachers, single persons).
-- archived_at: moved to the archive at the school-year change (read-only from then on).
-- group_id: the group it was made for with one click (at most one open course per group).
CREATE TABLE lms_courses (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    group_id UUID,
    school_year TEXT NOT NULL,
    archived_at BIGINT,
    copied_from UUID,
    created_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX lms_courses_one_per_group ON lms_courses (instance_id, group_id)
    WHERE group_id IS NOT NULL AND archived_at IS NULL;

CREATE TABLE lms_course_groups (
    instance_id UUID NOT NULL,
    course_id UUID NOT NULL,
    group_id UUID NOT NULL,
    PRIMARY KEY (instance_id, course_id, group_id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_course_groups_by_group ON lms_course_groups (instance_id, group_id);

-- role: 'editor' (co-teacher) or 'participant'.
CREATE TABLE lms_course_people (
    instance_id UUID NOT NULL,
    course_id UUID NOT NULL,
    user_id UUID NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('editor', 'participant')),
    PRIMARY KEY (instance_id, course_id, user_id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_course_people_by_user ON lms_course_people (instance_id, user_id);

-- A topic or week. Hidden sections and their activities reach editors only; visible_from
-- hides them until a date.
CREATE TABLE lms_sections (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    course_id UUID NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    hidden BOOLEAN NOT NULL,
    visible_from BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_sections_by_course ON lms_sections (instance_id, course_id, position);

-- An activity: kind 'page' (body = sanitised HTML), 'link' (url), 'file', 'folder',
-- 'media' (audio/video with captions/transcript), 'assignment', 'quiz'. restricted: only the
-- persons of lms_activity_people (and editors) see it. completion: what completes it —
-- 'none', 'view', 'submit', 'grade', 'pass' or 'manual' (ticked by the student).
-- settings: kind-specific JSON the owning module reads.
CREATE TABLE lms_activities (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    course_id UUID NOT NULL,
    section_id UUID NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT,
    transcript TEXT NOT NULL,
    hidden BOOLEAN NOT NULL,
    visible_from BIGINT,
    restricted BOOLEAN NOT NULL,
    completion TEXT NOT NULL,
    due_at BIGINT,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, course_id) REFERENCES lms_courses(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, section_id) REFERENCES lms_sections(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_activities_by_section ON lms_activities (instance_id, section_id, position);
CREATE INDEX lms_activities_by_course ON lms_activities (instance_id, course_id);
CREATE INDEX lms_activities_due ON lms_activities (instance_id, due_at) WHERE due_at IS NOT NULL;

CREATE TABLE lms_activity_people (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Files of an activity: role 'material', 'instruction_audio', 'media' or 'captions'. The
-- content is in the blob store under blob_sha; node_id: picked from a file area (the same
-- blob, no copy).
CREATE TABLE lms_activity_files (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    activity_id UUID NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_sha TEXT NOT NULL,
    node_id UUID,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_activity_files_by_activity ON lms_activity_files (instance_id, activity_id, position);

-- Completion per person and activity: viewed_at on first view, completed_at when the
-- activity's rule is met (or the student ticked it).
CREATE TABLE lms_completion (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    viewed_at BIGINT,
    completed_at BIGINT,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_completion_by_user ON lms_completion (instance_id, user_id);
