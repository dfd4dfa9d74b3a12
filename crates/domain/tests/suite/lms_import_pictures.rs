//! Pictures of an imported Moodle backup on SQLite and PostgreSQL: the pictures a page or an
//! assignment's instructions embed (`@@PLUGINFILE@@`) become the activity's own files and
//! stay in the text at the activity's own address, so the page rules keep them: with the
//! archive's alternative text, else the file name. A referenced file that is no picture by
//! its bytes (here an SVG) is no picture in the text. Students see the pictures only with
//! the material; a page's pictures are no downloads. An imported assignment keeps the
//! backup's start of submissions, due date and cut-off as the instants Moodle stored,
//! shown on the school's clock.

use crate::calendar_support;
use std::io::{Cursor, Write};

use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::IMAGE_ROLE;
use schulhof_domain::{Db, Platform};
use schulhof_store::backend_tests;
use schulhof_types::CourseId;

#[path = "../../../course_import/tests/common/moodle.rs"]
#[allow(dead_code)]
mod moodle;

use moodle::*;

/// A 4×4 red PNG and a 1×1 GIF.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26, 0x93, 0x09,
    0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0xa3, 0xa4, 0x04,
    0x47, 0x0c, 0xc4, 0x71, 0x00, 0xc4, 0xe3, 0x11, 0x01, 0x88, 0x91, 0xee, 0x10, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";

const H_ZELLE: &str = "a1a2b3c4d5e6f708192a3b4c5d6e7f8091011121";
const H_OHNE: &str = "b2a2b3c4d5e6f708192a3b4c5d6e7f8091011121";
const H_SVG: &str = "c3a2b3c4d5e6f708192a3b4c5d6e7f8091011121";
const H_TASK: &str = "d4a2b3c4d5e6f708192a3b4c5d6e7f8091011121";

/// A ZIP of `entries`.
fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(name.as_str(), opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// A Moodle 4 backup: a page with a described picture, one without alternative text and an
/// SVG; an assignment whose instructions show a picture with an empty `alt`.
fn backup() -> Vec<u8> {
    let sections = section_ref(10, "Zellen");
    let activities = [
        activity_ref("page", 1, 10, "Die Zelle"),
        activity_ref("assign", 2, 10, "Beschriften"),
    ]
    .concat();
    let files = [
        file_row(
            301,
            H_ZELLE,
            "mod_page",
            "content",
            "zelle.png",
            "image/png",
            0,
        ),
        file_row(
            302,
            H_OHNE,
            "mod_page",
            "content",
            "ohne alt.gif",
            "image/gif",
            0,
        ),
        file_row(
            303,
            H_SVG,
            "mod_page",
            "content",
            "skizze.svg",
            "image/svg+xml",
            0,
        ),
        file_row(
            304,
            H_TASK,
            "mod_assign",
            "intro",
            "aufgabe.png",
            "image/png",
            0,
        ),
    ]
    .concat();
    let text: Vec<(String, String)> = vec![
        (
            "moodle_backup.xml".into(),
            backup_xml("moodle2", "2023100900", &sections, &activities),
        ),
        (
            "files.xml".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<files>{files}</files>"),
        ),
        (
            "sections/section_10/section.xml".into(),
            section_xml(10, 1, "Zellen", ""),
        ),
        ("sections/section_10/inforef.xml".into(), inforef(&[])),
        (
            "activities/page_1/page.xml".into(),
            activity_xml(
                "page",
                1,
                41,
                "<name>Die Zelle</name><intro></intro>\
                 <content>&lt;p&gt;Eine Zelle:&lt;/p&gt;\
                 &lt;p&gt;&lt;img src=\"@@PLUGINFILE@@/zelle.png?time=1\" alt=\"Zelle mit Kern\" width=\"300\"&gt;&lt;/p&gt;\
                 &lt;p&gt;&lt;img src=\"@@PLUGINFILE@@/ohne%20alt.gif\"&gt;&lt;/p&gt;\
                 &lt;p&gt;&lt;img src=\"@@PLUGINFILE@@/skizze.svg\" alt=\"Skizze\"&gt;&lt;/p&gt;\
                 &lt;p&gt;&lt;img src=\"https://example.org/fremd.png\" alt=\"fremd\"&gt;&lt;/p&gt;</content>\
                 <contentformat>1</contentformat>",
            ),
        ),
        (
            "activities/page_1/inforef.xml".into(),
            inforef(&[301, 302, 303]),
        ),
        (
            "activities/page_1/module.xml".into(),
            "<module id=\"1\"><modulename>page</modulename><visible>1</visible></module>".into(),
        ),
        (
            "activities/assign_2/assign.xml".into(),
            activity_xml(
                "assign",
                2,
                42,
                "<name>Beschriften</name>\
                 <intro>&lt;p&gt;Beschriftet das Bild:&lt;/p&gt;&lt;img src=\"@@PLUGINFILE@@/aufgabe.png\" alt=\"\"&gt;</intro>\
                 <introformat>1</introformat><duedate>0</duedate><grade>10.00000</grade>",
            ),
        ),
        ("activities/assign_2/inforef.xml".into(), inforef(&[304])),
        (
            "activities/assign_2/module.xml".into(),
            "<module id=\"2\"><modulename>assign</modulename><visible>1</visible></module>".into(),
        ),
    ];
    let mut entries: Vec<(String, Vec<u8>)> =
        text.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    for (hash, bytes) in [(H_ZELLE, PNG), (H_OHNE, GIF), (H_SVG, SVG), (H_TASK, PNG)] {
        entries.push((pool_path(hash), bytes.to_vec()));
    }
    zip(&entries)
}

async fn embedded_pictures_stay_as_own_pictures(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let g5a = lehrer
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let course = p.lms_create_course(&lehrer, g5a).await.expect("course");
    let v = p
        .lms_import_preview(&lehrer, course, backup())
        .await
        .expect("preview");
    p.lms_import_confirm(&lehrer, course, &v.token, false)
        .await
        .expect("import");
    let view = p.lms_outline(&lehrer, course).await.expect("outline");
    let acts: Vec<_> = view.sections.iter().flat_map(|s| &s.activities).collect();
    let page = acts
        .iter()
        .find(|a| a.row.title == "Die Zelle")
        .expect("page");
    let id = page.row.id;
    let file = |name: &str| {
        page.files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", page.files))
    };
    let body = &page.row.body;
    let zelle = file("zelle.png");
    let ohne = file("ohne alt.gif");
    let svg = file("skizze.svg");
    assert_eq!(
        (zelle.role.as_str(), zelle.mime.as_str()),
        (IMAGE_ROLE, "image/png")
    );
    assert_eq!(
        (ohne.role.as_str(), ohne.mime.as_str()),
        (IMAGE_ROLE, "image/gif")
    );
    assert_eq!(svg.role, "material", "an SVG is no picture of the text");
    assert!(
        body.contains(&format!(
            "<img src=\"/kurse/material/{id}/datei/{}\" alt=\"Zelle mit Kern\">",
            zelle.id
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "alt=\"ohne alt.gif\" src=\"/kurse/material/{id}/datei/{}\"",
            ohne.id
        )) || body.contains(&format!(
            "src=\"/kurse/material/{id}/datei/{}\" alt=\"ohne alt.gif\"",
            ohne.id
        )),
        "the file name is the alternative text: {body}"
    );
    assert!(
        !body.contains("skizze.svg") && !body.contains(&svg.id.to_string()),
        "{body}"
    );
    assert!(
        !body.contains("example.org") && !body.contains("width"),
        "{body}"
    );

    // The student sees the page with its pictures; outside the course, nothing.
    let shown = p.lms_open_material(&anna, id).await.expect("student");
    assert_eq!(&shown.ctx.activity.body, body);
    let (row, _) = p
        .lms_file_content(&anna, id, zelle.id)
        .await
        .expect("picture");
    assert_eq!(row.mime, "image/png");
    assert!(p.lms_file_content(&carla, id, zelle.id).await.is_err());

    // The assignment's instructions keep their picture, named by its file.
    let task = acts
        .iter()
        .find(|a| a.row.title == "Beschriften")
        .expect("assignment");
    let pic = task
        .files
        .iter()
        .find(|f| f.name == "aufgabe.png")
        .expect("picture of the instructions");
    assert_eq!(pic.role, IMAGE_ROLE);
    let src = format!("/kurse/material/{}/datei/{}", task.row.id, pic.id);
    assert!(task.row.body.contains(&src), "{}", task.row.body);
    assert!(
        task.row.body.contains("alt=\"aufgabe.png\""),
        "{}",
        task.row.body
    );
    p.lms_file_content(&anna, task.row.id, pic.id)
        .await
        .expect("the student loads it");
}

type Dates<T> = (Option<T>, Option<T>, Option<T>);

/// Imports the reader's Moodle 4 course backup into `course`: the start of submissions,
/// due date and cut-off of its assignment, as stored and on the school's clock.
async fn imported_dates(
    p: &Platform,
    who: &Actor,
    course: CourseId,
) -> (Dates<i64>, Dates<String>) {
    let v = p
        .lms_import_preview(who, course, zip(&moodle4_entries()))
        .await
        .expect("preview");
    p.lms_import_confirm(who, course, &v.token, false)
        .await
        .expect("import");
    let view = p.lms_outline(who, course).await.expect("outline");
    let task = view
        .sections
        .iter()
        .flat_map(|s| &s.activities)
        .find(|a| a.row.title == "Hausaufgabe 1")
        .expect("the assignment")
        .row
        .id;
    let page = p.lms_assignment(who, task).await.expect("assignment");
    let local = |us: Option<i64>| {
        us.map(|us| {
            schulhof_store::from_us(us)
                .with_timezone(&who.time_zone)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        })
    };
    let stored = (
        page.settings.allow_from,
        page.ctx.activity.due_at,
        page.settings.cutoff_at,
    );
    let shown = (local(stored.0), local(stored.1), local(stored.2));
    (stored, shown)
}

/// The backup's assignment "Hausaufgabe 1" is due at 1767225600 (1 January 2026, 00:00
/// UTC), takes work from 25 December and has its cut-off a day after the due date.
async fn an_imported_assignment_keeps_its_dates(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let group = |who: &Actor, name: &str| {
        who.groups
            .iter()
            .find(|g| g.name == name)
            .expect("group")
            .id
    };
    let course = p
        .lms_create_course(&lehrer, group(&lehrer, "5a"))
        .await
        .expect("course");
    let us = |secs: i64| Some(secs * 1_000_000);
    let expected = (us(1_766_620_800), us(1_767_225_600), us(1_767_312_000));
    let (stored, shown) = imported_dates(p, &lehrer, course).await;
    assert_eq!(stored, expected);
    // Moodle stores instants; the school's zone (Berlin unless set) only shows them.
    assert_eq!(lehrer.time_zone, chrono_tz::Europe::Berlin);
    assert_eq!(
        shown,
        (
            Some("25.12.2025 01:00".to_owned()),
            Some("01.01.2026 01:00".to_owned()),
            Some("02.01.2026 01:00".to_owned())
        )
    );
    // A school in another zone imports the same instants and shows its own clock time.
    let admin = s.admin().await;
    p.set_school_time_zone(&admin, "Europe/London")
        .await
        .expect("zone");
    let lehrer = s.user("lehrer").await;
    let second = p
        .lms_create_course(&lehrer, group(&lehrer, "Mathe-Kurs"))
        .await
        .expect("course");
    let (stored, shown) = imported_dates(p, &lehrer, second).await;
    assert_eq!(stored, expected, "not shifted by the school's zone");
    assert_eq!(shown.1.as_deref(), Some("01.01.2026 00:00"));
}

backend_tests!(
    embedded_pictures_stay_as_own_pictures,
    an_imported_assignment_keeps_its_dates,
);
