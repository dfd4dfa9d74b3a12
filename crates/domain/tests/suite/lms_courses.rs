//! Courses and material on SQLite and PostgreSQL: members come from the linked groups and
//! co-teachers, one click creates a group's course (once), participants never see hidden,
//! scheduled or restricted material nor other schools' courses, completion and progress
//! (never of teachers), the school-year change archives courses, the archive is read-only
//! and its copy takes material only, and a file picked from the own files is the same
//! content.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::{MaterialInput, Move, SectionInput};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_types::{CourseId, GroupId, SectionId};

fn group(a: &Actor, name: &str) -> GroupId {
    a.groups
        .iter()
        .find(|g| g.name == name)
        .map(|g| g.id)
        .expect("group")
}

fn page(title: &str) -> MaterialInput {
    MaterialInput {
        kind: "page".into(),
        title: title.into(),
        body: format!("<p>{title}</p><script>x()</script>"),
        completion: "view".into(),
        ..MaterialInput::default()
    }
}

async fn titles(p: &Platform, a: &Actor, id: CourseId) -> Vec<String> {
    p.lms_outline(a, id)
        .await
        .expect("outline")
        .sections
        .into_iter()
        .flat_map(|s| s.activities.into_iter().map(|x| x.row.title))
        .collect()
}

async fn first_section(p: &Platform, a: &Actor, id: CourseId) -> SectionId {
    p.lms_outline(a, id).await.expect("outline").sections[0]
        .row
        .id
}

async fn members_come_from_groups_and_co_teachers(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let lehrer2 = s.user("lehrer2").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let g5a = group(&lehrer, "5a");
    let offered = p.lms_creatable_groups(&lehrer).await.expect("groups");
    assert_eq!(offered.len(), 2, "5a and Mathe-Kurs: {offered:?}");
    assert!(
        p.lms_creatable_groups(&anna)
            .await
            .expect("none")
            .is_empty()
    );
    // Only a member of the group creates its course with one click; students never.
    assert!(p.lms_create_course(&lehrer2, g5a).await.is_err());
    assert!(p.lms_create_course(&anna, g5a).await.is_err());
    let id = p.lms_create_course(&lehrer, g5a).await.expect("create");
    assert!(matches!(
        p.lms_create_course(&lehrer, g5a).await,
        Err(DomainError::Conflict { .. })
    ));
    assert_eq!(p.lms_creatable_groups(&lehrer).await.expect("g").len(), 1);
    // Members by group: the teacher and the staff edit, students and externals take part.
    assert!(p.lms_course(&lehrer, id).await.expect("t").is_editor());
    assert!(
        p.lms_course(&s.user("personal").await, id)
            .await
            .expect("p")
            .is_editor()
    );
    assert!(!p.lms_course(&anna, id).await.expect("a").is_editor());
    assert!(
        !p.lms_course(&s.user("extern").await, id)
            .await
            .expect("e")
            .is_editor()
    );
    assert!(matches!(
        p.lms_course(&carla, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.lms_course(&lehrer2, id).await,
        Err(DomainError::NotFound)
    ));
    assert_eq!(p.lms_courses(&anna).await.expect("list").len(), 1);
    assert!(p.lms_courses(&carla).await.expect("list").is_empty());
    // A co-teacher by login edits; removed, the course is gone for them.
    assert!(
        p.lms_add_co_teacher(&lehrer, id, "anna").await.is_err(),
        "students are no co-teachers"
    );
    p.lms_add_co_teacher(&lehrer, id, "lehrer2")
        .await
        .expect("co");
    assert!(p.lms_course_for_edit(&lehrer2, id).await.is_ok());
    assert!(p.lms_add_co_teacher(&anna, id, "lehrer2").await.is_err());
    p.lms_remove_person(&lehrer, id, lehrer2.token.user())
        .await
        .expect("remove");
    assert!(matches!(
        p.lms_course(&lehrer2, id).await,
        Err(DomainError::NotFound)
    ));
    // A further group of the teacher brings its students in.
    p.lms_link_group(&lehrer, id, group(&lehrer, "Mathe-Kurs"))
        .await
        .expect("link");
    assert!(p.lms_course(&carla, id).await.is_ok());
    let people = p.lms_course_members(&lehrer, id).await.expect("members");
    assert_eq!(people.groups.len(), 2);
    // The admin creates for any group, but never sees content.
    let admin = s.admin().await;
    let g5b = group(&lehrer2, "5b");
    assert!(
        p.lms_creatable_groups(&admin)
            .await
            .expect("all")
            .iter()
            .any(|(g, _)| *g == g5b)
    );
    let other = p
        .lms_create_course(&admin, g5b)
        .await
        .expect("admin creates");
    assert!(matches!(
        p.lms_course(&admin, other).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.lms_course_for_edit(&lehrer2, other).await.is_ok());
    assert!(p.lms_update_course(&lehrer, id, "  ", "").await.is_err());
    p.lms_update_course(&lehrer, id, "Mathe 5a", "Brüche")
        .await
        .expect("rename");
    assert_eq!(
        p.lms_course(&anna, id).await.expect("c").row.name,
        "Mathe 5a"
    );
}

async fn participants_see_only_released_material(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let ben = s.user("ben").await;
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    let first = first_section(p, &lehrer, id).await;
    let open = p
        .lms_add_material(&lehrer, first, &page("Offen"))
        .await
        .expect("m");
    let hidden = MaterialInput {
        hidden: true,
        ..page("Versteckt")
    };
    let hidden = p
        .lms_add_material(&lehrer, first, &hidden)
        .await
        .expect("m");
    let later = MaterialInput {
        visible_from: Some(i64::MAX / 2),
        ..page("Später")
    };
    p.lms_add_material(&lehrer, first, &later).await.expect("m");
    let only_ben = MaterialInput {
        only_for: vec![ben.token.user()],
        ..page("Nur Ben")
    };
    let only_ben = p
        .lms_add_material(&lehrer, first, &only_ben)
        .await
        .expect("m");
    let secret = SectionInput {
        title: "Geheim".into(),
        hidden: true,
        ..SectionInput::default()
    };
    let secret = p
        .lms_add_section(&lehrer, id, &secret)
        .await
        .expect("section");
    let inside = p
        .lms_add_material(&lehrer, secret, &page("Drinnen"))
        .await
        .expect("m");
    assert_eq!(
        titles(p, &lehrer, id).await,
        ["Offen", "Versteckt", "Später", "Nur Ben", "Drinnen"]
    );
    assert_eq!(titles(p, &anna, id).await, ["Offen"]);
    assert_eq!(titles(p, &ben, id).await, ["Offen", "Nur Ben"]);
    assert_eq!(p.lms_outline(&anna, id).await.expect("o").sections.len(), 1);
    for x in [hidden, only_ben, inside] {
        assert!(matches!(
            p.lms_open_material(&anna, x).await,
            Err(DomainError::NotFound)
        ));
    }
    // The page's HTML is sanitised; opening completes "view" material for the student.
    let seen = p.lms_open_material(&anna, open).await.expect("open");
    assert!(!seen.ctx.activity.body.contains("script"));
    assert!(seen.completed);
    // Students change nothing.
    assert!(p.lms_add_material(&anna, first, &page("X")).await.is_err());
    assert!(p.lms_delete_activity(&anna, open).await.is_err());
    // Another school's people do not learn that the course exists.
    let other = school_on(s.platform.clone(), "654321").await;
    let stranger = other.user("lehrer").await;
    assert!(matches!(
        p.lms_course(&stranger, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.lms_open_material(&stranger, open).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        p.lms_move_activity(&stranger, open, Move::Down)
            .await
            .is_err()
    );
    // Editors reorder.
    p.lms_move_activity(&lehrer, open, Move::Down)
        .await
        .expect("move");
    assert_eq!(titles(p, &lehrer, id).await[..2], ["Versteckt", "Offen"]);
    p.lms_move_section(&lehrer, secret, Move::Up)
        .await
        .expect("move");
    assert_eq!(titles(p, &lehrer, id).await[0], "Drinnen");
}

async fn completion_progress_and_due(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    let first = first_section(p, &lehrer, id).await;
    let tick = MaterialInput {
        completion: "manual".into(),
        ..page("Abhaken")
    };
    let tick = p.lms_add_material(&lehrer, first, &tick).await.expect("m");
    p.lms_add_material(&lehrer, first, &page("Lesen"))
        .await
        .expect("m");
    assert!(
        p.lms_mark_done(&lehrer, tick, true).await.is_err(),
        "teachers are not tracked"
    );
    p.lms_mark_done(&anna, tick, true).await.expect("done");
    p.lms_open_material(&lehrer, tick)
        .await
        .expect("teacher opens");
    let prog = p.lms_progress(&lehrer, id).await.expect("progress");
    assert_eq!(prog.activities.len(), 2);
    let logins: Vec<_> = prog.rows.iter().map(|(u, _)| u.login.as_str()).collect();
    assert!(logins.contains(&"anna") && logins.contains(&"ben"));
    assert!(!logins.contains(&"lehrer") && !logins.contains(&"personal"));
    let anna_row = &prog
        .rows
        .iter()
        .find(|(u, _)| u.login == "anna")
        .expect("anna")
        .1;
    assert!(anna_row[0].completed && !anna_row[1].completed);
    assert!(p.lms_progress(&anna, id).await.is_err());
    p.lms_mark_done(&anna, tick, false).await.expect("undo");
    assert!(
        !p.lms_progress(&lehrer, id)
            .await
            .expect("p")
            .rows
            .iter()
            .any(|(u, c)| u.login == "anna" && c[0].completed)
    );
    // Nothing is due yet: material has no due date.
    assert!(p.lms_due(&anna).await.expect("due").is_empty());
}

async fn the_archive_is_read_only_and_copies_material(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    let first = first_section(p, &lehrer, id).await;
    let file = MaterialInput {
        kind: "file".into(),
        ..page("Blatt")
    };
    let file = p.lms_add_material(&lehrer, first, &file).await.expect("m");
    p.lms_add_file(&lehrer, file, "blatt.txt", b"Aufgabe 1")
        .await
        .expect("file");
    let tick = MaterialInput {
        completion: "manual".into(),
        ..page("Abhaken")
    };
    let tick = p.lms_add_material(&lehrer, first, &tick).await.expect("m");
    p.lms_mark_done(&anna, tick, true).await.expect("done");
    let media = MaterialInput {
        kind: "media".into(),
        ..page("Aufnahme")
    };
    let media = p.lms_add_material(&lehrer, first, &media).await.expect("m");
    assert!(
        p.lms_add_file(&lehrer, media, "x.webm", b"not a video")
            .await
            .is_err()
    );
    p.lms_add_file(&lehrer, media, "x.webm", &[0x1a, 0x45, 0xdf, 0xa3, 1, 2])
        .await
        .expect("webm");
    // The school-year change (without a new year's file) archives the year's courses.
    let from = p
        .current_school_year(lehrer.token.instance())
        .await
        .expect("year");
    let y: i32 = from[..4].parse().expect("year number");
    let to = format!("{}/{:02}", y + 1, (y + 2) % 100);
    let (change, _) = p
        .system_school_year(s.number, &from, &to, None, false)
        .await
        .expect("year change");
    assert!(change.applied);
    // Still readable, nothing changes any more.
    assert_eq!(titles(p, &anna, id).await.len(), 3);
    assert!(
        p.lms_add_material(&lehrer, first, &page("Neu"))
            .await
            .is_err()
    );
    assert!(p.lms_mark_done(&anna, tick, false).await.is_err());
    assert!(p.lms_update_course(&lehrer, id, "X", "").await.is_err());
    let courses = p.lms_courses(&anna).await.expect("list");
    assert!(courses[0].archived_at.is_some());
    // The group gets a new course; the copy takes the material, not the completion.
    assert!(p.lms_copy_course(&anna, id).await.is_err());
    let copy = p.lms_copy_course(&lehrer, id).await.expect("copy");
    assert_eq!(
        titles(p, &lehrer, copy).await,
        ["Blatt", "Abhaken", "Aufnahme"]
    );
    let view = p.lms_outline(&lehrer, copy).await.expect("outline");
    let copied = &view.sections[0].activities[0];
    assert_eq!(copied.files.len(), 1);
    let (f, _) = p
        .lms_file_content(&lehrer, copied.row.id, copied.files[0].id)
        .await
        .expect("content");
    assert_eq!(f.size, 9);
    assert!(
        p.lms_progress(&lehrer, copy)
            .await
            .expect("p")
            .rows
            .is_empty(),
        "no group yet"
    );
    p.lms_add_material(&lehrer, view.sections[0].row.id, &page("Neu"))
        .await
        .expect("open");
    assert!(
        p.lms_create_course(&lehrer, group(&lehrer, "5a"))
            .await
            .is_ok()
    );
}

/// A file picked from the teacher's own area is the same stored content (no copy) and
/// reaches the participants; a file of someone else's area cannot be picked, and a
/// participant picks nothing into material.
async fn picked_files_are_the_same_content(db: Db) {
    use schulhof_authz::files::Area;
    use schulhof_domain::files::{Located, Placement};
    use tokio::io::AsyncReadExt;

    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let own = async |a: &Actor, name: &str, content: &[u8]| {
        let root = p
            .file_areas(a)
            .await
            .expect("areas")
            .into_iter()
            .find(|e| e.area_value == Area::Own)
            .expect("own area");
        let folder: Located = p.locate(a, root.id).await.expect("root");
        let e = p
            .file_upload(
                a,
                Placement {
                    folder: &folder,
                    name,
                },
                None,
                content,
            )
            .await
            .expect("upload");
        p.locate(a, e.id).await.expect("file").node().clone()
    };
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    let first = first_section(p, &lehrer, id).await;
    let material = MaterialInput {
        kind: "file".into(),
        ..page("Blatt")
    };
    let material = p
        .lms_add_material(&lehrer, first, &material)
        .await
        .expect("material");
    let mine = own(&lehrer, "bruch.txt", b"3/4 + 1/8").await;
    let picked = p
        .lms_pick_file(&lehrer, material, mine.id)
        .await
        .expect("pick");
    let (row, mut content) = p
        .lms_file_content(&anna, material, picked)
        .await
        .expect("the student reads it");
    assert_eq!(
        (Some(row.blob_sha.clone()), row.node_id, row.name.as_str()),
        (mine.blob_sha.clone(), Some(mine.id.0), "bruch.txt")
    );
    let mut bytes = Vec::new();
    content.read_to_end(&mut bytes).await.expect("read");
    assert_eq!(bytes, b"3/4 + 1/8");
    let hers = own(&anna, "geheim.txt", b"nur meins").await;
    assert!(matches!(
        p.lms_pick_file(&lehrer, material, hers.id).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.lms_pick_file(&anna, material, hers.id).await.is_err());
    // Several at once: all or none.
    let second = own(&lehrer, "bruch2.txt", b"1/2").await;
    assert!(matches!(
        p.lms_pick_files(&lehrer, material, &[second.id, hers.id])
            .await,
        Err(DomainError::NotFound)
    ));
    let view = p.lms_outline(&lehrer, id).await.expect("outline");
    assert_eq!(view.sections[0].activities[0].files.len(), 1);
    assert!(p.lms_pick_files(&lehrer, material, &[]).await.is_err());
    let both = p
        .lms_pick_files(&lehrer, material, &[second.id, mine.id])
        .await
        .expect("two at once");
    assert_eq!(both.len(), 2);
    let view = p.lms_outline(&lehrer, id).await.expect("outline");
    assert_eq!(view.sections[0].activities[0].files.len(), 3);
}

async fn the_demo_school_has_a_course_for_5a(db: Db) {
    let p = platform(db);
    p.system_seed_demo().await.expect("demo");
    p.system_seed_demo_files().await.expect("demo files");
    let login = p
        .login("100000", "schueler", "schulhof-demo", "127.0.0.1")
        .await
        .expect("login");
    let student = p.session(&login.cookie).await.expect("session").actor;
    let courses = p.lms_courses(&student).await.expect("courses");
    assert_eq!(courses.len(), 1);
    let t = titles(&p, &student, courses[0].id).await;
    assert!(t.contains(&"Arbeitsblatt Brüche".to_owned()), "{t:?}");
}

backend_tests!(
    members_come_from_groups_and_co_teachers,
    participants_see_only_released_material,
    completion_progress_and_due,
    the_archive_is_read_only_and_copies_material,
    picked_files_are_the_same_content,
    nothing_of_the_safe_is_picked_into_a_course,
    the_demo_school_has_a_course_for_5a,
    announcements_and_the_forum,
    co_teachers_are_active_teachers_of_this_school,
);

async fn people_of(p: &Platform, a: &Actor, id: CourseId) -> Vec<(String, String)> {
    p.lms_course_members(a, id)
        .await
        .expect("members")
        .people
        .into_iter()
        .map(|(u, role)| (u.login, role))
        .collect()
}

fn invalid(r: Result<(), DomainError>) -> String {
    match r {
        Err(DomainError::Invalid { message, .. }) => message,
        r => panic!("not refused as input: {r:?}"),
    }
}

async fn co_teachers_are_active_teachers_of_this_school(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let lehrer2 = s.user("lehrer2").await;
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    // Another school's teacher: by login unknown here, by mail address refused as such.
    let other = school_on(p.clone(), "654321").await;
    let fremd = other.user("lehrer2").await;
    let m = invalid(p.lms_add_co_teacher(&lehrer, id, "  fremd.test ").await);
    assert!(m.contains("dieser Schule"), "{m}");
    let m = invalid(
        p.lms_add_co_teacher(&lehrer, id, &fremd.user.mail.to_uppercase())
            .await,
    );
    assert!(m.contains("Nur Lehrkräfte dieser Schule"), "{m}");
    let m = invalid(p.lms_add_co_teacher(&lehrer, id, "   ").await);
    assert!(m.contains("Anmeldung"), "{m}");
    // A deactivated teacher is refused with that reason.
    let admin = s.admin().await;
    p.set_user_active(&admin, "lehrer2", false)
        .await
        .expect("deactivate");
    let m = invalid(p.lms_add_co_teacher(&lehrer, id, "lehrer2").await);
    assert!(m.contains("deaktiviert"), "{m}");
    assert!(people_of(p, &lehrer, id).await.is_empty(), "nothing added");
    // Active again: the login in any case and with spaces, or the school's mail address.
    p.set_user_active(&admin, "lehrer2", true)
        .await
        .expect("activate");
    p.lms_add_co_teacher(&lehrer, id, "  LEHRER2\t")
        .await
        .expect("co-teacher by login");
    assert_eq!(
        people_of(p, &lehrer, id).await,
        vec![("lehrer2".to_owned(), "editor".to_owned())]
    );
    p.lms_remove_person(&lehrer, id, lehrer2.token.user())
        .await
        .expect("remove");
    p.lms_add_co_teacher(
        &lehrer,
        id,
        &format!(" {} ", lehrer2.user.mail.to_uppercase()),
    )
    .await
    .expect("co-teacher by mail");
    assert_eq!(
        people_of(p, &lehrer, id).await,
        vec![("lehrer2".to_owned(), "editor".to_owned())]
    );
}

async fn announcements_and_the_forum(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    assert!(p.lms_announce(&anna, id, "Hallo", "Text").await.is_err());
    p.lms_announce(&lehrer, id, "Klassenarbeit", "Am Montag.")
        .await
        .expect("announce");
    let news = p.lms_announcements(&anna, id).await.expect("read");
    assert_eq!(news[0].title, "Klassenarbeit");
    assert!(p.lms_announcements(&carla, id).await.is_err());
    let q = p
        .lms_ask(&anna, id, "Seite 34?", "Welche Nummern?")
        .await
        .expect("ask");
    p.lms_reply(&lehrer, q, "Nr. 1 bis 5.")
        .await
        .expect("reply");
    assert!(p.lms_reply(&carla, q, "Ich auch").await.is_err());
    let (_, thread) = p.lms_thread(&anna, q).await.expect("thread");
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[1].body, "Nr. 1 bis 5.");
    assert_eq!(p.lms_questions(&lehrer, id).await.expect("q")[0].replies, 1);
    assert!(matches!(
        p.lms_thread(&carla, q).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.lms_ask(&anna, id, " ", "x").await.is_err());
}

/// A file of the teacher's Safe cannot become course material, not even with the Safe
/// open: nothing leaves the Safe.
async fn nothing_of_the_safe_is_picked_into_a_course(db: Db) {
    use schulhof_authz::files::Area;
    use schulhof_domain::files::Placement;

    let s = school(db).await;
    let p = &s.platform;
    let head = s.user("schulleitung").await;
    let safe_pw = p
        .safe_generate_password(&head, "lehrer")
        .await
        .expect("safe password");
    let lehrer = s.user("lehrer").await;
    p.safe_unlock(&lehrer, &safe_pw, "127.0.0.1")
        .await
        .expect("unlock");
    let safe = p.safe_actor(&lehrer).await.expect("open");
    let root = p
        .safe_areas(&safe)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area_value == Area::SafeOwn)
        .expect("own Safe area");
    let folder = p.locate(&safe, root.id).await.expect("root");
    let secret = p
        .file_upload(
            &safe,
            Placement {
                folder: &folder,
                name: "Förderplan.txt",
            },
            None,
            &b"vertraulich"[..],
        )
        .await
        .expect("upload into the Safe");
    let id = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("create");
    let first = first_section(p, &lehrer, id).await;
    let material = MaterialInput {
        kind: "file".into(),
        ..page("Blatt")
    };
    let material = p
        .lms_add_material(&lehrer, first, &material)
        .await
        .expect("material");
    for a in [&safe, &lehrer] {
        assert!(matches!(
            p.lms_pick_file(a, material, secret.id).await,
            Err(DomainError::NotFound)
        ));
    }
    let view = p.lms_outline(&lehrer, id).await.expect("outline");
    assert!(view.sections[0].activities[0].files.is_empty());
}
