//! Course import on SQLite and PostgreSQL: a Common Cartridge's preview changes nothing, the
//! import creates sections, pages, files, folders, links and assignments (with their files
//! in the blob store), a broken archive gives the reader's message (German and English) and
//! changes nothing, only the course's editors import (and only what they uploaded), and a
//! quota too small for the files refuses the whole import.

use crate::calendar_support;
use std::io::{Cursor, Write};
use std::sync::Arc;

use calendar_support::*;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::import::{ImportError, ImportFailure};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::CourseId;

/// A ZIP of `entries`.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(*name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn manifest(org: &str, resources: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
  xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion>
    <lomimscc:lom><lomimscc:general><lomimscc:title>
      <lomimscc:string language="de">Physik 9</lomimscc:string>
    </lomimscc:title></lomimscc:general></lomimscc:lom></metadata>
  <organizations><organization identifier="o" structure="rooted-hierarchy">
    <item identifier="root">{org}</item></organization></organizations>
  <resources>{resources}</resources>
</manifest>"#
    )
}

const ORG: &str = r#"
  <item identifier="w1"><title>Woche 1: Optik</title>
    <item identifier="i1" identifierref="r_page"><title>Licht und Schatten</title></item>
    <item identifier="i2" identifierref="r_link"><title>Simulation</title></item>
    <item identifier="i3" identifierref="r_mail"><title>Kontakt</title></item>
    <item identifier="i4" identifierref="r_pdf"><title>Arbeitsblatt</title></item>
    <item identifier="i5" identifierref="r_disc"><title>Fragen zur Optik</title></item>
  </item>
  <item identifier="w2"><title>Projekt</title>
    <item identifier="i6" identifierref="r_asg"><title>Messprotokoll</title></item>
  </item>"#;

const RESOURCES: &str = r#"
  <resource identifier="r_page" type="webcontent" href="pages/licht.html">
    <file href="pages/licht.html"/><file href="pages/strahl.png"/></resource>
  <resource identifier="r_link" type="imswl_xmlv1p3"><file href="links/sim.xml"/></resource>
  <resource identifier="r_mail" type="imswl_xmlv1p3"><file href="links/mail.xml"/></resource>
  <resource identifier="r_pdf" type="webcontent" href="files/blatt.pdf">
    <file href="files/blatt.pdf"/></resource>
  <resource identifier="r_disc" type="imsdt_xmlv1p3"><file href="disc/fragen.xml"/></resource>
  <resource identifier="r_asg" type="assignment_xmlv1p0" href="asg/assignment.xml">
    <file href="asg/assignment.xml"/><file href="asg/vorlage.odt"/></resource>"#;

fn weblink(url: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"><title>L</title>
<url href="{url}"/></webLink>"#
    )
}

const PAGE: &str = r#"<html><body><h1>Licht</h1><p>Siehe <a href="strahl.png">Skizze</a>.</p>
<script>alert(1)</script></body></html>"#;

const ASSIGNMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<assignment xmlns="http://www.imsglobal.org/xsd/imscc_extensions/assignment" identifier="r_asg">
  <title>Messprotokoll</title>
  <text texttype="text/html">&lt;p&gt;Protokoll schreiben&lt;/p&gt;</text>
  <gradable points_possible="15">true</gradable>
  <attachments><attachment href="vorlage.odt" role="Student"/></attachments>
</assignment>"#;

const DISC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<topic xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3"><title>Fragen</title>
<text texttype="text/html">Fragt hier.</text></topic>"#;

/// The test cartridge: a page with a picture link, a web link, a mailto link, a PDF, a
/// discussion (not brought over) and an assignment with 15 points and a template file.
fn cartridge() -> Vec<u8> {
    let m = manifest(ORG, RESOURCES);
    let sim = weblink("https://phet.colorado.edu/de/sim");
    let mail = weblink("mailto:physik@schule.example");
    zip(&[
        ("imsmanifest.xml", m.as_bytes()),
        ("pages/licht.html", PAGE.as_bytes()),
        ("pages/strahl.png", b"PNG-STRAHL"),
        ("links/sim.xml", sim.as_bytes()),
        ("links/mail.xml", mail.as_bytes()),
        ("files/blatt.pdf", b"%PDF-ARBEITSBLATT"),
        ("disc/fragen.xml", DISC.as_bytes()),
        ("asg/assignment.xml", ASSIGNMENT.as_bytes()),
        ("asg/vorlage.odt", b"ODT-VORLAGE"),
    ])
}

fn platform_with(db: Db, lehrer_quota: u64) -> Platform {
    let clock = Arc::new(ManualClock::new(utc(2026, 11, 2, 8, 0)));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        file_quotas: FileQuotas {
            lehrer: lehrer_quota,
            ..FileQuotas::default()
        },
        ..Config::default()
    };
    Platform::new(db, clock, config)
}

async fn course_of(s: &School, teacher: &Actor) -> CourseId {
    let g5a = teacher
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    s.platform
        .lms_create_course(teacher, g5a)
        .await
        .expect("course")
}

/// Sections as "title: kind title, …" for the caller.
async fn outline(p: &Platform, a: &Actor, id: CourseId) -> Vec<String> {
    p.lms_outline(a, id)
        .await
        .expect("outline")
        .sections
        .iter()
        .map(|s| {
            let items: Vec<String> = s
                .activities
                .iter()
                .map(|x| format!("{} {}", x.row.kind, x.row.title))
                .collect();
            format!("{}: {}", s.row.title, items.join(", "))
        })
        .collect()
}

fn archive_error(r: Result<impl std::fmt::Debug, ImportFailure>) -> ImportError {
    match r {
        Err(ImportFailure::Archive(e)) => e,
        other => panic!("expected an archive error: {other:?}"),
    }
}

async fn content(
    p: &Platform,
    a: &Actor,
    id: schulhof_types::ActivityId,
    f: uuid::Uuid,
) -> Vec<u8> {
    let (_, mut r) = p.lms_file_content(a, id, f).await.expect("file");
    let mut out = Vec::new();
    loop {
        let c = r.chunk(1 << 16).await.expect("read");
        if c.is_empty() {
            return out;
        }
        out.extend_from_slice(&c);
    }
}

async fn preview_changes_nothing_and_import_creates_all(db: Db) {
    let s = school_on(platform_with(db, 5_000_000_000), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let id = course_of(&s, &lehrer).await;
    let before = outline(p, &lehrer, id).await;
    let v = p
        .lms_import_preview(&lehrer, id, cartridge())
        .await
        .expect("preview");
    assert_eq!(v.name, "Physik 9");
    assert_eq!(v.source, "Common Cartridge 1.3.0");
    let titles: Vec<&str> = v.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Woche 1: Optik", "Projekt"]);
    let kinds: Vec<Option<&str>> = v.sections[0].items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [Some("page"), Some("link"), Some("page"), Some("file"), None],
        "the mailto link becomes a page, the discussion stays behind"
    );
    assert_eq!(v.sections[1].items[0].kind, Some("assignment"));
    let mut files: Vec<(String, u64)> = v.files.iter().map(|f| (f.name.clone(), f.size)).collect();
    files.sort();
    assert_eq!(
        files,
        [
            ("blatt.pdf".to_owned(), 17),
            ("strahl.png".to_owned(), 10),
            ("vorlage.odt".to_owned(), 11)
        ]
    );
    assert_eq!(v.bytes, 38);
    assert!(
        v.report.iter().any(|l| l.location.contains("Fragen")),
        "{:?}",
        v.report
    );
    assert!(v.report.iter().any(|l| l.key == "lms_import.link_as_page"));
    assert!(
        v.report
            .iter()
            .all(|l| !l.de.is_empty() && !l.en.is_empty())
    );
    assert_eq!(
        outline(p, &lehrer, id).await,
        before,
        "the preview changes nothing"
    );

    let done = p
        .lms_import_confirm(&lehrer, id, &v.token, true)
        .await
        .expect("import");
    assert_eq!((done.sections, done.activities, done.files), (2, 5, 3));
    let after = outline(p, &lehrer, id).await;
    assert_eq!(after.len(), before.len() + 2);
    assert!(after.contains(
        &"Woche 1: Optik: page Licht und Schatten, link Simulation, page Kontakt, file Arbeitsblatt"
            .to_owned()
    ), "{after:?}");
    assert!(after.contains(&"Projekt: assignment Messprotokoll".to_owned()));
    // Hidden sections: the student sees none of it yet.
    assert_eq!(outline(p, &anna, id).await.len(), before.len());

    let view = p.lms_outline(&lehrer, id).await.expect("outline");
    let acts: Vec<_> = view.sections.iter().flat_map(|s| &s.activities).collect();
    let page = acts
        .iter()
        .find(|a| a.row.title == "Licht und Schatten")
        .expect("page");
    assert!(!page.row.body.contains("script"), "{}", page.row.body);
    let href = format!("/kurse/material/{}/datei/{}", page.row.id, page.files[0].id);
    assert!(
        page.row.body.contains(&href),
        "{} lacks {href}",
        page.row.body
    );
    assert_eq!(
        content(p, &lehrer, page.row.id, page.files[0].id).await,
        b"PNG-STRAHL"
    );
    let link = acts.iter().find(|a| a.row.kind == "link").expect("link");
    assert_eq!(
        link.row.url.as_deref(),
        Some("https://phet.colorado.edu/de/sim")
    );
    let mail = acts
        .iter()
        .find(|a| a.row.title == "Kontakt")
        .expect("mailto");
    assert!(mail.row.body.contains("mailto:physik@schule.example"));
    let file = acts.iter().find(|a| a.row.kind == "file").expect("file");
    assert_eq!(
        content(p, &lehrer, file.row.id, file.files[0].id).await,
        b"%PDF-ARBEITSBLATT"
    );
    let asg = acts
        .iter()
        .find(|a| a.row.kind == "assignment")
        .expect("assignment");
    assert!(asg.row.body.contains("Protokoll schreiben"));
    assert_eq!(asg.row.completion, "submit");
    assert_eq!(asg.files[0].name, "vorlage.odt");
    let mut c = p.db().read().await.expect("db");
    let row = schulhof_store::lms::assignments::get(&mut c, lehrer.token.instance(), asg.row.id)
        .await
        .expect("q")
        .expect("settings");
    drop(c);
    assert_eq!((row.grading.as_str(), row.max_points), ("points", 15));
    // The staged archive went with the import: confirming again imports nothing twice.
    assert!(matches!(
        p.lms_import_confirm(&lehrer, id, &v.token, true).await,
        Err(ImportFailure::Expired)
    ));
    assert_eq!(outline(p, &lehrer, id).await, after);
}

async fn bad_archives_change_nothing(db: Db) {
    let s = school_on(platform_with(db, 5_000_000_000), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let id = course_of(&s, &lehrer).await;
    let before = outline(p, &lehrer, id).await;
    let e = archive_error(
        p.lms_import_preview(&lehrer, id, b"kein Archiv".to_vec())
            .await,
    );
    assert_eq!(e.key(), "course_import.unknown_format");
    assert!(e.to_string().contains("Moodle-Sicherung"), "{e}");
    assert!(e.english().contains("Moodle backup"));
    let broken = zip(&[("imsmanifest.xml", b"<manifest><resources></manifest>")]);
    let e = archive_error(p.lms_import_preview(&lehrer, id, broken).await);
    assert_eq!(e.key(), "course_import.xml", "{e}");
    assert!(e.to_string().contains("imsmanifest.xml"));
    // A made-up or foreign content id is no upload of this person for this course.
    for token in ["0".repeat(64), "nicht-hex".to_owned()] {
        assert!(matches!(
            p.lms_import_confirm(&lehrer, id, &token, false).await,
            Err(ImportFailure::Expired)
        ));
    }
    assert_eq!(outline(p, &lehrer, id).await, before);
}

async fn only_editors_import_their_own_upload(db: Db) {
    let s = school_on(platform_with(db, 5_000_000_000), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let id = course_of(&s, &lehrer).await;
    let before = outline(p, &lehrer, id).await;
    let anna = s.user("anna").await;
    assert!(matches!(
        p.lms_import_preview(&anna, id, cartridge()).await,
        Err(ImportFailure::Domain(
            DomainError::Denied(_) | DomainError::Forbidden
        ))
    ));
    for who in ["carla", "lehrer2"] {
        let a = s.user(who).await;
        assert!(matches!(
            p.lms_import_preview(&a, id, cartridge()).await,
            Err(ImportFailure::Domain(DomainError::NotFound))
        ));
    }
    let other = school_on(p.clone(), "654321").await;
    let stranger = other.user("lehrer").await;
    assert!(matches!(
        p.lms_import_preview(&stranger, id, cartridge()).await,
        Err(ImportFailure::Domain(DomainError::NotFound))
    ));
    // The teacher's upload: a participant cannot confirm it, nor another editor, nor the
    // same teacher into another course.
    let v = p
        .lms_import_preview(&lehrer, id, cartridge())
        .await
        .expect("preview");
    assert!(matches!(
        p.lms_import_confirm(&anna, id, &v.token, false).await,
        Err(ImportFailure::Domain(
            DomainError::Denied(_) | DomainError::Forbidden
        ))
    ));
    let personal = s.user("personal").await;
    assert!(p.lms_course_for_edit(&personal, id).await.is_ok());
    assert!(matches!(
        p.lms_import_confirm(&personal, id, &v.token, false).await,
        Err(ImportFailure::Expired)
    ));
    let mathe = lehrer
        .groups
        .iter()
        .find(|g| g.name == "Mathe-Kurs")
        .expect("g")
        .id;
    let second = p.lms_create_course(&lehrer, mathe).await.expect("course");
    assert!(matches!(
        p.lms_import_confirm(&lehrer, second, &v.token, false).await,
        Err(ImportFailure::Expired)
    ));
    assert_eq!(outline(p, &lehrer, id).await, before);
}

async fn a_full_quota_refuses_the_whole_import(db: Db) {
    // 38 bytes of files do not fit into 30.
    let s = school_on(platform_with(db, 30), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let id = course_of(&s, &lehrer).await;
    let before = outline(p, &lehrer, id).await;
    let v = p
        .lms_import_preview(&lehrer, id, cartridge())
        .await
        .expect("preview");
    assert!(matches!(
        p.lms_import_confirm(&lehrer, id, &v.token, false).await,
        Err(ImportFailure::Domain(DomainError::QuotaExceeded(_)))
    ));
    assert_eq!(outline(p, &lehrer, id).await, before);
}

backend_tests!(
    preview_changes_nothing_and_import_creates_all,
    bad_archives_change_nothing,
    only_editors_import_their_own_upload,
    a_full_quota_refuses_the_whole_import,
);
