//! Courses without a click on SQLite and PostgreSQL: only the school's admin sets it; on,
//! every class (then every course group too) has exactly one open course at once, with the
//! group's teachers editing and its students taking part; a class made later gets its
//! course, so does one the new school year's import brings (in the new year); running it
//! again makes none twice; another school is untouched.

use crate::calendar_support;
use crate::support;
use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::lms::AutoCourses;
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_store::lms::courses;
use schulhof_types::{CourseId, GroupId};

fn group(a: &Actor, name: &str) -> GroupId {
    a.groups
        .iter()
        .find(|g| g.name == name)
        .map(|g| g.id)
        .expect("group")
}

/// The open course of a group, if any.
async fn course_of(db: &Db, s: &School, g: GroupId) -> Option<CourseId> {
    let admin = s.admin().await;
    let mut c = db.read().await.expect("read");
    courses::for_group(&mut c, admin.token.instance(), g)
        .await
        .expect("course of group")
}

/// The role of `a` in the open course named `name`, if they see it.
async fn role_in(p: &Platform, a: &Actor, name: &str) -> Option<String> {
    p.lms_courses(a)
        .await
        .expect("courses")
        .into_iter()
        .find(|c| c.name == name && c.archived_at.is_none())
        .and_then(|c| c.role)
}

async fn only_the_admin_sets_it(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    for who in ["lehrer", "anna", "schulleitung"] {
        let a = s.user(who).await;
        assert!(
            matches!(p.lms_auto_courses(&a).await, Err(DomainError::Forbidden)),
            "{who} reads it"
        );
        assert!(
            matches!(
                p.lms_set_auto_courses(&a, "klassen").await,
                Err(DomainError::Forbidden)
            ),
            "{who} sets it"
        );
    }
    assert_eq!(
        p.lms_auto_courses(&admin).await.expect("read"),
        AutoCourses::Off
    );
    // A word outside the choices changes nothing.
    assert!(matches!(
        p.lms_set_auto_courses(&admin, "alle").await,
        Err(DomainError::Invalid { .. })
    ));
    assert_eq!(
        p.lms_auto_courses(&admin).await.expect("read"),
        AutoCourses::Off
    );
    assert_eq!(
        p.lms_creatable_groups(&admin).await.expect("groups").len(),
        3
    );
}

async fn every_class_gets_exactly_one_course(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let lehrer = s.user("lehrer").await;
    let lehrer2 = s.user("lehrer2").await;
    let (g5a, g5b, mathe) = (
        group(&lehrer, "5a"),
        group(&lehrer2, "5b"),
        group(&lehrer, "Mathe-Kurs"),
    );
    // 5a has its course by click already: the setting leaves it alone.
    let clicked = p.lms_create_course(&lehrer, g5a).await.expect("click");
    assert_eq!(
        p.lms_set_auto_courses(&admin, "klassen")
            .await
            .expect("set"),
        1
    );
    assert_eq!(course_of(&db, &s, g5a).await, Some(clicked));
    let c5b = course_of(&db, &s, g5b).await.expect("5b has its course");
    assert_eq!(course_of(&db, &s, mathe).await, None, "course groups wait");
    // The group's teacher edits, its student takes part, others do not see it.
    assert_eq!(role_in(p, &lehrer2, "5b").await.as_deref(), Some("editor"));
    let carla = s.user("carla").await;
    assert_eq!(
        role_in(p, &carla, "5b").await.as_deref(),
        Some("participant")
    );
    assert_eq!(role_in(p, &s.user("anna").await, "5b").await, None);
    let outline = p.lms_outline(&lehrer2, c5b).await.expect("outline");
    assert_eq!(outline.sections.len(), 1);
    assert_eq!(outline.sections[0].row.title, "Allgemeines");
    // Again: nothing made twice.
    assert_eq!(
        p.lms_set_auto_courses(&admin, "klassen")
            .await
            .expect("again"),
        0
    );
    assert_eq!(course_of(&db, &s, g5b).await, Some(c5b));
    // A class made later gets its course in the same step; a working group does not.
    let g6a = p
        .create_group(&admin, "6a", "klasse", "")
        .await
        .expect("6a");
    assert!(course_of(&db, &s, g6a).await.is_some());
    let ag = p
        .create_group(&admin, "Chor", "arbeitsgruppe", "")
        .await
        .expect("ag");
    assert_eq!(course_of(&db, &s, ag).await, None);
    // Classes and course groups: the course group's course now, and one that becomes a
    // course group.
    assert_eq!(
        p.lms_set_auto_courses(&admin, "klassen_kurse")
            .await
            .expect("set"),
        1
    );
    assert!(course_of(&db, &s, mathe).await.is_some());
    p.update_group(&admin, ag, "Chor", "kurs", "")
        .await
        .expect("becomes a course group");
    assert!(course_of(&db, &s, ag).await.is_some());
    assert!(
        p.lms_creatable_groups(&admin)
            .await
            .expect("groups")
            .is_empty()
    );
    // Off: nothing new, nothing taken away.
    p.lms_set_auto_courses(&admin, "aus").await.expect("off");
    let g6b = p
        .create_group(&admin, "6b", "klasse", "")
        .await
        .expect("6b");
    assert_eq!(course_of(&db, &s, g6b).await, None);
    assert_eq!(course_of(&db, &s, g5b).await, Some(c5b));
}

async fn the_new_years_import_brings_classes_with_courses(db: Db) {
    let e = support::env(db.clone()).await;
    let p = &e.platform;
    let admin = e.admin().await;
    p.lms_set_auto_courses(&admin, "klassen")
        .await
        .expect("set");
    // The school-year change with the new year's file (class 5a and its pupils).
    let (change, _) = p
        .system_school_year(&e.school, "2026/27", "2027/28", Some(svws(&e)), false)
        .await
        .expect("year change");
    assert!(change.applied);
    let g5a = p
        .list_groups(&admin, "5a")
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.name == "5a")
        .expect("imported 5a")
        .id;
    let course = {
        let mut c = db.read().await.expect("read");
        courses::for_group(&mut c, admin.token.instance(), g5a)
            .await
            .expect("course of 5a")
            .expect("5a has its course")
    };
    let year = {
        let mut c = db.read().await.expect("read");
        let who = courses::Member {
            user: admin.token.user(),
            edits_by_group: false,
        };
        courses::get(&mut c, admin.token.instance(), course, who)
            .await
            .expect("row")
            .expect("course")
            .school_year
    };
    assert_eq!(year, "2027/28");
    // The same file again: nothing new.
    p.system_import(&e.school, svws(&e), &ImportProgress::new())
        .await
        .expect("import again");
    let again = {
        let mut c = db.read().await.expect("read");
        courses::for_group(&mut c, admin.token.instance(), g5a)
            .await
            .expect("course of 5a")
    };
    assert_eq!(again, Some(course));
    assert!(
        p.lms_creatable_groups(&admin)
            .await
            .expect("groups")
            .is_empty()
    );
}

/// The SVWS file of the import tests (class 5a, a teacher, four pupils), its flag
/// conflict accepted.
fn svws(e: &support::Env) -> SystemImport {
    SystemImport {
        upload: UploadInput {
            format: Format::Svws,
            file_name: "svws.json".into(),
            path: e.file("svws.json", SVWS),
            zip_password: None,
            with_students: true,
            account_type: None,
            columns: Columns::default(),
        },
        dry_run: false,
        accept_fixes: true,
    }
}

const SVWS: &str = include_str!("../../../import/tests/fixtures/svws_consent.json");

async fn other_schools_are_untouched(db: Db) {
    let platform = platform(db.clone());
    let one = school_on(platform.clone(), "123456").await;
    let two = school_on(platform, "654321").await;
    let admin = one.admin().await;
    let admin2 = two.admin().await;
    one.platform
        .lms_set_auto_courses(&admin, "klassen_kurse")
        .await
        .expect("set");
    assert!(
        one.platform
            .lms_creatable_groups(&admin)
            .await
            .expect("one")
            .is_empty()
    );
    assert_eq!(
        two.platform
            .lms_creatable_groups(&admin2)
            .await
            .expect("two")
            .len(),
        3
    );
    assert_eq!(
        two.platform.lms_auto_courses(&admin2).await.expect("two"),
        AutoCourses::Off
    );
    // A class made in the other school gets no course from this school's setting.
    let g = two
        .platform
        .create_group(&admin2, "7c", "klasse", "")
        .await
        .expect("7c");
    assert_eq!(course_of(&db, &two, g).await, None);
}

backend_tests!(
    only_the_admin_sets_it,
    every_class_gets_exactly_one_course,
    the_new_years_import_brings_classes_with_courses,
    other_schools_are_untouched,
);
