//! Quizzes on SQLite and PostgreSQL: who may edit, take and see what (other participants,
//! non-members and other schools get 404), attempt limits and the opening window, the time
//! limit with grace and extensions on the test clock, grading of every kind end to end,
//! review rules and the teacher's results.

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use chrono::Duration;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::SectionInput;
use schulhof_domain::lms::quiz::engine::{Answer, QuestionDraft};
use schulhof_domain::lms::quiz::{
    Answers, Extension, QuizInput, QuizSettings, Review, Saved, demo_questions,
};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::ActivityId;
use uuid::Uuid;

struct Setup {
    s: School,
    clock: Arc<ManualClock>,
    teacher: Actor,
    quiz: ActivityId,
    questions: Vec<Uuid>,
}

fn clocked(db: Db) -> (Platform, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(utc(2026, 11, 2, 8, 0)));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    (Platform::new(db, clock.clone(), config), clock)
}

/// A course for 5a (lehrer edits; anna and ben take part; carla of 5b does not) with a
/// quiz of the demo questions and `settings`.
async fn setup(db: Db, settings: QuizSettings, completion: &str) -> Setup {
    let (p, clock) = clocked(db);
    let s = school_on(p, "123456").await;
    let p = &s.platform;
    let teacher = s.user("lehrer").await;
    let g5a = teacher
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let course = p.lms_create_course(&teacher, g5a).await.expect("course");
    let section = SectionInput {
        title: "Brüche".into(),
        ..SectionInput::default()
    };
    let section = p
        .lms_add_section(&teacher, course, &section)
        .await
        .expect("section");
    let input = QuizInput {
        title: "Test".into(),
        completion: completion.into(),
        settings,
        ..QuizInput::default()
    };
    let quiz = p
        .lms_quiz_create(&teacher, course, section, input)
        .await
        .expect("quiz");
    for d in demo_questions() {
        p.lms_quiz_question_save(&teacher, quiz, None, &d)
            .await
            .expect("question");
    }
    let questions = p
        .lms_quiz_editor(&teacher, quiz)
        .await
        .expect("editor")
        .questions
        .iter()
        .map(|q| q.id)
        .collect();
    Setup {
        s,
        clock,
        teacher,
        quiz,
        questions,
    }
}

fn answers(ids: &[Uuid], list: Vec<Answer>) -> Answers {
    ids.iter().copied().zip(list).collect()
}

/// All right, in the order of `demo_questions`.
fn right(ids: &[Uuid]) -> Answers {
    answers(
        ids,
        vec![
            Answer::Choice(Some(0)),
            Answer::Choices(vec![1, 0]),
            Answer::Bool(Some(true)),
            Answer::Text("3,5".into()),
            Answer::Text("  NENNER ".into()),
            Answer::Gaps(vec!["nenner".into(), "selbe".into()]),
            Answer::Matches(vec![Some(0), Some(1), Some(2)]),
        ],
    )
}

/// Partly right: true/false (1), one gap of two (1), one pair of three (0.66).
fn partly(ids: &[Uuid]) -> Answers {
    answers(
        ids,
        vec![
            Answer::Choice(Some(1)),
            Answer::Choices(vec![0, 2]),
            Answer::Bool(Some(true)),
            Answer::Text("3.6".into()),
            Answer::Text("Zähler".into()),
            Answer::Gaps(vec!["Nenner".into(), "andere".into()]),
            Answer::Matches(vec![Some(0), Some(2), Some(1)]),
        ],
    )
}

fn settings() -> QuizSettings {
    QuizSettings {
        review: Review::AfterAttempt,
        pass_percent: 50,
        ..QuizSettings::default()
    }
}

fn nf<T: std::fmt::Debug>(r: Result<T, DomainError>) {
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
}

async fn rights_of_every_role(db: Db) {
    let x = setup(db.clone(), settings(), "pass").await;
    let p = &x.s.platform;
    let (anna, ben, carla) = (
        x.s.user("anna").await,
        x.s.user("ben").await,
        x.s.user("carla").await,
    );
    // Participants see and take the quiz but never edit it.
    let o = p
        .lms_quiz_overview(&anna, x.quiz)
        .await
        .expect("anna sees it");
    assert!(o.may_start && !o.editor && o.questions == 7);
    assert!(p.lms_quiz_editor(&anna, x.quiz).await.is_err());
    assert!(p.lms_quiz_results(&anna, x.quiz).await.is_err());
    let d = demo_questions().remove(0);
    assert!(
        p.lms_quiz_question_save(&anna, x.quiz, None, &d)
            .await
            .is_err()
    );
    // Editors edit and see results but do not take part.
    assert!(p.lms_quiz_start(&x.teacher, x.quiz).await.is_err());
    let att = p.lms_quiz_start(&anna, x.quiz).await.expect("start");
    // Another participant learns nothing of anna's attempt.
    nf(p.lms_quiz_attempt(&ben, att).await);
    nf(p.lms_quiz_review(&ben, att).await);
    nf(p.lms_quiz_save(&ben, att, right(&x.questions), true).await);
    nf(p.lms_quiz_extend(&ben, att).await);
    // Non-members: nothing exists.
    nf(p.lms_quiz_overview(&carla, x.quiz).await);
    nf(p.lms_quiz_start(&carla, x.quiz).await);
    nf(p.lms_quiz_editor(&carla, x.quiz).await);
    nf(p.lms_quiz_review(&carla, att).await);
    let saved = p
        .lms_quiz_save(&anna, att, right(&x.questions), true)
        .await
        .expect("submit");
    assert_eq!(saved, Saved::Submitted);
    let r = p
        .lms_quiz_review(&x.teacher, att)
        .await
        .expect("teacher reviews");
    assert!(r.editor && r.show_answers && r.person.starts_with("Anna"));
    // Another school: the same logins, nothing crosses.
    let (q, _) = clocked(db);
    let other = school_on(q, "654321").await;
    for login in ["lehrer", "anna"] {
        let a = other.user(login).await;
        nf(other.platform.lms_quiz_overview(&a, x.quiz).await);
        nf(other.platform.lms_quiz_review(&a, att).await);
        nf(other.platform.lms_quiz_editor(&a, x.quiz).await);
    }
}

async fn every_kind_is_graded_and_completes(db: Db) {
    let x = setup(db, settings(), "pass").await;
    let p = &x.s.platform;
    let (anna, ben) = (x.s.user("anna").await, x.s.user("ben").await);
    let a = p.lms_quiz_start(&anna, x.quiz).await.expect("start");
    // Saving keeps the answers; a reload shows them in the same order.
    p.lms_quiz_save(&anna, a, partly(&x.questions), false)
        .await
        .expect("save");
    let v1 = p.lms_quiz_attempt(&anna, a).await.expect("view");
    let v2 = p.lms_quiz_attempt(&anna, a).await.expect("view again");
    let order = |v: &schulhof_domain::lms::quiz::AttemptView| {
        v.questions
            .iter()
            .map(|q| (q.id, q.items.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&v1), order(&v2));
    assert!(v1.questions.iter().all(|q| q.answer.is_some()));
    assert_eq!(
        p.lms_quiz_start(&anna, x.quiz).await.expect("resume"),
        a,
        "the open attempt resumes"
    );
    p.lms_quiz_save(&anna, a, right(&x.questions), true)
        .await
        .expect("submit");
    let r = p.lms_quiz_review(&anna, a).await.expect("review");
    assert_eq!(
        (r.attempt.score, r.attempt.max_score),
        (Some(1000), Some(1000))
    );
    assert!(
        r.questions.iter().all(|q| q.points == Some(q.max)),
        "every kind right"
    );
    assert!(
        p.lms_quiz_save(&anna, a, partly(&x.questions), true)
            .await
            .is_err(),
        "graded once"
    );
    let b = p.lms_quiz_start(&ben, x.quiz).await.expect("ben");
    p.lms_quiz_save(&ben, b, partly(&x.questions), true)
        .await
        .expect("submit");
    let r = p.lms_quiz_review(&ben, b).await.expect("review");
    assert_eq!(r.attempt.score, Some(266), "1 + 1 + 0.66 points");
    let mut by_kind: Vec<(String, u32)> = r
        .questions
        .iter()
        .map(|q| {
            (
                q.question.body.kind().as_str().to_owned(),
                q.points.unwrap_or(99),
            )
        })
        .collect();
    by_kind.sort();
    assert_eq!(
        by_kind,
        [
            ("gap_text", 100),
            ("matching", 66),
            ("multiple_choice", 0),
            ("numeric", 0),
            ("short_answer", 0),
            ("single_choice", 0),
            ("true_false", 100)
        ]
        .map(|(k, v)| (k.to_owned(), v))
        .to_vec()
    );
    // Completion 'pass' (50 %): anna passed, ben did not.
    let course = p
        .lms_activity(&x.teacher, x.quiz)
        .await
        .expect("quiz")
        .activity
        .course_id;
    let progress = p.lms_progress(&x.teacher, course).await.expect("progress");
    let col = progress
        .activities
        .iter()
        .position(|a| a.id == x.quiz)
        .expect("column");
    let done: Vec<(String, bool)> = progress
        .rows
        .iter()
        .map(|(who, cells)| (who.login.clone(), cells[col].completed))
        .collect();
    assert!(
        done.contains(&("anna".into(), true)) && done.contains(&("ben".into(), false)),
        "{done:?}"
    );
    // Results: per person and per question.
    let res = p
        .lms_quiz_results(&x.teacher, x.quiz)
        .await
        .expect("results");
    assert_eq!(res.finished, 2);
    let anna_line = res
        .people
        .iter()
        .find(|l| l.person.login == "anna")
        .expect("anna");
    assert_eq!(anna_line.counting.map(|c| (c.1, c.3)), Some((1000, true)));
    let tf = &res.questions[2];
    assert_eq!((tf.answered, tf.full, tf.average), (2, 2, 100));
    assert_eq!((res.questions[0].full, res.questions[0].average), (1, 50));
}

async fn attempt_limits_and_window(db: Db) {
    let mut s = settings();
    s.attempts = 2;
    s.counts = schulhof_domain::lms::quiz::Counts::Last;
    let x = setup(db, s, "pass").await;
    let p = &x.s.platform;
    let anna = x.s.user("anna").await;
    let a1 = p.lms_quiz_start(&anna, x.quiz).await.expect("first");
    p.lms_quiz_save(&anna, a1, right(&x.questions), true)
        .await
        .expect("submit");
    let a2 = p.lms_quiz_start(&anna, x.quiz).await.expect("second");
    assert_ne!(a1, a2);
    p.lms_quiz_save(&anna, a2, partly(&x.questions), true)
        .await
        .expect("submit");
    let third = p.lms_quiz_start(&anna, x.quiz).await;
    assert!(
        matches!(
            third,
            Err(DomainError::Invalid {
                field: "attempt",
                ..
            })
        ),
        "{third:?}"
    );
    let o = p.lms_quiz_overview(&anna, x.quiz).await.expect("overview");
    assert!(!o.may_start && o.attempts.len() == 2);
    assert_eq!(
        o.counting,
        Some((a2, false)),
        "the last attempt counts, and it failed"
    );
    // Opening window: not before the start, not after the close.
    let mut input = QuizInput {
        title: "Test".into(),
        completion: "submit".into(),
        opens: Some(local_naive(2026, 11, 3, 8)),
        closes: Some(local_naive(2026, 11, 4, 8)),
        settings: settings(),
        ..QuizInput::default()
    };
    p.lms_quiz_update(&x.teacher, x.quiz, input.clone())
        .await
        .expect("update");
    let ben = x.s.user("ben").await;
    assert!(
        p.lms_quiz_start(&ben, x.quiz).await.is_err(),
        "not open yet"
    );
    x.clock.advance(Duration::days(1) + Duration::hours(1));
    let b = p.lms_quiz_start(&ben, x.quiz).await.expect("open now");
    x.clock.advance(Duration::days(1));
    assert_eq!(
        p.lms_quiz_save(&ben, b, right(&x.questions), true)
            .await
            .expect("late"),
        Saved::TimeUp
    );
    assert!(p.lms_quiz_start(&ben, x.quiz).await.is_err(), "closed");
    input.closes = Some(local_naive(2026, 11, 3, 7));
    assert!(matches!(
        p.lms_quiz_update(&x.teacher, x.quiz, input).await,
        Err(DomainError::Invalid {
            field: "closes",
            ..
        })
    ));
}

fn local_naive(y: i32, m: u32, d: u32, h: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, 0, 0))
        .expect("time")
}

async fn time_limit_with_grace_and_extensions(db: Db) {
    let mut s = settings();
    s.time_limit_minutes = 10;
    let x = setup(db, s, "submit").await;
    let p = &x.s.platform;
    let (anna, ben) = (x.s.user("anna").await, x.s.user("ben").await);
    let a = p.lms_quiz_start(&anna, x.quiz).await.expect("start");
    let v = p.lms_quiz_attempt(&anna, a).await.expect("view");
    assert_eq!(v.deadline.map(|d| d - v.now), Some(Duration::minutes(10)));
    assert!(v.extension.is_none(), "nothing granted, nothing offered");
    assert!(p.lms_quiz_extend(&anna, a).await.is_err());
    x.clock.advance(Duration::minutes(5));
    p.lms_quiz_save(&anna, a, partly(&x.questions), false)
        .await
        .expect("in time");
    // One minute late: inside the grace period, still saved.
    x.clock.advance(Duration::minutes(6));
    assert_eq!(
        p.lms_quiz_save(&anna, a, partly(&x.questions), false)
            .await
            .expect("grace"),
        Saved::Saved
    );
    // Past the grace: closed with the answers saved last; the late ones are ignored.
    x.clock.advance(Duration::minutes(2));
    assert_eq!(
        p.lms_quiz_save(&anna, a, right(&x.questions), true)
            .await
            .expect("late"),
        Saved::TimeUp
    );
    let r = p.lms_quiz_review(&anna, a).await.expect("review");
    assert_eq!(r.attempt.score, Some(266));
    // Ben gets 20 more minutes and takes them once.
    let ben_id = ben.token.user();
    let grant = Extension {
        extra_minutes: 20,
        no_limit: false,
    };
    assert!(
        p.lms_quiz_set_extension(&anna, x.quiz, ben_id, Some(grant))
            .await
            .is_err()
    );
    p.lms_quiz_set_extension(&x.teacher, x.quiz, ben_id, Some(grant))
        .await
        .expect("grant");
    let b = p.lms_quiz_start(&ben, x.quiz).await.expect("start");
    assert!(
        p.lms_quiz_attempt(&ben, b)
            .await
            .expect("view")
            .extension
            .is_some()
    );
    x.clock.advance(Duration::minutes(9));
    p.lms_quiz_extend(&ben, b).await.expect("extend");
    assert!(
        p.lms_quiz_extend(&ben, b).await.is_err(),
        "once per attempt"
    );
    let v = p.lms_quiz_attempt(&ben, b).await.expect("view");
    assert_eq!(v.deadline.map(|d| d - v.now), Some(Duration::minutes(21)));
    x.clock.advance(Duration::minutes(15));
    assert_eq!(
        p.lms_quiz_save(&ben, b, right(&x.questions), true)
            .await
            .expect("submit"),
        Saved::Submitted
    );
    // No limit at all for one participant; the overview closes a forgotten attempt.
    let none = Extension {
        extra_minutes: 0,
        no_limit: true,
    };
    p.lms_quiz_set_extension(&x.teacher, x.quiz, ben_id, Some(none))
        .await
        .expect("grant");
    let b2 = p.lms_quiz_start(&ben, x.quiz).await.expect("again");
    p.lms_quiz_extend(&ben, b2).await.expect("no limit");
    let unlimited = p.lms_quiz_attempt(&ben, b2).await.expect("view");
    assert_eq!(unlimited.deadline, None);
    p.lms_quiz_start(&anna, x.quiz).await.expect("anna again");
    x.clock.advance(Duration::hours(1));
    let o = p.lms_quiz_overview(&anna, x.quiz).await.expect("overview");
    assert!(o.open_attempt.is_none() && o.attempts.iter().all(|l| l.submitted.is_some()));
    let still = p.lms_quiz_attempt(&ben, b2).await.expect("still open");
    assert!(!still.closed, "no limit: nothing closes it");
}

async fn review_rules(db: Db) {
    let mut s = settings();
    s.review = Review::AfterClose;
    let x = setup(db, s, "none").await;
    let p = &x.s.platform;
    let anna = x.s.user("anna").await;
    let mut input = QuizInput {
        title: "Test".into(),
        completion: "none".into(),
        closes: Some(local_naive(2026, 11, 3, 8)),
        settings: QuizSettings {
            review: Review::AfterClose,
            ..settings()
        },
        ..QuizInput::default()
    };
    p.lms_quiz_update(&x.teacher, x.quiz, input.clone())
        .await
        .expect("update");
    let a = p.lms_quiz_start(&anna, x.quiz).await.expect("start");
    let open = p.lms_quiz_review(&anna, a).await;
    assert!(
        matches!(open, Err(DomainError::NotFound)),
        "no review of an open attempt"
    );
    p.lms_quiz_save(&anna, a, partly(&x.questions), true)
        .await
        .expect("submit");
    let r = p.lms_quiz_review(&anna, a).await.expect("score");
    assert!(!r.show_answers && r.attempt.score == Some(266));
    x.clock.advance(Duration::days(2));
    assert!(
        p.lms_quiz_review(&anna, a)
            .await
            .expect("after close")
            .show_answers
    );
    input.settings.review = Review::Never;
    p.lms_quiz_update(&x.teacher, x.quiz, input)
        .await
        .expect("update");
    assert!(
        !p.lms_quiz_review(&anna, a)
            .await
            .expect("never")
            .show_answers
    );
    assert!(
        p.lms_quiz_review(&x.teacher, a)
            .await
            .expect("teacher")
            .show_answers
    );
}

async fn bad_questions_name_question_and_field(db: Db) {
    let x = setup(db, settings(), "none").await;
    let p = &x.s.platform;
    let bad = QuestionDraft {
        kind: "single_choice".into(),
        prompt: "Welche?".into(),
        points: "1".into(),
        choices: vec![("A".into(), true), ("B".into(), true)],
        ..QuestionDraft::default()
    };
    match p
        .lms_quiz_question_save(&x.teacher, x.quiz, Some(x.questions[1]), &bad)
        .await
    {
        Err(DomainError::Invalid { field, message }) => {
            assert_eq!(field, "choices");
            assert!(message.starts_with("Frage 2:"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let e = p.lms_quiz_editor(&x.teacher, x.quiz).await.expect("editor");
    assert_eq!(e.questions.len(), 7);
    assert_eq!(
        e.questions[1].question.body.kind().as_str(),
        "multiple_choice",
        "unchanged"
    );
    // Moving and deleting keep the order tidy.
    p.lms_quiz_question_move(&x.teacher, x.quiz, x.questions[1], true)
        .await
        .expect("up");
    p.lms_quiz_question_delete(&x.teacher, x.quiz, x.questions[0])
        .await
        .expect("delete");
    let e = p.lms_quiz_editor(&x.teacher, x.quiz).await.expect("editor");
    assert_eq!(e.questions[0].id, x.questions[1]);
    assert_eq!(e.questions.len(), 6);
    nf(
        p.lms_quiz_question_delete(&x.teacher, x.quiz, Uuid::now_v7())
            .await,
    );
}

backend_tests!(
    rights_of_every_role,
    every_kind_is_graded_and_completes,
    attempt_limits_and_window,
    time_limit_with_grace_and_extensions,
    review_rules,
    bad_questions_name_question_and_field,
);
