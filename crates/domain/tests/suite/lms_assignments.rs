//! Assignments on SQLite and PostgreSQL: the rights of every role (editor, participant, the
//! other participant, non-member, another school, function account), the student's one
//! state through hand-in, grading, release and resubmission, due date, extension and
//! cut-off, recordings checked by their bytes, the ZIP round trip, and the overview's
//! statement count for any class size.

use crate::calendar_support;
use std::io::{Cursor, Read, Write};
use std::sync::Arc;

use calendar_support::*;
use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::SectionInput;
use schulhof_domain::lms::assignments::{
    AssignmentInput, FileOf, GradeInput, Grading, HandIn, SubmissionType, WorkState,
};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;
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
    let course = s
        .platform
        .lms_create_course(&teacher, group)
        .await
        .expect("course");
    let section = s
        .platform
        .lms_add_section(
            &teacher,
            course,
            &SectionInput {
                title: "Woche 1".into(),
                ..SectionInput::default()
            },
        )
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

fn input(title: &str) -> AssignmentInput {
    AssignmentInput {
        title: title.into(),
        instructions: "<p>Erkläre <b>6/8</b>.</p><script>alert(1)</script>".into(),
        transcript: "Erkläre sechs Achtel.".into(),
        allow_from: None,
        due_at: None,
        cutoff_at: None,
        types: SubmissionType::ALL.to_vec(),
        group_mode: false,
        grading: Grading::Points { max: 10, pass: 5 },
        completion: "pass".into(),
        hidden: false,
    }
}

fn text(t: &str) -> HandIn {
    HandIn {
        text: Some(t.into()),
        files: Vec::new(),
    }
}

impl Env {
    async fn create(&self, i: &AssignmentInput) -> ActivityId {
        self.s
            .platform
            .lms_assignment_create(&self.teacher, self.course, self.section, i)
            .await
            .expect("create")
    }

    async fn completed(&self, login: &str, id: ActivityId) -> bool {
        let p = self
            .s
            .platform
            .lms_progress(&self.teacher, self.course)
            .await
            .expect("progress");
        let col = p
            .activities
            .iter()
            .position(|a| a.id == id)
            .expect("column");
        let row = p
            .rows
            .iter()
            .find(|(who, _)| who.login == login)
            .expect("row");
        row.1[col].completed
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, DomainError>) {
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
}

async fn every_role_sees_what_it_may(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let id = e.create(&input("Aufgabe")).await;
    let page = p.lms_assignment(&e.teacher, id).await.expect("teacher");
    assert!(
        !page.ctx.activity.body.contains("script"),
        "instructions are sanitised"
    );
    assert!(page.work.is_none());
    let personal = e.s.user("personal").await;
    p.lms_assignment(&personal, id)
        .await
        .expect("staff of the class edits");
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    let page = p.lms_assignment(&anna, id).await.expect("anna");
    assert_eq!(page.work.expect("own work").state, WorkState::NotHandedIn);
    let work = p
        .lms_assignment_hand_in(
            &anna,
            id,
            HandIn {
                text: Some("Durch 2 teilen".into()),
                files: vec![("antwort.ogg".into(), OGG.to_vec(), true)],
            },
        )
        .await
        .expect("hand in");
    let file = work.files[0].id;
    // The other participant, non-members, another school and a function account.
    not_found(p.lms_assignment_work(&ben, id, anna.token.user()).await);
    not_found(
        p.lms_assignment_file(&ben, FileOf::Submission, file)
            .await
            .map(|_| ()),
    );
    for login in ["carla", "lehrer2"] {
        let who = e.s.user(login).await;
        not_found(p.lms_assignment(&who, id).await.map(|_| ()));
        not_found(
            p.lms_assignment_file(&who, FileOf::Submission, file)
                .await
                .map(|_| ()),
        );
    }
    let sek = e.s.user("sekretariat").await;
    not_found(p.lms_assignment(&sek, id).await.map(|_| ()));
    let other = school_on(p.clone(), "654321").await;
    let stranger = other.user("lehrer").await;
    not_found(p.lms_assignment(&stranger, id).await.map(|_| ()));
    not_found(
        p.lms_assignment_file(&stranger, FileOf::Submission, file)
            .await
            .map(|_| ()),
    );
    not_found(p.lms_assignment_zip(&stranger, id).await);
    // Participants do not edit or grade; editors do not hand in.
    assert!(
        p.lms_assignment_update(&anna, id, &input("x"))
            .await
            .is_err()
    );
    assert!(
        p.lms_assignment_grade(&ben, id, anna.token.user(), &GradeInput::default())
            .await
            .is_err()
    );
    assert!(
        p.lms_assignment_hand_in(&e.teacher, id, text("x"))
            .await
            .is_err()
    );
    // The owner and the editors reach the file; the overview lists the class.
    p.lms_assignment_file(&anna, FileOf::Submission, file)
        .await
        .expect("own file");
    p.lms_assignment_file(&personal, FileOf::Submission, file)
        .await
        .expect("editor");
    let ctx = p.lms_activity_for_edit(&e.teacher, id).await.expect("ctx");
    let o = p
        .lms_assignment_overview(&e.teacher, &ctx)
        .await
        .expect("overview");
    let logins: Vec<&str> = o.lines.iter().map(|l| l.login.as_str()).collect();
    assert!(logins.contains(&"anna") && logins.contains(&"ben") && !logins.contains(&"lehrer"));
    assert_eq!(o.handed_in, 1);
    let anna_ctx = p.lms_activity(&anna, id).await.expect("anna ctx");
    not_found(p.lms_assignment_overview(&anna, &anna_ctx).await);
}

async fn one_state_through_grading_release_and_resubmission(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let id = e.create(&input("Zustände")).await;
    let anna = e.s.user("anna").await;
    let me = anna.token.user();
    let w = p
        .lms_assignment_hand_in(&anna, id, text("erste Fassung"))
        .await
        .expect("hand in");
    assert_eq!((w.state, w.late), (WorkState::HandedIn, false));
    let w = p
        .lms_assignment_hand_in(&anna, id, text("zweite Fassung"))
        .await
        .expect("change");
    assert_eq!(
        (w.state, w.text.as_str()),
        (WorkState::HandedIn, "zweite Fassung")
    );
    let g = GradeInput {
        grade: "8".into(),
        feedback: "Gut erklärt.".into(),
        spoken_transcript: "Sehr schön.".into(),
        release: false,
    };
    assert!(
        p.lms_assignment_grade(
            &e.teacher,
            id,
            me,
            &GradeInput {
                grade: "11".into(),
                ..g.clone()
            }
        )
        .await
        .is_err()
    );
    p.lms_assignment_grade(&e.teacher, id, me, &g)
        .await
        .expect("grade");
    p.lms_assignment_add_feedback(&e.teacher, id, me, "", OGG.to_vec(), true)
        .await
        .expect("spoken");
    let w = p
        .lms_assignment(&anna, id)
        .await
        .expect("page")
        .work
        .expect("work");
    assert_eq!(
        (w.state, w.grade.as_deref(), w.feedback_files.len()),
        (WorkState::HandedIn, None, 0)
    );
    assert!(
        !e.completed("anna", id).await,
        "nothing visible, nothing completed"
    );
    assert_eq!(
        p.lms_assignment_release(&e.teacher, id, Some(me))
            .await
            .expect("release"),
        1
    );
    let w = p
        .lms_assignment(&anna, id)
        .await
        .expect("page")
        .work
        .expect("work");
    assert_eq!(
        (w.state, w.grade.as_deref(), w.passed),
        (WorkState::Returned, Some("8"), Some(true))
    );
    assert_eq!(w.spoken_transcript, "Sehr schön.");
    let spoken = w
        .feedback_files
        .iter()
        .find(|f| f.audio)
        .expect("spoken feedback");
    p.lms_assignment_file(&anna, FileOf::Feedback, spoken.id)
        .await
        .expect("plays");
    let ben = e.s.user("ben").await;
    not_found(
        p.lms_assignment_file(&ben, FileOf::Feedback, spoken.id)
            .await
            .map(|_| ()),
    );
    assert!(e.completed("anna", id).await, "passed and released");
    assert!(!w.may_hand_in);
    assert!(
        p.lms_assignment_hand_in(&anna, id, text("dritte"))
            .await
            .is_err(),
        "returned"
    );
    p.lms_assignment_request_resubmission(&e.teacher, id, me)
        .await
        .expect("resubmission");
    let w = p.lms_assignment_work(&anna, id, me).await.expect("work");
    assert_eq!(
        (w.state, w.resubmission_requested),
        (WorkState::NotHandedIn, true)
    );
    e.clock.advance(Duration::minutes(5));
    let w = p
        .lms_assignment_hand_in(&anna, id, text("dritte"))
        .await
        .expect("again");
    assert_eq!(
        (w.state, w.grade.as_deref()),
        (WorkState::HandedIn, Some("8")),
        "old grade stays visible"
    );
    assert!(!w.resubmission_requested);
    let better = GradeInput {
        grade: "10".into(),
        release: true,
        ..g.clone()
    };
    p.lms_assignment_grade(&e.teacher, id, me, &better)
        .await
        .expect("regrade");
    let w = p.lms_assignment_work(&anna, id, me).await.expect("work");
    assert_eq!(
        (w.state, w.grade.as_deref()),
        (WorkState::Returned, Some("10"))
    );
    // Ben's grade waits for the release of all.
    p.lms_assignment_hand_in(&ben, id, text("b"))
        .await
        .expect("ben");
    p.lms_assignment_grade(
        &e.teacher,
        id,
        ben.token.user(),
        &GradeInput {
            grade: "3".into(),
            ..g
        },
    )
    .await
    .expect("grade ben");
    assert_eq!(
        p.lms_assignment_release(&e.teacher, id, None)
            .await
            .expect("all"),
        1
    );
    assert!(!e.completed("ben", id).await, "3 of 10 does not pass");
}

async fn due_dates_extensions_and_cut_off(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let now = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("t");
    let mut i = input("Fristen");
    i.completion = "submit".into();
    i.allow_from = Some(now + Duration::hours(1));
    i.due_at = Some(now + Duration::days(1));
    i.cutoff_at = Some(now + Duration::days(2));
    let mut bad = i.clone();
    bad.cutoff_at = Some(now);
    assert!(matches!(
        p.lms_assignment_create(&e.teacher, e.course, e.section, &bad)
            .await,
        Err(DomainError::Invalid { .. })
    ));
    let id = e.create(&i).await;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    assert!(
        p.lms_assignment_hand_in(&anna, id, text("zu früh"))
            .await
            .is_err()
    );
    e.clock.advance(Duration::hours(2));
    let w = p
        .lms_assignment_hand_in(&anna, id, text("pünktlich"))
        .await
        .expect("in time");
    assert!(!w.late);
    assert!(e.completed("anna", id).await, "completion on submit");
    p.lms_assignment_set_extension(
        &e.teacher,
        id,
        ben.token.user(),
        Some(now + Duration::days(4)),
    )
    .await
    .expect("extension");
    e.clock.advance(Duration::days(1));
    let w = p
        .lms_assignment_hand_in(&anna, id, text("verspätet"))
        .await
        .expect("late");
    assert!(w.late);
    e.clock.advance(Duration::days(1));
    match p.lms_assignment_hand_in(&anna, id, text("zu spät")).await {
        Err(DomainError::Invalid { field, message }) => {
            assert_eq!(field, "closed");
            assert!(message.contains("Annahmeschluss"), "{message}");
        }
        other => panic!("after the cut-off: {other:?}"),
    }
    let w = p
        .lms_assignment_hand_in(&ben, id, text("mit Verlängerung"))
        .await
        .expect("extension");
    assert!(!w.late, "the extension is his due date");
    let carla = e.s.user("carla").await;
    not_found(
        p.lms_assignment_set_extension(&e.teacher, id, carla.token.user(), None)
            .await,
    );
}

async fn recordings_are_checked_and_counted(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let mut i = input("Nur Audio");
    i.types = vec![SubmissionType::Audio];
    let id = e.create(&i).await;
    let anna = e.s.user("anna").await;
    let fake = HandIn {
        text: None,
        files: vec![("a.webm".into(), b"<html>".to_vec(), true)],
    };
    assert!(matches!(
        p.lms_assignment_hand_in(&anna, id, fake).await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(
        p.lms_assignment_hand_in(&anna, id, text("Text geht nicht"))
            .await
            .is_err()
    );
    let webm = [&[0x1A, 0x45, 0xDF, 0xA3][..], b"opus"].concat();
    let w = p
        .lms_assignment_hand_in(
            &anna,
            id,
            HandIn {
                text: None,
                files: vec![(String::new(), webm, true)],
            },
        )
        .await
        .expect("webm");
    assert_eq!(
        (w.files[0].mime.as_str(), w.files[0].name.as_str()),
        ("audio/webm", "Aufnahme.webm")
    );
    let big = [OGG, &vec![0_u8; 26 * 1024 * 1024]].concat();
    let r = p
        .lms_assignment_hand_in(
            &anna,
            id,
            HandIn {
                text: None,
                files: vec![("x.ogg".into(), big, true)],
            },
        )
        .await;
    assert!(matches!(r, Err(DomainError::Invalid { .. })));
    let mp4 = b"\0\0\0\x18ftypmp42rest".to_vec();
    p.lms_assignment_add_instruction(&e.teacher, id, "anleitung.m4a", mp4, true)
        .await
        .expect("audio instruction");
    let page = p.lms_assignment(&anna, id).await.expect("page");
    let audio = page
        .files
        .iter()
        .find(|f| f.role == "instruction_audio")
        .expect("instruction");
    let c = p
        .lms_assignment_file(&anna, FileOf::Instruction, audio.id)
        .await
        .expect("plays");
    assert_eq!(c.mime, "audio/mp4");
}

async fn zip_of_all_and_feedback_back(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let id = e.create(&input("ZIP")).await;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    for (who, n) in [(&anna, "a.txt"), (&ben, "b.txt")] {
        p.lms_assignment_hand_in(
            who,
            id,
            HandIn {
                text: Some("Text".into()),
                files: vec![(n.into(), b"inhalt".to_vec(), false)],
            },
        )
        .await
        .expect("hand in");
    }
    let bytes = p.lms_assignment_zip(&e.teacher, id).await.expect("zip");
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).expect("e").name().expect("n").into_owned())
        .collect();
    let anna_folder = names
        .iter()
        .find(|n| n.ends_with("(anna)/"))
        .expect("anna's folder")
        .clone();
    assert!(names.contains(&format!("{anna_folder}a.txt")), "{names:?}");
    assert!(names.contains(&format!("{anna_folder}Abgabetext.txt")));
    assert!(!names.iter().any(|n| n.contains("(anna)/b.txt")));
    let mut content = String::new();
    z.by_name(&format!("{anna_folder}a.txt"))
        .expect("a")
        .read_to_string(&mut content)
        .expect("read");
    assert_eq!(content, "inhalt");
    assert!(matches!(
        p.lms_assignment_zip(&anna, id).await,
        Err(DomainError::Forbidden)
    ));

    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    // An empty file is named among those not taken; it stops nothing (it used to end the
    // upload with an error after the files before it were stored).
    w.start_file(format!("{anna_folder}leer.txt"), o)
        .expect("f");
    w.start_file(format!("{anna_folder}korrektur.txt"), o)
        .expect("f");
    w.write_all(b"Korrektur").expect("w");
    w.start_file("Niemand (x)/irgendwas.txt", o).expect("f");
    w.write_all(b"?").expect("w");
    let up = w.finish().expect("zip").into_inner();
    let report = p
        .lms_assignment_feedback_zip(&e.teacher, id, up)
        .await
        .expect("upload");
    assert_eq!(report.matched, 1);
    assert_eq!(
        report.unmatched,
        vec![
            format!("{anna_folder}leer.txt"),
            "Niemand (x)/irgendwas.txt".to_owned()
        ]
    );
    let mine = p
        .lms_assignment_work(&anna, id, anna.token.user())
        .await
        .expect("work");
    assert!(mine.feedback_files.is_empty(), "not released yet");
    p.lms_assignment_release(&e.teacher, id, None)
        .await
        .expect("release");
    let mine = p
        .lms_assignment_work(&anna, id, anna.token.user())
        .await
        .expect("work");
    assert_eq!(mine.feedback_files[0].name, "korrektur.txt");
    assert!(
        p.lms_assignment_work(&ben, id, ben.token.user())
            .await
            .expect("ben")
            .feedback_files
            .is_empty()
    );
}

async fn statements_of_overview(e: &Env, id: ActivityId) -> usize {
    statements::install();
    let ctx =
        e.s.platform
            .lms_activity_for_edit(&e.teacher, id)
            .await
            .expect("ctx");
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let before = statements::so_far();
        e.s.platform
            .lms_assignment_overview(&e.teacher, &ctx)
            .await
            .expect("overview");
        fewest = fewest.min(statements::so_far() - before);
    }
    fewest
}

async fn the_overview_costs_two_statements_for_any_class(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let id = e.create(&input("Viele")).await;
    let anna = e.s.user("anna").await;
    p.lms_assignment_hand_in(&anna, id, text("a"))
        .await
        .expect("hand in");
    let small = statements_of_overview(&e, id).await;
    // Participants with their grades, then the submissions.
    assert_eq!(small, 2, "{small} statements");
    let admin = e.s.admin().await;
    for i in 0..100 {
        let login = format!("kind{i}");
        let user = NewUser {
            first_name: format!("Kind{i}"),
            last_name: "Test".into(),
            account_type: Some("schueler".into()),
            function_role: None,
            login: Some(login.clone()),
            password: Some(PW.into()),
            external_mail: None,
            holder: None,
            groups: vec!["5a".into()],
        };
        p.create_user(&admin, user).await.expect("student");
        if i % 10 == 0 {
            let kid = e.s.user(&login).await;
            p.lms_assignment_hand_in(&kid, id, text("x"))
                .await
                .expect("hand in");
            p.lms_assignment_grade(
                &e.teacher,
                id,
                kid.token.user(),
                &GradeInput {
                    grade: "5".into(),
                    ..GradeInput::default()
                },
            )
            .await
            .expect("grade");
        }
    }
    let ctx = p.lms_activity_for_edit(&e.teacher, id).await.expect("ctx");
    let o = p
        .lms_assignment_overview(&e.teacher, &ctx)
        .await
        .expect("overview");
    assert_eq!(
        (o.lines.len() >= 102, o.handed_in, o.unreleased),
        (true, 11, 10)
    );
    let large = statements_of_overview(&e, id).await;
    assert_eq!(small, large, "the same statements for 3 or 100 students");
}

async fn group_work_is_one_submission_per_group(db: Db) {
    let e = env(db).await;
    let p = &e.s.platform;
    let mut i = input("Gruppe");
    i.group_mode = true;
    let id = e.create(&i).await;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    p.lms_assignment_hand_in(&anna, id, text("für die ganze 5a"))
        .await
        .expect("anna");
    let w = p
        .lms_assignment_work(&ben, id, ben.token.user())
        .await
        .expect("ben");
    assert_eq!(
        (w.state, w.text.as_str()),
        (WorkState::HandedIn, "für die ganze 5a")
    );
    let ctx = p.lms_activity_for_edit(&e.teacher, id).await.expect("ctx");
    let o = p
        .lms_assignment_overview(&e.teacher, &ctx)
        .await
        .expect("overview");
    assert!(
        o.lines
            .iter()
            .filter(|l| l.login == "anna" || l.login == "ben")
            .all(|l| l.state == WorkState::HandedIn)
    );
}

backend_tests!(
    every_role_sees_what_it_may,
    one_state_through_grading_release_and_resubmission,
    due_dates_extensions_and_cut_off,
    recordings_are_checked_and_counted,
    zip_of_all_and_feedback_back,
    the_overview_costs_two_statements_for_any_class,
    group_work_is_one_submission_per_group,
);
