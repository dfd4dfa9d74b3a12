//! Due dates for calendar programs on SQLite and PostgreSQL: the events CalDAV and the
//! `.ics` file carry are exactly the due list's (hidden assignments only for the teacher,
//! nothing for a stranger or another school), their text and entity tag change when the
//! date does, and the private subscription address works once made, stops when replaced
//! or revoked, and is refused to function accounts.

use crate::calendar_support;
use calendar_support::*;
use chrono::Duration;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::assignments::{AssignmentInput, Grading, SubmissionType};
use schulhof_domain::lms::listing_token;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_types::{CourseId, SectionId};

fn assignment(title: &str, days: i64, hidden: bool) -> AssignmentInput {
    AssignmentInput {
        title: title.into(),
        instructions: "<p>Rechne.</p>".into(),
        transcript: String::new(),
        allow_from: None,
        due_at: Some(utc(2026, 11, 2, 8, 0) + Duration::days(days)),
        cutoff_at: None,
        types: SubmissionType::ALL.to_vec(),
        group_mode: false,
        grading: Grading::Points { max: 10, pass: 5 },
        completion: "submit".into(),
        hidden,
    }
}

/// The school with the course of 5a (made by its teacher with one click) and its first
/// section, where every scenario puts its assignments.
struct Course5a {
    s: School,
    teacher: Actor,
    course: CourseId,
    section: SectionId,
}

async fn course_of_5a(db: Db) -> Course5a {
    let s = school(db).await;
    let teacher = s.user("lehrer").await;
    let g = teacher
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let p = &s.platform;
    let course = p.lms_create_course(&teacher, g).await.expect("course");
    let section = p
        .lms_outline(&teacher, course)
        .await
        .expect("outline")
        .sections[0]
        .row
        .id;
    Course5a {
        s,
        teacher,
        course,
        section,
    }
}

async fn calendar_programs_see_the_due_list(db: Db) {
    let Course5a {
        s,
        teacher,
        course,
        section,
    } = course_of_5a(db).await;
    let p = &s.platform;
    let open = p
        .lms_assignment_create(
            &teacher,
            course,
            section,
            &assignment("Brüche, Teil 1", 2, false),
        )
        .await
        .expect("open");
    p.lms_assignment_create(&teacher, course, section, &assignment("Geheim", 3, true))
        .await
        .expect("hidden");
    let anna = s.user("anna").await;
    let events = p.lms_due_events(&anna).await.expect("anna");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name, format!("lms-{}.ics", open.0));
    assert!(
        events[0]
            .text
            .contains("SUMMARY:Abgabe: Brüche\\, Teil 1\r\n")
    );
    assert!(events[0].text.contains("DTSTART:20261104T080000Z\r\n"));
    let ics = p.lms_due_ics(&anna).await.expect("ics");
    assert!(ics.contains(&format!("UID:lms-{}@schulhof", open.0)));
    assert!(!ics.contains("Geheim"), "hidden material stays hidden");
    let teacher_events = p.lms_due_events(&teacher).await.expect("teacher");
    assert_eq!(teacher_events.len(), 2, "editors see hidden assignments");
    for login in ["carla", "lehrer2"] {
        let who = s.user(login).await;
        assert!(
            p.lms_due_events(&who).await.expect("x").is_empty(),
            "{login}"
        );
    }
    let other = school_on(p.clone(), "654321").await;
    let stranger = other.user("anna").await;
    assert!(p.lms_due_events(&stranger).await.expect("o").is_empty());
    // A changed due date changes the object's tag and the listing's token.
    let token = listing_token(&events);
    p.lms_assignment_update(&teacher, open, &assignment("Brüche, Teil 1", 5, false))
        .await
        .expect("update");
    let later = p.lms_due_events(&anna).await.expect("later");
    assert_ne!(later[0].etag, events[0].etag);
    assert_ne!(listing_token(&later), token);
    // A time range: only what falls into it.
    let none = p
        .lms_due_events_between(&anna, utc(2026, 11, 3, 0, 0), utc(2026, 11, 4, 0, 0))
        .await
        .expect("range");
    assert!(none.is_empty());
}

async fn the_subscription_address_works_until_revoked(db: Db) {
    let Course5a {
        s,
        teacher,
        course,
        section,
    } = course_of_5a(db).await;
    let p = &s.platform;
    p.lms_assignment_create(&teacher, course, section, &assignment("Aufsatz", 2, false))
        .await
        .expect("assignment");
    let anna = s.user("anna").await;
    assert_eq!(p.lms_due_subscription(&anna).await.expect("none"), None);
    let first = p.lms_due_subscribe(&anna).await.expect("subscribe");
    assert!(p.lms_due_subscription(&anna).await.expect("one").is_some());
    let text = p.lms_due_feed(&first).await.expect("feed");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("SUMMARY:Abgabe: Aufsatz"));
    let second = p.lms_due_subscribe(&anna).await.expect("again");
    assert_ne!(first, second);
    assert!(matches!(
        p.lms_due_feed(&first).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.lms_due_feed(&second).await.is_ok());
    p.lms_due_unsubscribe(&anna).await.expect("revoke");
    assert!(matches!(
        p.lms_due_feed(&second).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.lms_due_feed("rubbish").await,
        Err(DomainError::NotFound)
    ));
    let office = s.user("sekretariat").await;
    assert!(
        p.lms_due_subscribe(&office).await.is_err(),
        "function accounts"
    );
}

/// The sync token (and CTag) of "Fälligkeiten" is a digest of the listing: it must change
/// with a new due date, with an extension for this student (only theirs), and when the
/// course goes to the archive.
async fn the_sync_token_follows_dates_extensions_and_the_archive(db: Db) {
    let Course5a {
        s,
        teacher,
        course,
        section,
    } = course_of_5a(db).await;
    let p = &s.platform;
    let id = p
        .lms_assignment_create(&teacher, course, section, &assignment("Aufsatz", 2, false))
        .await
        .expect("assignment");
    let (anna, ben) = (s.user("anna").await, s.user("ben").await);
    let token_of = async |who| listing_token(&p.lms_due_events(who).await.expect("events"));
    let (anna0, ben0) = (token_of(&anna).await, token_of(&ben).await);
    // A new due date: everyone's token changes.
    p.lms_assignment_update(&teacher, id, &assignment("Aufsatz", 4, false))
        .await
        .expect("update");
    let (anna1, ben1) = (token_of(&anna).await, token_of(&ben).await);
    assert_ne!(anna1, anna0);
    assert_ne!(ben1, ben0);
    // An extension for Anna: her event moves to her date, Ben's stays.
    p.lms_assignment_set_extension(
        &teacher,
        id,
        anna.token.user(),
        Some(utc(2026, 11, 20, 8, 0)),
    )
    .await
    .expect("extension");
    let events = p.lms_due_events(&anna).await.expect("anna");
    assert!(events[0].text.contains("DTSTART:20261120T080000Z\r\n"));
    assert_ne!(
        listing_token(&events),
        anna1,
        "the extension changes Anna's token"
    );
    assert_eq!(token_of(&ben).await, ben1, "Ben's calendar is unchanged");
    let ranged = p
        .lms_due_events_between(&anna, utc(2026, 11, 19, 0, 0), utc(2026, 11, 21, 0, 0))
        .await
        .expect("range");
    assert_eq!(ranged.len(), 1, "a time range finds the extended date");
    let anna2 = listing_token(&events);
    // The school-year change archives the course: its dates leave every calendar.
    {
        let mut tx = p.db().begin().await.expect("tx");
        let inst = anna.token.instance();
        let at = schulhof_store::to_us(p.now());
        schulhof_store::lms::courses::set_archived(&mut tx, inst, course, Some(at))
            .await
            .expect("archive");
        tx.commit().await.expect("commit");
    }
    assert!(p.lms_due_events(&anna).await.expect("a").is_empty());
    assert_ne!(token_of(&anna).await, anna2);
    assert_ne!(token_of(&ben).await, ben1);
}

/// The due list (dashboard, `/kurse/faellig`, `/api/v1/me/due`) and the course page give a
/// student with an extension their own date (the list orders by it); the others and the
/// teacher keep the assignment's date.
async fn the_due_list_shows_a_students_extension(db: Db) {
    let Course5a {
        s,
        teacher,
        course,
        section,
    } = course_of_5a(db).await;
    let p = &s.platform;
    let essay = p
        .lms_assignment_create(&teacher, course, section, &assignment("Aufsatz", 2, false))
        .await
        .expect("essay");
    p.lms_assignment_create(&teacher, course, section, &assignment("Referat", 5, false))
        .await
        .expect("talk");
    let (anna, ben) = (s.user("anna").await, s.user("ben").await);
    let later = utc(2026, 11, 20, 8, 0);
    p.lms_assignment_set_extension(&teacher, essay, anna.token.user(), Some(later))
        .await
        .expect("extension");
    let list = async |who| {
        p.lms_due(who)
            .await
            .expect("due")
            .into_iter()
            .map(|d| (d.activity.title, d.due_at, d.extended))
            .collect::<Vec<_>>()
    };
    let original = schulhof_store::to_us(utc(2026, 11, 4, 8, 0));
    let talk = schulhof_store::to_us(utc(2026, 11, 7, 8, 0));
    let later = schulhof_store::to_us(later);
    assert_eq!(
        list(&anna).await,
        [
            ("Referat".to_owned(), talk, false),
            ("Aufsatz".to_owned(), later, true),
        ],
        "Anna: her date, and the list follows it"
    );
    let others = [
        ("Aufsatz".to_owned(), original, false),
        ("Referat".to_owned(), talk, false),
    ];
    assert_eq!(list(&ben).await, others, "Ben keeps the assignment's date");
    assert_eq!(
        list(&teacher).await,
        others,
        "the teacher sees the assignment's date"
    );
    // The course page (and the API's outline) says the same.
    let on_page = async |who| {
        p.lms_outline(who, course).await.expect("outline").sections[0]
            .activities
            .iter()
            .find(|x| x.row.id == essay)
            .map(|x| (x.row.due_at, x.extended))
            .expect("essay")
    };
    assert_eq!(on_page(&anna).await, (Some(later), true));
    assert_eq!(on_page(&ben).await, (Some(original), false));
    assert_eq!(on_page(&teacher).await, (Some(original), false));
    // Withdrawn: Anna is back on the assignment's date.
    p.lms_assignment_set_extension(&teacher, essay, anna.token.user(), None)
        .await
        .expect("withdraw");
    assert_eq!(list(&anna).await, others);
}

backend_tests!(
    the_due_list_shows_a_students_extension,
    calendar_programs_see_the_due_list,
    the_subscription_address_works_until_revoked,
    the_sync_token_follows_dates_extensions_and_the_archive,
);
