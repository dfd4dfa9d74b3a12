//! The file manager's rights, quotas and names under attack, through the JSON API (and an
//! upload-only link's page), on SQLite and PostgreSQL: grants above one's own role, the
//! template of the area roots, a student's quota in shared folders and under parallel
//! uploads, submissions of the same name in drop folders, look-alike names.

use crate::common;
use crate::file_api;
use crate::file_helpers;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{TestApp, code};
use file_api::*;
use file_helpers::{Raw, enc, id};
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A drop folder of class 5a in the Unterricht area: the admin made it and made `lehrer`
/// its coordinator (the class teacher), who made it a drop folder and let 5a hand in.
struct DropFolder {
    admin: String,
    teacher: String,
    folder: String,
}

async fn drop_folder(app: &TestApp) -> DropFolder {
    let admin = app.ready("admin").await;
    let teacher = app.ready("lehrer").await;
    let teaching = app.area_root(&admin, "teaching").await.expect("teaching");
    let folder = app.mkdir(&admin, &teaching, "Abgaben 5a").await;
    let r = grant(
        app,
        &admin,
        &folder,
        json!({ "subject": "lehrer", "role": "coordinator" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/files/{folder}/drop-box"),
            &teacher,
            json!({ "drop_box": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let r = grant(
        app,
        &teacher,
        &folder,
        json!({ "subject": "5a", "role": "contributor" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    DropFolder {
        admin,
        teacher,
        folder,
    }
}

async fn grant(app: &TestApp, who: &str, node: &str, body: Value) -> common::Reply {
    app.call("POST", &format!("/api/v1/files/{node}/grants"), who, body)
        .await
}

async fn grants(app: &TestApp, who: &str, node: &str) -> Value {
    let r = app.get(&format!("/api/v1/files/{node}/grants"), who).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
}

fn key_of(grants: &Value, kind: &str, label_part: &str) -> String {
    grants
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["kind"] == kind && str_of(g, "label").contains(label_part))
        .map(|g| str_of(g, "key").to_owned())
        .unwrap_or_else(|| panic!("no {kind} grant {label_part} in {grants}"))
}

/// A second teacher of the school: a colleague, Contributor in the Unterricht area.
async fn colleague(app: &TestApp, admin: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            admin,
            json!({ "first_name": "Karl", "last_name": "Kollege", "account_type": "lehrer",
                    "login": "kollege", "password": "kollege-passwort-1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    ready_as(app, "100000", "kollege", "kollege-passwort-1").await
}

async fn a_contributor_cannot_remove_or_lower_higher_grants(db: Db) {
    let app = TestApp::new(db).await;
    let d = drop_folder(&app).await;
    let k = colleague(&app, &d.admin).await;
    let before = grants(&app, &d.teacher, &d.folder).await;
    let teacher_key = key_of(&before, "user", "(lehrer)");
    let class_key = key_of(&before, "group", "5a");
    for key in [&teacher_key, &class_key] {
        let r = app
            .del(&k, &format!("/api/v1/files/{}/grants/{key}", d.folder))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "remove {key}: {}", r.json);
    }
    for (subject, role) in [
        ("lehrer", "viewer"),
        ("lehrer", "contributor"),
        ("5a", "viewer"),
    ] {
        let r = grant(
            &app,
            &k,
            &d.folder,
            json!({ "subject": subject, "role": role }),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{subject} → {role}: {}",
            r.json
        );
    }
    assert_eq!(
        grants(&app, &d.teacher, &d.folder).await,
        before,
        "unchanged"
    );

    // What the colleague gives, the colleague may take back; never above its own role.
    let r = grant(
        &app,
        &k,
        &d.folder,
        json!({ "subject": "personal", "role": "viewer" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let given = str_of(&r.json, "key").to_owned();
    let r = grant(
        &app,
        &k,
        &d.folder,
        json!({ "subject": "personal", "role": "coordinator" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    let r = app
        .del(&k, &format!("/api/v1/files/{}/grants/{given}", d.folder))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    // The class teacher manages the rights: it may change what others gave.
    let r = grant(
        &app,
        &d.teacher,
        &d.folder,
        json!({ "subject": "5a", "role": "viewer" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
}

async fn the_template_grants_of_area_roots_cannot_be_lowered_or_removed(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let teaching = app.area_root(&admin, "teaching").await.expect("teaching");
    let staff = app.area_root(&admin, "staff").await.expect("staff");
    let info = app.area_root(&admin, "info").await.expect("info");
    for (root, key) in [
        (&staff, "t:fn:admin"),
        (&teaching, "t:fn:admin"),
        (&teaching, "t:lehrer"),
        (&info, "t:schueler"),
    ] {
        let r = app
            .del(&admin, &format!("/api/v1/files/{root}/grants/{key}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "remove {key}: {}", r.json);
    }
    for (root, kind, role) in [
        (&staff, "fn:admin", "viewer"),
        (&staff, "fn:admin", "contributor"),
        (&teaching, "lehrer", "viewer"),
    ] {
        let r = grant(&app, &admin, root, json!({ "kind": kind, "role": role })).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{kind} → {role}: {}",
            r.json
        );
    }
    // Still the coordinator of the Lehrerbereich.
    app.mkdir(&admin, &staff, "Konferenzen").await;
    // Raising is fine, and lowering back down to the template too.
    for role in ["contributor", "viewer"] {
        let r = grant(
            &app,
            &admin,
            &info,
            json!({ "kind": "lehrer", "role": role }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "lehrer → {role}: {}", r.json);
    }
}

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");

async fn announce(app: &TestApp, cookie: &str, folder: &str, name: &str, length: u64) -> Raw {
    let meta = format!(
        "filename {},folder {}",
        STANDARD.encode(name),
        STANDARD.encode(folder)
    );
    let length = length.to_string();
    app.raw(
        "POST",
        "/api/v1/uploads",
        cookie,
        &[TUS, ("upload-length", &length), ("upload-metadata", &meta)],
        Vec::new(),
    )
    .await
}

async fn used(app: &TestApp, cookie: &str) -> u64 {
    let r = app.get("/api/v1/files", cookie).await;
    r.json["usage"]["used"].as_u64().expect("usage")
}

/// Students may store 10 kB, the school a lot.
fn small_student_quota(c: &mut schulhof_domain::Config) {
    c.file_quotas.schueler = 10_000;
    c.file_quotas.school_per_staff = 1_000_000_000_000;
}

async fn a_students_quota_holds_in_a_drop_folder(db: Db) {
    let app = TestApp::with_config(db, small_student_quota).await;
    let d = drop_folder(&app).await;
    let s = app.ready("schueler").await;
    let r = announce(&app, &s, &d.folder, "film.mp4", 5_000_000_000).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.json);
    let r = announce(&app, &s, &d.folder, "film.mp4", 20_000).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    let r = announce(&app, &d.teacher, &d.folder, "film.mp4", 20_000).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the teacher's quota is larger"
    );
    let r = app
        .put_file(&s, &d.folder, "gross.bin", &[7u8; 12_000])
        .await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.json);
    let r = app
        .put_file(&s, &d.folder, "klein.bin", &[7u8; 4_000])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(used(&app, &s).await, 4_000, "charged to the student");
    let r = app.put_file(&s, &d.folder, "noch.bin", &[7u8; 7_000]).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.json);
}

async fn parallel_uploads_do_not_overshoot_the_quota(db: Db) {
    let app = TestApp::with_config(db, small_student_quota).await;
    let d = drop_folder(&app).await;
    let s = app.ready("schueler").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let router = app.router.clone();
        let path = format!(
            "/api/v1/files/{}/content?name={}",
            d.folder,
            enc(&format!("teil{i}.bin"))
        );
        let cookie = format!("schulhof_session={s}");
        tasks.spawn(async move {
            let req = Request::builder()
                .method("PUT")
                .uri(path)
                .header("cookie", cookie)
                .body(Body::from(vec![1u8; 3_000]))
                .expect("request");
            router.oneshot(req).await.expect("response").status()
        });
    }
    let mut created = 0;
    while let Some(status) = tasks.join_next().await {
        let status = status.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::INSUFFICIENT_STORAGE,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    let used = used(&app, &s).await;
    assert!(
        used <= 10_000,
        "{created} uploads stored, {used} bytes used"
    );
    assert_eq!(used, created as u64 * 3_000);
    assert!(created >= 1);
}

fn entries(list: &Value) -> Vec<(String, String)> {
    list["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|e| {
            (
                str_of(e, "name").to_owned(),
                str_of(e, "submitted_by").to_owned(),
            )
        })
        .collect()
}

async fn submissions_of_the_same_name_are_kept_apart(db: Db) {
    let app = TestApp::new(db).await;
    let d = drop_folder(&app).await;
    let anna = app.ready("schueler").await;
    let ben = second_student(&app, &d.admin).await;
    let a = app.put_file(&anna, &d.folder, "Aufgabe.pdf", b"Anna").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    // Ben's answer for a name Anna used equals the one for a name nobody used.
    let b = app.put_file(&ben, &d.folder, "Aufgabe.pdf", b"Ben").await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.json);
    let fresh = app.put_file(&ben, &d.folder, "Neu.pdf", b"Ben").await;
    assert_eq!(fresh.status, b.status);
    for name in ["Aufgabe.pdf", "Neu2.pdf"] {
        let r = announce(&app, &ben, &d.folder, name, 10).await;
        assert_eq!(r.status, StatusCode::CREATED, "tus {name}: {}", r.json);
    }
    let r = app
        .upload_files(&ben, &d.folder, &[("Aufgabe.pdf", b"Ben, Formular")])
        .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.json);
    assert_eq!(app.names(&anna, &d.folder).await, ["Aufgabe.pdf"]);
    assert_eq!(app.names(&ben, &d.folder).await, ["Aufgabe.pdf", "Neu.pdf"]);
    assert_eq!(app.download(&anna, &id(&a.json), &[]).await.body, b"Anna");
    assert_eq!(
        app.download(&ben, &id(&b.json), &[]).await.body,
        b"Ben, Formular",
        "the own same-named upload is a new version"
    );
    // The class teacher sees both, with who handed each in.
    let list = app
        .get(&format!("/api/v1/files/{}", d.folder), &d.teacher)
        .await;
    let mut seen = entries(&list.json);
    seen.sort();
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Aufgabe.pdf", "Aufgabe.pdf", "Neu.pdf"],
        "{}",
        list.json
    );
    let by: Vec<&str> = seen[..2].iter().map(|(_, b)| b.as_str()).collect();
    assert!(by.contains(&"Ben Berg (ben)"), "{by:?}");
    assert!(by.iter().any(|b| b.ends_with("(schueler)")), "{by:?}");
    assert!(
        entries(
            &app.get(&format!("/api/v1/files/{}", d.folder), &anna)
                .await
                .json
        )
        .iter()
        .all(|(_, b)| b.is_empty()),
        "students are not told who handed in"
    );
    // The folder becomes a normal one again only once the names are apart.
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/files/{}/drop-box", d.folder),
            &d.teacher,
            json!({ "drop_box": false }),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        r.json
    );
}

async fn an_upload_link_never_tells_which_names_exist(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let folder = app.mkdir(&t, &own, "Rückmeldungen").await;
    let r = app
        .put_file(&t, &folder, "Aufgabe.pdf", b"vom Lehrer")
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let teachers = id(&r.json);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{folder}/links"),
            &t,
            json!({ "mode": "upload" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let token = str_of(&r.json, "token").to_owned();
    let taken = link_upload(&app, &token, "Aufgabe.pdf", b"Besucher 1").await;
    let free = link_upload(&app, &token, "Frei.pdf", b"Besucher 2").await;
    let again = link_upload(&app, &token, "Aufgabe.pdf", b"Besucher 3").await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(
        (taken.status, taken.header("location")),
        (free.status, free.header("location"))
    );
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.download(&t, &teachers, &[]).await.body, b"vom Lehrer");
    assert_eq!(
        sorted(app.names(&t, &folder).await),
        ["Aufgabe.pdf", "Aufgabe.pdf", "Aufgabe.pdf", "Frei.pdf"]
    );
}

async fn link_upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Raw {
    const B: &str = "schulhof-link-boundary";
    let mut body = format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"{name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={B}");
    app.raw(
        "POST",
        &format!("/l/{token}/hochladen"),
        "",
        &[("content-type", &ct)],
        body,
    )
    .await
}

async fn look_alike_and_invisible_names_are_refused(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    for bad in [
        "\u{202E}gpj.exe",
        "a\u{200B}b.txt",
        "\u{FDD0}",
        "x\u{2066}y",
        "\u{FEFF}z",
    ] {
        let r = app.put_file(&t, &own, bad, b"x").await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            "{bad:?}: {}",
            r.json
        );
        let r = app
            .call(
                "POST",
                &format!("/api/v1/files/{own}/folders"),
                &t,
                json!({ "name": bad }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    let nfc = app.mkdir(&t, &own, "\u{00E4}").await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{own}/folders"),
            &t,
            json!({ "name": "a\u{0308}" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    // An NFD name is stored as NFC, and its twin is the same file.
    let f = app.put_file(&t, &own, "U\u{0308}bung.txt", b"1").await;
    assert_eq!(f.status, StatusCode::CREATED, "{}", f.json);
    assert_eq!(str_of(&f.json, "name"), "\u{00DC}bung.txt");
    let g = app.put_file(&t, &own, "\u{00DC}bung.txt", b"2").await;
    assert_eq!(g.status, StatusCode::OK, "a new version: {}", g.json);
    assert_eq!(id(&g.json), id(&f.json));
    let file = id(&f.json);
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/files/{file}"),
            &t,
            json!({ "name": "a\u{0308}" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "rename onto a twin: {}",
        r.json
    );
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/files/{file}"),
            &t,
            json!({ "name": "\u{202E}txt.exe" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let names = app.names(&t, &own).await;
    assert!(names.contains(&"\u{00DC}bung.txt".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains('\u{0308}')), "{names:?}");
    let _ = nfc;
}

backend_tests!(
    a_contributor_cannot_remove_or_lower_higher_grants,
    the_template_grants_of_area_roots_cannot_be_lowered_or_removed,
    a_students_quota_holds_in_a_drop_folder,
    parallel_uploads_do_not_overshoot_the_quota,
    submissions_of_the_same_name_are_kept_apart,
    an_upload_link_never_tells_which_names_exist,
    look_alike_and_invisible_names_are_refused,
);
