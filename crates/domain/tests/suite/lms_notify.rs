//! Courses feeding the one notification mechanism, private questions about an assignment
//! and due dates for the calendars, on SQLite and PostgreSQL: who is told (participants,
//! not teachers or strangers; restricted material only its students; a switched-off kind
//! nobody), scheduled material told once when it appears (two sweeps, one notification),
//! who reads a private thread (the student and the course's editors; 404 for everyone
//! else, other schools included), whose calendar shows which dates, and what a copy into a
//! new year takes along (assignments and quizzes, not last year's dates or work).

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::clock::ManualClock;

use schulhof_domain::identity::Actor;
use schulhof_domain::lms::assignments::{AssignmentInput, GradeInput, Grading, SubmissionType};
use schulhof_domain::lms::quiz::QuizInput;
use schulhof_domain::lms::{MaterialInput, SectionInput};
use schulhof_domain::notify::{Kind, Mode};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::{ActivityId, CourseId, SectionId};

const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0 a recording";

struct Env {
    s: School,
    clock: Arc<ManualClock>,
    teacher: Actor,
    course: CourseId,
    section: SectionId,
}

async fn env(db: Db) -> Env {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let s = school_on(Platform::new(db, clock.clone(), config), "123456").await;
    let teacher = s.user("lehrer").await;
    let group = teacher
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let p = &s.platform;
    let course = p.lms_create_course(&teacher, group).await.expect("course");
    let sec = SectionInput {
        title: "Woche 1".into(),
        ..SectionInput::default()
    };
    let section = p
        .lms_add_section(&teacher, course, &sec)
        .await
        .expect("section");
    Env {
        s,
        clock,
        teacher,
        course,
        section,
    }
}

fn assignment(title: &str, due_in_days: i64) -> AssignmentInput {
    let due = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("t")
        + Duration::days(due_in_days);
    AssignmentInput {
        title: title.into(),
        instructions: "<p>Rechne.</p>".into(),
        transcript: String::new(),
        allow_from: None,
        due_at: Some(due),
        cutoff_at: None,
        types: SubmissionType::ALL.to_vec(),
        group_mode: false,
        grading: Grading::Points { max: 10, pass: 5 },
        completion: "submit".into(),
        hidden: false,
    }
}

fn page(title: &str) -> MaterialInput {
    MaterialInput {
        kind: "page".into(),
        title: title.into(),
        body: "<p>Text</p>".into(),
        completion: "none".into(),
        ..MaterialInput::default()
    }
}

/// The parameters of a login's notifications of one kind, oldest first.
async fn notes(p: &Platform, a: &Actor, kind: Kind) -> Vec<serde_json::Value> {
    let mut c = p.db().read().await.expect("db");
    let mut v: Vec<_> =
        schulhof_store::notify::of_user(&mut c, a.token.instance(), a.token.user(), 500)
            .await
            .expect("notifications")
            .into_iter()
            .filter(|n| n.kind == kind.as_str())
            .collect();
    v.reverse();
    v.into_iter()
        .map(|n| serde_json::from_str(&n.params).expect("json"))
        .collect()
}

async fn titles(p: &Platform, a: &Actor, kind: Kind) -> Vec<String> {
    notes(p, a, kind)
        .await
        .iter()
        .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn not_found<T: std::fmt::Debug>(r: Result<T, DomainError>) {
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
}

impl Env {
    async fn who(&self, login: &str) -> Actor {
        self.s.user(login).await
    }
}

async fn new_activities_reach_their_participants_once(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let k = Kind::LmsActivityPublished;
    let (anna, ben, eva) = (
        e.who("anna").await,
        e.who("ben").await,
        e.who("extern").await,
    );
    let (carla, personal) = (e.who("carla").await, e.who("personal").await);
    // Ben does not want these.
    p.set_notification_preferences(&ben, &[(k, Mode::Off)], None, 7)
        .await
        .expect("prefs");
    let id = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &assignment("Brüche", 3))
        .await
        .expect("create");
    let n = notes(p, &anna, k).await;
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["title"], "Brüche");
    assert_eq!(n[0]["activity_id"], id.to_string());
    assert_eq!(n[0]["activity_kind"], "assignment");
    assert_eq!(n[0]["course"], "5a");
    assert_eq!(titles(p, &eva, k).await, ["Brüche"]);
    for quiet in [&ben, &carla, &personal, &e.teacher] {
        assert!(titles(p, quiet, k).await.is_empty(), "{}", quiet.user.login);
    }
    // Saving again does not tell anyone twice.
    p.lms_assignment_update(&e.teacher, id, &assignment("Brüche!", 3))
        .await
        .expect("update");
    assert_eq!(titles(p, &anna, k).await.len(), 1);
    // Hidden: nobody is told until it is shown.
    let hidden = AssignmentInput {
        hidden: true,
        ..assignment("Geheim", 4)
    };
    let h = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &hidden)
        .await
        .expect("hidden");
    assert_eq!(titles(p, &anna, k).await.len(), 1);
    assert_eq!(p.lms_notify_due().await.expect("sweep"), 0);
    p.lms_assignment_update(&e.teacher, h, &assignment("Geheim", 4))
        .await
        .expect("show");
    assert_eq!(titles(p, &anna, k).await, ["Brüche", "Geheim"]);
    // Restricted material reaches only its students.
    let only = MaterialInput {
        only_for: vec![ben.token.user(), eva.token.user()],
        ..page("Für Eva")
    };
    p.lms_add_material(&e.teacher, e.section, &only)
        .await
        .expect("restricted");
    assert_eq!(titles(p, &eva, k).await, ["Brüche", "Geheim", "Für Eva"]);
    assert_eq!(titles(p, &anna, k).await.len(), 2);
}

async fn scheduled_material_is_told_once_when_it_appears(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let k = Kind::LmsActivityPublished;
    let anna = e.who("anna").await;
    let later = schulhof_store::to_us(p.now() + Duration::hours(2));
    let m = MaterialInput {
        visible_from: Some(later),
        ..page("Später")
    };
    p.lms_add_material(&e.teacher, e.section, &m)
        .await
        .expect("material");
    assert!(titles(p, &anna, k).await.is_empty());
    assert_eq!(p.lms_notify_due().await.expect("early"), 0);
    e.clock.advance(Duration::hours(3));
    // Two nodes sweep at once: one notification.
    let (a, b) = tokio::join!(p.lms_notify_due(), p.lms_notify_due());
    assert_eq!(a.expect("a") + b.expect("b"), 1);
    assert_eq!(p.lms_notify_due().await.expect("again"), 0);
    assert_eq!(titles(p, &anna, k).await, ["Später"]);
    // A hidden section holds its material back until it is shown.
    let sec = SectionInput {
        title: "Versteckt".into(),
        hidden: true,
        ..SectionInput::default()
    };
    let s2 = p
        .lms_add_section(&e.teacher, e.course, &sec)
        .await
        .expect("section");
    p.lms_add_material(&e.teacher, s2, &page("Im Versteck"))
        .await
        .expect("material");
    assert_eq!(p.lms_notify_due().await.expect("hidden"), 0);
    let shown = SectionInput {
        hidden: false,
        ..sec
    };
    p.lms_update_section(&e.teacher, s2, &shown)
        .await
        .expect("show section");
    assert_eq!(p.lms_notify_due().await.expect("shown"), 1);
    assert_eq!(titles(p, &anna, k).await, ["Später", "Im Versteck"]);
}

async fn feedback_and_announcements_are_told(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let k = Kind::LmsFeedbackReleased;
    let (anna, ben, personal) = (
        e.who("anna").await,
        e.who("ben").await,
        e.who("personal").await,
    );
    let id = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &assignment("Aufsatz", 1))
        .await
        .expect("create");
    let graded = |release| GradeInput {
        grade: "7".into(),
        feedback: "Gut".into(),
        release,
        ..GradeInput::default()
    };
    p.lms_assignment_grade(&e.teacher, id, anna.token.user(), &graded(true))
        .await
        .expect("grade anna");
    p.lms_assignment_grade(&e.teacher, id, ben.token.user(), &graded(false))
        .await
        .expect("grade ben");
    assert_eq!(titles(p, &anna, k).await, ["Aufsatz"]);
    assert!(titles(p, &ben, k).await.is_empty(), "not released yet");
    e.clock.advance(Duration::minutes(1));
    assert_eq!(
        p.lms_assignment_release(&e.teacher, id, None)
            .await
            .expect("all"),
        1
    );
    assert_eq!(titles(p, &ben, k).await, ["Aufsatz"]);
    assert_eq!(titles(p, &anna, k).await.len(), 1, "released before");
    // An announcement reaches every member but its author, and nobody outside.
    let a = Kind::LmsAnnouncement;
    p.lms_announce(&e.teacher, e.course, "Ausflug", "Am Freitag")
        .await
        .expect("announce");
    for who in [&anna, &ben, &personal] {
        assert_eq!(titles(p, who, a).await, ["Ausflug"], "{}", who.user.login);
    }
    assert!(titles(p, &e.teacher, a).await.is_empty());
    assert!(titles(p, &e.who("carla").await, a).await.is_empty());
    assert_eq!(
        notes(p, &anna, a).await[0]["course_id"],
        e.course.to_string()
    );
    // Participants do not announce.
    assert!(p.lms_announce(&anna, e.course, "x", "y").await.is_err());
}

async fn private_questions_stay_between_student_and_teachers(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let id = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &assignment("Brüche", 3))
        .await
        .expect("create");
    let (anna, ben, carla) = (
        e.who("anna").await,
        e.who("ben").await,
        e.who("carla").await,
    );
    let personal = e.who("personal").await;
    let au = anna.token.user();
    // Bad input: a clear error and nothing stored.
    assert!(matches!(
        p.lms_private_ask(&anna, id, "   ").await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(
        p.lms_private_ask(&anna, id, &"x".repeat(5001))
            .await
            .is_err()
    );
    assert!(
        p.lms_private_thread(&anna, id, None)
            .await
            .expect("own")
            .posts
            .is_empty()
    );
    p.lms_private_ask(&anna, id, "Was ist ein Nenner?")
        .await
        .expect("ask");
    // The course's editors are told; nobody else.
    let asked = Kind::LmsQuestionAsked;
    for t in [&e.teacher, &personal] {
        let n = notes(p, t, asked).await;
        assert_eq!(n.len(), 1, "{}", t.user.login);
        assert_eq!(n[0]["student_id"], au.to_string());
    }
    assert!(titles(p, &ben, asked).await.is_empty());
    // Ben sees neither Anna's thread nor the list; his own is empty.
    not_found(p.lms_private_thread(&ben, id, Some(au)).await.map(|_| ()));
    not_found(p.lms_private_threads(&ben, id).await.map(|_| ()));
    assert!(
        p.lms_private_thread(&ben, id, None)
            .await
            .expect("ben")
            .posts
            .is_empty()
    );
    not_found(p.lms_private_answer(&ben, id, au, "Ich weiß es").await);
    // Non-members, function accounts and another school: 404.
    let sek = e.who("sekretariat").await;
    let other = school_on(p.clone(), "654321").await;
    let stranger = other.user("lehrer").await;
    for who in [&carla, &e.who("lehrer2").await, &sek, &stranger] {
        not_found(p.lms_private_thread(who, id, Some(au)).await.map(|_| ()));
        not_found(p.lms_private_threads(who, id).await.map(|_| ()));
        assert!(p.lms_private_ask(who, id, "Hallo").await.is_err());
    }
    // A teacher cannot open a thread of someone outside the course.
    not_found(
        p.lms_private_thread(&e.teacher, id, Some(carla.token.user()))
            .await
            .map(|_| ()),
    );
    not_found(
        p.lms_private_answer(&e.teacher, id, carla.token.user(), "x")
            .await,
    );
    // The teacher lists and answers; Anna is told and reads it.
    let (_, threads) = p.lms_private_threads(&e.teacher, id).await.expect("list");
    assert_eq!(threads.len(), 1);
    assert!(threads[0].open);
    e.clock.advance(Duration::minutes(5));
    p.lms_private_answer(&e.teacher, id, au, "Die Zahl unter dem Strich.")
        .await
        .expect("answer");
    let (_, threads) = p.lms_private_threads(&personal, id).await.expect("list");
    assert!(!threads[0].open, "answered");
    assert_eq!(
        titles(p, &anna, Kind::LmsQuestionAnswered).await,
        ["Brüche"]
    );
    let t = p.lms_private_thread(&anna, id, None).await.expect("anna");
    assert_eq!(t.posts.len(), 2);
    assert!(t.may_write);
    let t = p
        .lms_private_thread(&e.teacher, id, Some(au))
        .await
        .expect("t");
    assert_eq!(t.student_name, "Anna Test");
    // Only assignments have private questions.
    let m = p
        .lms_add_material(&e.teacher, e.section, &page("Seite"))
        .await
        .expect("page");
    not_found(p.lms_private_thread(&anna, m, None).await.map(|_| ()));
}

async fn due_dates_reach_the_right_calendars(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let open = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &assignment("Offen", 2))
        .await
        .expect("open");
    let hidden = AssignmentInput {
        hidden: true,
        ..assignment("Versteckt", 3)
    };
    p.lms_assignment_create(&e.teacher, e.course, e.section, &hidden)
        .await
        .expect("hidden");
    p.lms_assignment_create(&e.teacher, e.course, e.section, &assignment("Später", 40))
        .await
        .expect("later");
    let quiz = QuizInput {
        title: "Test".into(),
        completion: "none".into(),
        closes: Some(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 5)
                .and_then(|d| d.and_hms_opt(10, 0, 0))
                .expect("t"),
        ),
        ..QuizInput::default()
    };
    let q: ActivityId = p
        .lms_quiz_create(&e.teacher, e.course, e.section, quiz)
        .await
        .expect("quiz");
    let (start, end) = (p.now(), p.now() + Duration::days(30));
    let titles = |v: Vec<schulhof_domain::lms::DateRow>| -> Vec<String> {
        v.into_iter().map(|d| d.title).collect()
    };
    let anna = e.who("anna").await;
    let rows = p.lms_dates_between(&anna, start, end).await.expect("anna");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].activity, rows[0].kind.as_str()),
        (open, "assignment")
    );
    assert_eq!((rows[1].activity, rows[1].kind.as_str()), (q, "quiz"));
    assert_eq!(rows[0].course_name, "5a");
    let t = titles(
        p.lms_dates_between(&e.teacher, start, end)
            .await
            .expect("t"),
    );
    assert_eq!(t, ["Offen", "Versteckt", "Test"]);
    for login in ["carla", "lehrer2", "sekretariat"] {
        let who = e.who(login).await;
        assert!(
            p.lms_dates_between(&who, start, end)
                .await
                .expect("x")
                .is_empty()
        );
    }
    let other = school_on(p.clone(), "654321").await;
    let stranger = other.user("anna").await;
    assert!(
        p.lms_dates_between(&stranger, start, end)
            .await
            .expect("o")
            .is_empty()
    );
}

async fn a_copy_takes_assignments_and_quizzes_along(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let cut = Utc
        .with_ymd_and_hms(2026, 11, 9, 8, 0, 0)
        .single()
        .expect("t");
    let with_cutoff = AssignmentInput {
        cutoff_at: Some(cut),
        grading: Grading::PassFail,
        ..assignment("Brüche", 3)
    };
    let id = p
        .lms_assignment_create(&e.teacher, e.course, e.section, &with_cutoff)
        .await
        .expect("create");
    p.lms_assignment_add_instruction(&e.teacher, id, "a.ogg", OGG.to_vec(), true)
        .await
        .expect("audio instruction");
    let anna = e.who("anna").await;
    let hand_in = schulhof_domain::lms::assignments::HandIn {
        text: Some("fertig".into()),
        files: Vec::new(),
    };
    p.lms_assignment_hand_in(&anna, id, hand_in)
        .await
        .expect("hand in");
    let opens = chrono::NaiveDate::from_ymd_opt(2026, 11, 3)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .expect("t");
    let quiz = QuizInput {
        title: "Test".into(),
        completion: "none".into(),
        opens: Some(opens),
        ..QuizInput::default()
    };
    let q = p
        .lms_quiz_create(&e.teacher, e.course, e.section, quiz)
        .await
        .expect("quiz");
    let questions = schulhof_domain::lms::quiz::demo_questions();
    for d in &questions {
        p.lms_quiz_question_save(&e.teacher, q, None, d)
            .await
            .expect("question");
    }
    p.lms_private_ask(&anna, id, "Frage").await.expect("ask");
    let copy = p.lms_copy_course(&e.teacher, e.course).await.expect("copy");
    let view = p.lms_outline(&e.teacher, copy).await.expect("outline");
    let acts: Vec<_> = view.sections.iter().flat_map(|s| &s.activities).collect();
    let kinds: Vec<&str> = acts.iter().map(|a| a.row.kind.as_str()).collect();
    assert_eq!(kinds, ["assignment", "quiz"]);
    let (na, nq) = (acts[0].row.id, acts[1].row.id);
    assert!(
        acts.iter().all(|a| a.row.due_at.is_none()),
        "dates stay behind"
    );
    let page = p.lms_assignment(&e.teacher, na).await.expect("assignment");
    assert_eq!(page.settings.grading, Grading::PassFail);
    assert_eq!(page.settings.cutoff_at, None);
    assert_eq!(page.files.len(), 1, "the audio instruction (same blob)");
    let ctx = p.lms_activity_for_edit(&e.teacher, na).await.expect("ctx");
    let o = p
        .lms_assignment_overview(&e.teacher, &ctx)
        .await
        .expect("o");
    assert_eq!(o.handed_in, 0, "no hand-ins travel");
    let ed = p.lms_quiz_editor(&e.teacher, nq).await.expect("editor");
    assert_eq!(ed.questions.len(), questions.len());
    assert_eq!(ed.settings.opens_at, None);
    let (_, threads) = p
        .lms_private_threads(&e.teacher, na)
        .await
        .expect("threads");
    assert!(threads.is_empty(), "private questions stay behind");
    // The original is untouched.
    assert_eq!(
        p.lms_quiz_editor(&e.teacher, q)
            .await
            .expect("q")
            .questions
            .len(),
        questions.len()
    );
}

backend_tests!(
    a_copy_takes_assignments_and_quizzes_along,
    new_activities_reach_their_participants_once,
    scheduled_material_is_told_once_when_it_appears,
    feedback_and_announcements_are_told,
    private_questions_stay_between_student_and_teachers,
    due_dates_reach_the_right_calendars,
);
