//! Arranging a course on SQLite and PostgreSQL: an editor moves material within its section
//! and sections within the course, one place or straight to an index (drag and drop), and
//! material into another section of the course; the order is the same for every reader; a
//! participant, a stranger and another school get *not found* and change nothing; bad
//! positions are clamped or refused, a section of another course is refused; an archived
//! course is read-only.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::{MaterialInput, Move, SectionInput};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_types::{ActivityId, CourseId, SectionId};

fn page(title: &str) -> MaterialInput {
    MaterialInput {
        kind: "page".into(),
        title: title.into(),
        body: format!("<p>{title}</p>"),
        completion: "none".into(),
        ..MaterialInput::default()
    }
}

/// Section titles, and the material titles of the first section.
async fn order(p: &Platform, a: &Actor, id: CourseId) -> (Vec<String>, Vec<String>) {
    let v = p.lms_outline(a, id).await.expect("outline");
    let secs = v.sections.iter().map(|s| s.row.title.clone()).collect();
    let acts = v.sections[0]
        .activities
        .iter()
        .map(|x| x.row.title.clone())
        .collect();
    (secs, acts)
}

struct Course {
    id: CourseId,
    sections: Vec<SectionId>,
    material: Vec<ActivityId>,
}

/// A 5a course: sections "Start", "Woche 1", "Woche 2"; material A–D in the first one.
async fn course(p: &Platform, lehrer: &Actor) -> Course {
    course_of(p, lehrer, "5a").await
}

/// The same course for another of the teacher's groups.
async fn course_of(p: &Platform, lehrer: &Actor, group: &str) -> Course {
    let g = lehrer
        .groups
        .iter()
        .find(|g| g.name == group)
        .expect("group")
        .id;
    let id = p.lms_create_course(lehrer, g).await.expect("course");
    let first = p.lms_outline(lehrer, id).await.expect("o").sections[0]
        .row
        .id;
    let mut sections = vec![first];
    for t in ["Woche 1", "Woche 2"] {
        let input = SectionInput {
            title: t.into(),
            ..SectionInput::default()
        };
        sections.push(p.lms_add_section(lehrer, id, &input).await.expect("s"));
    }
    let mut material = Vec::new();
    for t in ["A", "B", "C", "D"] {
        material.push(
            p.lms_add_material(lehrer, first, &page(t))
                .await
                .expect("m"),
        );
    }
    Course {
        id,
        sections,
        material,
    }
}

async fn editors_arrange_and_everyone_sees_the_order(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let c = course(p, &lehrer).await;
    let first = order(p, &lehrer, c.id).await.0[0].clone();
    let (m, secs) = (&c.material, &c.sections);
    // One place down, straight to the top, past the end (clamped to the end).
    let at = p
        .lms_move_activity(&lehrer, m[0], Move::Down)
        .await
        .expect("down");
    assert_eq!(at, c.id);
    assert_eq!(order(p, &lehrer, c.id).await.1, ["B", "A", "C", "D"]);
    p.lms_move_activity(&lehrer, m[3], Move::To(0))
        .await
        .expect("to top");
    assert_eq!(order(p, &lehrer, c.id).await.1, ["D", "B", "A", "C"]);
    p.lms_move_activity(&lehrer, m[3], Move::To(99))
        .await
        .expect("to end");
    assert_eq!(order(p, &lehrer, c.id).await.1, ["B", "A", "C", "D"]);
    // The first goes no higher; nothing changes.
    p.lms_move_activity(&lehrer, m[1], Move::Up)
        .await
        .expect("no-op");
    assert_eq!(order(p, &lehrer, c.id).await.1, ["B", "A", "C", "D"]);
    // Sections: the last to index 1.
    p.lms_move_section(&lehrer, secs[2], Move::To(1))
        .await
        .expect("section");
    let expected = vec![first.clone(), "Woche 2".to_owned(), "Woche 1".to_owned()];
    assert_eq!(order(p, &lehrer, c.id).await.0, expected);
    // The student reads the same order.
    let seen = order(p, &anna, c.id).await;
    assert_eq!(seen.0, expected);
    assert_eq!(seen.1, ["B", "A", "C", "D"]);
}

async fn only_editors_arrange(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let c = course(p, &lehrer).await;
    let before = order(p, &lehrer, c.id).await;
    let other = school_on(p.clone(), "654321").await;
    let strangers = [
        s.user("anna").await,
        s.user("lehrer2").await,
        s.user("sekretariat").await,
        other.user("lehrer").await,
    ];
    for who in &strangers {
        assert!(
            matches!(
                p.lms_move_activity(who, c.material[0], Move::Down).await,
                Err(DomainError::NotFound)
            ),
            "{:?}",
            who.token.user()
        );
        assert!(matches!(
            p.lms_move_section(who, c.sections[0], Move::To(2)).await,
            Err(DomainError::NotFound)
        ));
    }
    assert_eq!(order(p, &lehrer, c.id).await, before, "nothing changed");
}

/// The material titles of every section, in page order.
async fn per_section(p: &Platform, a: &Actor, id: CourseId) -> Vec<Vec<String>> {
    let v = p.lms_outline(a, id).await.expect("outline");
    v.sections
        .iter()
        .map(|s| s.activities.iter().map(|x| x.row.title.clone()).collect())
        .collect()
}

async fn material_moves_to_another_section(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let c = course(p, &lehrer).await;
    let (m, secs) = (&c.material, &c.sections);
    // B to the empty "Woche 1", then D to its top, then A past its end.
    let at = p
        .lms_move_activity_to_section(&lehrer, m[1], secs[1], 0)
        .await
        .expect("B");
    assert_eq!(at, c.id);
    assert_eq!(
        per_section(p, &lehrer, c.id).await,
        [vec!["A", "C", "D"], vec!["B"], vec![]]
    );
    p.lms_move_activity_to_section(&lehrer, m[3], secs[1], 0)
        .await
        .expect("D");
    p.lms_move_activity_to_section(&lehrer, m[0], secs[1], 99)
        .await
        .expect("A");
    let expected = [vec!["C"], vec!["D", "B", "A"], vec![]];
    assert_eq!(per_section(p, &lehrer, c.id).await, expected);
    assert_eq!(
        per_section(p, &anna, c.id).await,
        expected,
        "the student too"
    );
    // Within the new section the ordinary moves work on the new order.
    p.lms_move_activity(&lehrer, m[0], Move::Up)
        .await
        .expect("up");
    // Its own section by this way: a move within it.
    p.lms_move_activity_to_section(&lehrer, m[3], secs[1], 99)
        .await
        .expect("own");
    let expected = [vec!["C"], vec!["A", "B", "D"], vec![]];
    assert_eq!(per_section(p, &lehrer, c.id).await, expected);
    // The last one out of the first section leaves it empty; back again.
    p.lms_move_activity_to_section(&lehrer, m[2], secs[2], 0)
        .await
        .expect("C");
    p.lms_move_activity_to_section(&lehrer, m[2], secs[0], 0)
        .await
        .expect("C back");
    assert_eq!(per_section(p, &lehrer, c.id).await, expected);
    // A section of another course (the teacher edits it too) or none: refused, unchanged.
    let other = course_of(p, &lehrer, "Mathe-Kurs").await;
    for bad in [other.sections[1], SectionId(uuid::Uuid::now_v7())] {
        let r = p.lms_move_activity_to_section(&lehrer, m[0], bad, 0).await;
        assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
    }
    assert_eq!(per_section(p, &lehrer, c.id).await, expected);
    assert_eq!(
        per_section(p, &lehrer, other.id).await[1],
        Vec::<String>::new()
    );
    // Everyone else: not found, unchanged.
    let far = school_on(p.clone(), "654321").await;
    for who in [
        &anna,
        &s.user("lehrer2").await,
        &s.user("sekretariat").await,
        &far.user("lehrer").await,
    ] {
        assert!(matches!(
            p.lms_move_activity_to_section(who, m[0], secs[2], 0).await,
            Err(DomainError::NotFound)
        ));
    }
    assert_eq!(per_section(p, &lehrer, c.id).await, expected);
}

backend_tests!(
    editors_arrange_and_everyone_sees_the_order,
    only_editors_arrange,
    material_moves_to_another_section
);
