-- Quizzes (issue 15 item 4): questions, attempts and per-student time extensions. The quiz
-- itself is an lms_activities row of kind 'quiz' (settings JSON: attempts, time limit,
-- shuffling, review rule, pass mark; due_at: the close time). Times are unix µs (UTC).

-- One question: definition is the engine's JSON (prompt, points, kind-specific body);
-- kind and points are copied out for lists.
CREATE TABLE lms_quiz_questions (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    activity_id UUID NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    points BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX lms_quiz_questions_by_activity ON lms_quiz_questions (instance_id, activity_id, position);

-- One attempt of a participant. seed: the order of questions and choices. deadline_at:
-- when time runs out (NULL: no limit); extended: the granted extension was taken.
-- answers: JSON {question id: answer}; points: JSON {question id: hundredths} once graded;
-- score/max_score in hundredths of a point. number: 1, 2, … per person (unique, so two
-- starts at once cannot both create the same attempt).
CREATE TABLE lms_quiz_attempts (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    number BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    deadline_at BIGINT,
    extended BOOLEAN NOT NULL,
    saved_at BIGINT NOT NULL,
    submitted_at BIGINT,
    answers TEXT NOT NULL,
    points TEXT,
    score BIGINT,
    max_score BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX lms_quiz_attempts_number ON lms_quiz_attempts (instance_id, activity_id, user_id, number);

-- More time for one participant (accessibility: every time limit can be extended):
-- extra_minutes, or no_limit for no time limit at all. Taken per attempt by the student.
CREATE TABLE lms_quiz_extensions (
    instance_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    user_id UUID NOT NULL,
    extra_minutes BIGINT NOT NULL,
    no_limit BOOLEAN NOT NULL,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
