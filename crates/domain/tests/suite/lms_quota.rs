//! Course work and storage quotas on SQLite and PostgreSQL: a student's hand-in (files and
//! recordings) counts against the student's quota, a teacher's feedback files, spoken
//! feedback and instruction files against the teacher's, everything against the school's;
//! over a quota the upload is refused with a clear message and nothing of it is stored —
//! not the text handed in with it, not a replaced recording, not part of a feedback ZIP.

use crate::calendar_support;
use std::io::{Cursor, Write};
use std::sync::Arc;

use calendar_support::*;
use chrono::{TimeZone, Utc};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::SectionInput;
use schulhof_domain::lms::assignments::{
    AssignmentInput, FileOf, Grading, HandIn, SubmissionType, WorkState,
};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::ActivityId;

/// The start of an Ogg recording: what the browser's recorder writes.
const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0";

/// A recording of `len` bytes whose content differs by `fill`.
fn recording(len: usize, fill: u8) -> Vec<u8> {
    let mut v = OGG.to_vec();
    v.resize(len, fill);
    v
}

struct Env {
    s: School,
    teacher: Actor,
    id: ActivityId,
}

async fn env(db: Db, quotas: FileQuotas) -> Env {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        file_quotas: quotas,
        ..Config::default()
    };
    let s = school_on(Platform::new(db, clock, config), "123456").await;
    let teacher = s.user("lehrer").await;
    let group = teacher
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let p = &s.platform;
    let course = p.lms_create_course(&teacher, group).await.expect("course");
    let section = p
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
    let input = AssignmentInput {
        title: "Bruchrechnung".into(),
        instructions: "<p>Erkläre 6/8.</p>".into(),
        transcript: String::new(),
        allow_from: None,
        due_at: None,
        cutoff_at: None,
        types: SubmissionType::ALL.to_vec(),
        group_mode: false,
        grading: Grading::Points { max: 10, pass: 5 },
        completion: "submit".into(),
        hidden: false,
    };
    let id = p
        .lms_assignment_create(&teacher, course, section, &input)
        .await
        .expect("assignment");
    Env { s, teacher, id }
}

/// The message of a refusal for a full quota.
fn quota_message<T: std::fmt::Debug>(r: Result<T, DomainError>) -> String {
    match r {
        Err(DomainError::QuotaExceeded(m)) => m,
        other => panic!("expected a full quota: {other:?}"),
    }
}

/// The student's own quota: "das Kontingent"; the school's: "der Schule".
const OWN_FULL: &str = "Kontingent ist erschöpft";
const SCHOOL_FULL: &str = "Speicherplatz der Schule";

async fn a_hand_in_counts_against_the_students_quota(db: Db) {
    let quotas = FileQuotas {
        schueler: 1000,
        ..FileQuotas::default()
    };
    let e = env(db, quotas).await;
    let p = &e.s.platform;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    let first = HandIn {
        text: Some("erste Fassung".into()),
        files: vec![("rechnung.txt".into(), vec![1_u8; 600], false)],
    };
    let w = p
        .lms_assignment_hand_in(&anna, e.id, first)
        .await
        .expect("fits");
    let kept = w.files[0].id;
    assert_eq!(
        p.file_usage(&anna).await.expect("usage").used,
        600,
        "the hand-in is the student's"
    );
    assert_eq!(p.file_usage(&e.teacher).await.expect("usage").used, 0);

    // A recording that no longer fits: refused with the text handed in alongside.
    let over = HandIn {
        text: Some("zweite Fassung".into()),
        files: vec![(String::new(), recording(600, 2), true)],
    };
    let m = quota_message(p.lms_assignment_hand_in(&anna, e.id, over).await);
    assert!(m.contains(OWN_FULL), "{m}");
    let w = p
        .lms_assignment_work(&anna, e.id, anna.token.user())
        .await
        .expect("work");
    assert_eq!(
        (w.state, w.text.as_str(), w.files.len()),
        (WorkState::HandedIn, "erste Fassung", 1)
    );
    assert_eq!(p.file_usage(&anna).await.expect("usage").used, 600);

    // A first hand-in over the quota leaves no submission at all.
    let too_big = HandIn {
        text: Some("nur ein Versuch".into()),
        files: vec![("foto.jpg".into(), vec![3_u8; 1200], false)],
    };
    let m = quota_message(p.lms_assignment_hand_in(&ben, e.id, too_big).await);
    assert!(m.contains(OWN_FULL), "{m}");
    let w = p
        .lms_assignment_work(&ben, e.id, ben.token.user())
        .await
        .expect("work");
    assert_eq!(
        (w.state, w.text.as_str(), w.files.len(), w.submitted_at),
        (WorkState::NotHandedIn, "", 0, None)
    );
    let ctx = p
        .lms_activity_for_edit(&e.teacher, e.id)
        .await
        .expect("ctx");
    let o = p
        .lms_assignment_overview(&e.teacher, &ctx)
        .await
        .expect("overview");
    assert_eq!(o.handed_in, 1);

    // The refused contents belong to nothing and go; the kept file stays.
    let deleted = p
        .system_collect_blobs(std::time::Duration::ZERO)
        .await
        .expect("collect");
    assert!(deleted >= 2, "{deleted} contents collected");
    let c = p
        .lms_assignment_file(&anna, FileOf::Submission, kept)
        .await
        .expect("the handed-in file is still there");
    assert_eq!(c.reader.size(), 600);
}

async fn teachers_uploads_count_against_the_teachers_quota(db: Db) {
    let quotas = FileQuotas {
        lehrer: 1000,
        ..FileQuotas::default()
    };
    let e = env(db, quotas).await;
    let p = &e.s.platform;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    let (me, ben_id) = (anna.token.user(), ben.token.user());
    for who in [&anna, &ben] {
        p.lms_assignment_hand_in(
            who,
            e.id,
            HandIn {
                text: Some("Text".into()),
                files: Vec::new(),
            },
        )
        .await
        .expect("hand in");
    }
    let t = &e.teacher;
    p.lms_assignment_add_feedback(t, e.id, me, "", recording(800, 1), true)
        .await
        .expect("spoken feedback fits");
    // Too big for the teacher: a feedback file, a new spoken feedback (the old one stays)
    // and feedback for a student without a grade (no empty grade is left behind).
    let m = quota_message(
        p.lms_assignment_add_feedback(t, e.id, me, "korrektur.pdf", vec![4_u8; 1200], false)
            .await,
    );
    assert!(m.contains(OWN_FULL), "{m}");
    let m = quota_message(
        p.lms_assignment_add_feedback(t, e.id, me, "", recording(1200, 5), true)
            .await,
    );
    assert!(m.contains(OWN_FULL), "{m}");
    quota_message(
        p.lms_assignment_add_feedback(t, e.id, ben_id, "b.pdf", vec![6_u8; 1200], false)
            .await,
    );
    let ben_work = p.lms_assignment_work(t, e.id, ben_id).await.expect("ben");
    assert!(ben_work.feedback_files.is_empty());
    // Only Anna's feedback is there to release.
    assert_eq!(
        p.lms_assignment_release(t, e.id, None)
            .await
            .expect("release"),
        1
    );
    let w = p.lms_assignment_work(&anna, e.id, me).await.expect("work");
    let sizes: Vec<(i64, bool)> = w.feedback_files.iter().map(|f| (f.size, f.audio)).collect();
    assert_eq!(sizes, [(800, true)], "the first recording stays");
    let f = &w.feedback_files[0];
    let c = p
        .lms_assignment_file(&anna, FileOf::Feedback, f.id)
        .await
        .expect("the student plays it");
    assert_eq!(c.reader.size(), 800);
    assert_eq!(
        p.file_usage(&anna).await.expect("usage").used,
        0,
        "feedback is not charged to the student"
    );

    // Instruction files: an audio instruction that fits, a replacement and a file that do
    // not; the first audio instruction stays.
    p.lms_assignment_add_instruction(t, e.id, "anleitung.ogg", recording(700, 7), true)
        .await
        .expect("audio instruction fits");
    let m = quota_message(
        p.lms_assignment_add_instruction(t, e.id, "neu.ogg", recording(1100, 8), true)
            .await,
    );
    assert!(m.contains(OWN_FULL), "{m}");
    let m = quota_message(
        p.lms_assignment_add_instruction(t, e.id, "blatt.pdf", vec![9_u8; 1100], false)
            .await,
    );
    assert!(m.contains(OWN_FULL), "{m}");
    let page = p.lms_assignment(&anna, e.id).await.expect("page");
    let files: Vec<(&str, i64)> = page
        .files
        .iter()
        .map(|f| (f.role.as_str(), f.size))
        .collect();
    assert_eq!(files, [("instruction_audio", 700)]);
}

/// A ZIP of `entries` (path, content).
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(name.as_str(), o).expect("file");
        w.write_all(data).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

async fn a_full_school_refuses_course_work_and_whole_feedback_zips(db: Db) {
    let quotas = FileQuotas {
        school_per_staff: 1000,
        ..FileQuotas::default()
    };
    let e = env(db, quotas).await;
    let p = &e.s.platform;
    let t = &e.teacher;
    let (anna, ben) = (e.s.user("anna").await, e.s.user("ben").await);
    for who in [&anna, &ben] {
        p.lms_assignment_hand_in(
            who,
            e.id,
            HandIn {
                text: Some("Text".into()),
                files: Vec::new(),
            },
        )
        .await
        .expect("hand in");
    }
    let u = p.file_usage(t).await.expect("usage");
    let room = (u.school_quota - u.school_used) as usize;
    assert!(room >= 1000, "{u:?}");

    // Feedback for the two from a ZIP: each file fits, both together do not. Refused as a
    // whole: nobody has half of the feedback.
    let download = p.lms_assignment_zip(t, e.id).await.expect("zip");
    let mut z = zip::ZipArchive::new(Cursor::new(download)).expect("a zip");
    let folders: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).expect("e").name().expect("n").into_owned())
        .filter(|n| n.ends_with("(anna)/") || n.ends_with("(ben)/"))
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    let part = room * 2 / 3;
    let entries: Vec<(String, Vec<u8>)> = folders
        .iter()
        .map(|f| (format!("{f}korrektur.txt"), vec![b'k'; part]))
        .collect();
    let m = quota_message(
        p.lms_assignment_feedback_zip(t, e.id, zip_of(&entries))
            .await,
    );
    assert!(m.contains(SCHOOL_FULL), "{m}");
    for who in [&anna, &ben] {
        let w = p
            .lms_assignment_work(t, e.id, who.token.user())
            .await
            .expect("work");
        assert!(w.feedback_files.is_empty(), "{:?}", w.feedback_files);
    }
    assert_eq!(
        p.file_usage(t).await.expect("usage").school_used,
        u.school_used
    );
    // One of them fits.
    let report = p
        .lms_assignment_feedback_zip(t, e.id, zip_of(&entries[..1]))
        .await
        .expect("fits");
    assert_eq!(report.matched, 1);
    let used = p.file_usage(t).await.expect("usage").school_used;
    assert_eq!(used, u.school_used + part as u64, "counted for the school");

    // What is left is too little for a hand-in, a recording or an instruction file.
    let left = room - part;
    let m = quota_message(
        p.lms_assignment_hand_in(
            &anna,
            e.id,
            HandIn {
                text: None,
                files: vec![("foto.jpg".into(), vec![1_u8; left + 1], false)],
            },
        )
        .await,
    );
    assert!(m.contains(SCHOOL_FULL), "{m}");
    let m = quota_message(
        p.lms_assignment_add_feedback(t, e.id, ben.token.user(), "", recording(left + 1, 2), true)
            .await,
    );
    assert!(m.contains(SCHOOL_FULL), "{m}");
    let m = quota_message(
        p.lms_assignment_add_instruction(t, e.id, "blatt.pdf", vec![3_u8; left + 1], false)
            .await,
    );
    assert!(m.contains(SCHOOL_FULL), "{m}");
    assert_eq!(p.file_usage(t).await.expect("usage").school_used, used);
    let w = p
        .lms_assignment_work(&anna, e.id, anna.token.user())
        .await
        .expect("work");
    assert!(w.files.is_empty());
}

backend_tests!(
    a_hand_in_counts_against_the_students_quota,
    teachers_uploads_count_against_the_teachers_quota,
    a_full_school_refuses_course_work_and_whole_feedback_zips,
);
