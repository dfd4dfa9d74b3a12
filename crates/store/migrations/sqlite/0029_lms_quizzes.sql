-- Quizzes (issue 15 item 4): questions, attempts and per-student time extensions. The quiz
-- itself is an lms_activities row of kind 'quiz' (settings JSON: attempts, time limit,
-- shuffling, review rule, pass mark; due_at: the close time). Times are unix µs (UTC).

-- One question: definition is the engine's JSON (prompt, points, kind-specific body);
-- kind and points are copied out for lists.
CREATE TABLE lms_quiz_questions (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    points INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lms_quiz_questions_by_activity ON lms_quiz_questions (instance_id, activity_id, position);

-- One attempt of a participant. seed: the order of questions and choices. deadline_at:
-- when time runs out (NULL: no limit); extended: the granted extension was taken.
-- answers: JSON {question id: answer}; points: JSON {question id: hundredths} once graded;
-- score/max_score in hundredths of a point. number: 1, 2, … per person (unique, so two
-- starts at once cannot both create the same attempt).
CREATE TABLE lms_quiz_attempts (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    number INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER,
    extended INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    submitted_at INTEGER,
    answers TEXT NOT NULL,
    points TEXT,
    score INTEGER,
    max_score INTEGER,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX lms_quiz_attempts_number ON lms_quiz_attempts (instance_id, activity_id, user_id, number);

-- More time for one participant (accessibility: every time limit can be extended):
-- extra_minutes, or no_limit for no time limit at all. Taken per attempt by the student.
CREATE TABLE lms_quiz_extensions (
    instance_id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    extra_minutes INTEGER NOT NULL,
    no_limit INTEGER NOT NULL,
    PRIMARY KEY (instance_id, activity_id, user_id),
    FOREIGN KEY (instance_id, activity_id) REFERENCES lms_activities(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
