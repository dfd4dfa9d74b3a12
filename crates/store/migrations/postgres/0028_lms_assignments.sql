-- Assignments of the learning management (issue 15): the settings of an activity of kind
-- 'assignment', extensions per student, submissions with their files, and grades with
-- written and spoken feedback. Instructions live in lms_activities (body, transcript) and
-- lms_activity_files (roles 'material' and 'instruction_audio'). Times are unix µs (UTC).

-- types: comma list of 'text', 'files', 'audio'. group_mode: one submission per group
-- linked to the course (a student's group: the first linked group they belong to); else
-- each student hands in alone. grading: 'points' (max_points; passed from pass_points on),
-- 'scale' (labels one per line, best first; passed up to the label at index pass_points)
-- or 'passfail'.
CREATE TABLE lms_assignments (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    allow_from BIGINT,
    cutoff_at BIGINT,
    types TEXT NOT NULL,
    group_mode BOOLEAN NOT NULL,
    grading TEXT NOT NULL CHECK (grading IN ('points', 'scale', 'passfail')),
    max_points BIGINT NOT NULL,
    pass_points BIGINT NOT NULL,
    scale TEXT NOT NULL,
    PRIMARY KEY (instance_id, activity_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
);

-- A later due date (and cut-off) for one student.
CREATE TABLE lms_extensions (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- What a student (owner_id = user) or a group (is_group, owner_id = group) handed in.
-- Saving is handing in: a row exists only once something was handed in. status
-- 'submitted', or 'reopened' after the teacher asked for a resubmission. late: handed in
-- (last) after the due date that applied.
CREATE TABLE lms_submissions (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    activity_id UUID NOT NULL,
    owner_id UUID NOT NULL,
    is_group BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'reopened')),
    late BOOLEAN NOT NULL,
    submitted_by UUID NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX lms_submissions_one_per_owner ON lms_submissions (instance_id, activity_id, owner_id);

-- Files of a submission ('file' or 'audio'), charged to who uploaded them.
CREATE TABLE lms_submission_files (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    submission_id UUID NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('file', 'audio')),
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_sha TEXT NOT NULL,
    uploaded_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, submission_id) REFERENCES lms_submissions(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_submission_files_by_submission ON lms_submission_files (instance_id, submission_id);
CREATE INDEX lms_submission_files_by_uploader ON lms_submission_files (instance_id, uploaded_by);

-- The grade and feedback for one student; the student sees it once released_at is set.
-- grade: points as text, a scale label or 'pass'/'fail'; NULL: not graded yet.
CREATE TABLE lms_grades (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    grade TEXT,
    passed BOOLEAN,
    feedback TEXT NOT NULL,
    spoken_transcript TEXT NOT NULL,
    graded_by UUID NOT NULL,
    graded_at BIGINT NOT NULL,
    released_at BIGINT,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- Feedback files for one student ('file' or 'audio': the spoken feedback).
CREATE TABLE lms_feedback_files (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('file', 'audio')),
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_sha TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_feedback_files_by_student ON lms_feedback_files (instance_id, activity_id, user_id);
