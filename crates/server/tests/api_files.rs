//! The cloud file manager through the JSON API, on SQLite and PostgreSQL: transfers with
//! ranges and streaming, versions, renaming/moving/copying, the trash, quotas, the rights
//! template per account type and area, inheritance and its withdrawal, drop folders, and
//! the privacy of own areas and of other schools.

mod common;
#[path = "common/files.rs"]
mod file_helpers;

use axum::http::StatusCode;
use common::{TestApp, code};
use file_helpers::{enc, id, pattern, put_chunked, put_head_only, serve};
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

const NIL: &str = "00000000-0000-0000-0000-000000000000";

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// Logs in with a known password and accepts the terms.
async fn ready_as(app: &TestApp, school: &str, login: &str, password: &str) -> String {
    let c = app.login_as(school, login, password).await;
    let r = app
        .call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "consent {login}");
    c
}

/// A second student of class 5a, `ben`, ready to go.
async fn second_student(app: &TestApp, admin: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            admin,
            json!({ "first_name": "Ben", "last_name": "Berg", "account_type": "schueler",
                    "login": "ben", "password": "ben-passwort-123", "groups": ["5a"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    ready_as(app, "100000", "ben", "ben-passwort-123").await
}

async fn uploads_come_back_whole_and_in_ranges(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own area");
    let text = b"Hallo Welt, 0123456789";
    let r = app.put_file(&t, &own, "gruss.txt", text).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(str_of(&r.json, "name"), "gruss.txt");
    assert_eq!(r.json["size"], 22);
    assert_eq!(r.json["is_dir"], false);
    assert_eq!(r.json["parent"].as_str(), Some(own.as_str()));
    assert_eq!(r.json["mime"], "text/plain; charset=utf-8");
    let file = id(&r.json);

    let whole = app.download(&t, &file, &[]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.body, text);
    assert!(
        whole
            .header("content-disposition")
            .starts_with("attachment")
    );
    assert_eq!(whole.header("accept-ranges"), "bytes");
    let etag = whole.header("etag").to_owned();
    assert!(!etag.is_empty());

    for (range, bytes, content_range) in [
        ("bytes=6-9", &b"Welt"[..], "bytes 6-9/22"),
        ("bytes=-4", b"6789", "bytes 18-21/22"),
        ("bytes=12-", b"0123456789", "bytes 12-21/22"),
        ("bytes=0-0", b"H", "bytes 0-0/22"),
    ] {
        let part = app.download(&t, &file, &[("range", range)]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(part.body, bytes, "{range}");
        assert_eq!(part.header("content-range"), content_range, "{range}");
        assert_eq!(part.header("content-length"), bytes.len().to_string());
    }
    let beyond = app.download(&t, &file, &[("range", "bytes=22-")]).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.header("content-range"), "bytes */22");
    let cached = app.download(&t, &file, &[("if-none-match", &etag)]).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());

    // Several files in one form, one far beyond the default 2 MB limit of request bodies.
    let big = pattern(0, 3 * 1024 * 1024 + 17);
    let r = app
        .upload_files(&t, &own, &[("klein.txt", b"klein"), ("gross.bin", &big)])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let entries = r.json.as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(str_of(&entries[0], "name"), "klein.txt");
    assert_eq!(entries[1]["size"], big.len());
    let got = app.download(&t, &id(&entries[1]), &[]).await;
    assert!(got.body == big, "the big file comes back unchanged");
    let mid = app
        .download(&t, &id(&entries[1]), &[("range", "bytes=1048576-1048675")])
        .await;
    assert_eq!(mid.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(mid.body, &big[1048576..1048676]);
    let empty = app.upload_files(&t, &own, &[]).await;
    assert_eq!(
        (empty.status, empty.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let folder_download = app.download(&t, &own, &[]).await;
    assert_eq!(folder_download.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The folder with its children, a file with its way there.
    let node = app.get(&format!("/api/v1/files/{own}"), &t).await;
    assert_eq!(node.json["entry"]["area"], "own");
    assert_eq!(node.json["entry"]["role"], "coordinator");
    assert_eq!(
        node.json["breadcrumbs"],
        json!([{ "id": own, "name": "Eigene Dateien" }])
    );
    assert_eq!(
        sorted(app.names(&t, &own).await),
        ["gross.bin", "gruss.txt", "klein.txt"]
    );
    let leaf = app.get(&format!("/api/v1/files/{file}"), &t).await;
    assert!(leaf.json.get("children").is_none(), "{}", leaf.json);
    assert_eq!(leaf.json["breadcrumbs"][1]["name"], "gruss.txt");

    let storage = app.get("/api/v1/me/storage", &t).await;
    assert_eq!(storage.status, StatusCode::OK);
    assert_eq!(storage.json["used"], 22 + 5 + big.len());
    assert_eq!(storage.json["quota"], 5_000_000_000u64);
    let overview = app.get("/api/v1/files", &t).await;
    assert_eq!(overview.json["usage"], storage.json);
}

async fn a_raw_put_streams_megabytes_and_is_refused_before_the_body(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let addr = serve(&app).await;
    let path = format!("/api/v1/files/{own}/content?name=aufnahme.bin");
    let (status, entry) = put_chunked(addr, &t, &path, 64 * 1024, 80).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["size"], 80 * 64 * 1024);
    let got = app.download(&t, &id(&entry), &[]).await;
    assert!(got.body == pattern(0, 80 * 64 * 1024), "5 MB arrive intact");

    let (status, again) = put_chunked(addr, &t, &path, 64 * 1024, 2).await;
    assert_eq!(status, 200, "the same name again is a new version: {again}");
    assert_eq!(again["id"], entry["id"]);
    assert_eq!(again["size"], 2 * 64 * 1024);

    // Name, place and rights are decided from the head alone, before a byte of the body.
    let bad_name = format!("/api/v1/files/{own}/content?name={}", enc("a/b"));
    assert_eq!(put_head_only(addr, &t, &bad_name).await, 422);
    let nowhere = format!("/api/v1/files/{NIL}/content?name=x.bin");
    assert_eq!(put_head_only(addr, &t, &nowhere).await, 404);
    let info = app.area_root(&t, "info").await.expect("info");
    let read_only = format!("/api/v1/files/{info}/content?name=x.bin");
    assert_eq!(put_head_only(addr, &t, &read_only).await, 403);
    let no_name = format!("/api/v1/files/{own}/content");
    assert_eq!(put_head_only(addr, &t, &no_name).await, 422);
}

async fn reuploads_keep_versions_that_can_be_restored(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let first = app.put_file(&t, &own, "notiz.txt", b"erste Fassung").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let file = id(&first.json);
    // Names are the same regardless of case: this is a new version of the same file.
    let second = app
        .put_file(&t, &own, "NOTIZ.txt", b"zweite, laengere Fassung")
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.json);
    assert_eq!(id(&second.json), file);
    assert_eq!(second.json["size"], 24);
    assert_eq!(
        app.download(&t, &file, &[]).await.body,
        b"zweite, laengere Fassung"
    );

    let versions = app.get(&format!("/api/v1/files/{file}/versions"), &t).await;
    assert_eq!(versions.status, StatusCode::OK);
    let list = versions.json.as_array().expect("versions");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["size"], 13);
    assert_eq!(list[0]["modified_by"], "lehrer");
    let v = id(&list[0]);
    let restored = app
        .post(&t, &format!("/api/v1/files/{file}/versions/{v}/restore"))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.json);
    assert_eq!(restored.json["size"], 13);
    assert_eq!(app.download(&t, &file, &[]).await.body, b"erste Fassung");
    let versions = app.get(&format!("/api/v1/files/{file}/versions"), &t).await;
    let sizes: Vec<u64> = versions
        .json
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["size"].as_u64())
        .collect();
    assert_eq!(
        sizes,
        [24, 13],
        "the replaced content became a version, newest first"
    );
    for bad in [NIL, "keine-uuid"] {
        let r = app
            .post(&t, &format!("/api/v1/files/{file}/versions/{bad}/restore"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let s = app.ready("schueler").await;
    let foreign = app.get(&format!("/api/v1/files/{file}/versions"), &s).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

async fn rename_move_copy_with_clear_refusals(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let alpha = app.mkdir(&t, &own, "Alpha").await;
    let beta = app.mkdir(&t, &own, "Beta").await;
    let inner = app.mkdir(&t, &alpha, "Innen").await;
    let file = id(&app.put_file(&t, &alpha, "text.txt", b"Inhalt").await.json);
    let patch = |target: String, body: Value| {
        let app = &app;
        let t = &t;
        async move {
            app.call("PATCH", &format!("/api/v1/files/{target}"), t, body)
                .await
        }
    };

    let r = patch(file.clone(), json!({ "name": "umbenannt.txt" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["name"], "umbenannt.txt");
    let r = patch(file.clone(), json!({ "parent": beta })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["parent"].as_str(), Some(beta.as_str()));
    assert_eq!(app.names(&t, &beta).await, ["umbenannt.txt"]);
    assert_eq!(app.names(&t, &alpha).await, ["Innen"]);
    let r = patch(
        file.clone(),
        json!({ "parent": alpha, "name": "zurück.txt" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(app.names(&t, &alpha).await, ["Innen", "zurück.txt"]);

    let copy = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/copy"),
            &t,
            json!({ "parent": beta }),
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED, "{}", copy.json);
    assert_ne!(id(&copy.json), file);
    assert_eq!(copy.json["name"], "zurück.txt");
    assert_eq!(app.download(&t, &id(&copy.json), &[]).await.body, b"Inhalt");
    let tree_copy = app
        .call(
            "POST",
            &format!("/api/v1/files/{alpha}/copy"),
            &t,
            json!({ "parent": beta, "name": "Alpha-Kopie" }),
        )
        .await;
    assert_eq!(tree_copy.status, StatusCode::CREATED, "{}", tree_copy.json);
    assert_eq!(
        app.names(&t, &id(&tree_copy.json)).await,
        ["Innen", "zurück.txt"]
    );

    // A folder never goes into itself or below itself; nothing changes.
    for target in [&alpha, &inner] {
        let r = patch(alpha.clone(), json!({ "parent": target })).await;
        assert_eq!(
            (r.status, code_of(&r.json), str_of(&r.json, "field")),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", "target")
        );
        let r = app
            .call(
                "POST",
                &format!("/api/v1/files/{alpha}/copy"),
                &t,
                json!({ "parent": target }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let a = app.get(&format!("/api/v1/files/{alpha}"), &t).await;
    assert_eq!(a.json["entry"]["parent"].as_str(), Some(own.as_str()));
    assert_eq!(app.names(&t, &alpha).await, ["Innen", "zurück.txt"]);
    assert_eq!(app.names(&t, &inner).await, Vec::<String>::new());

    // Names taken (regardless of case) are a conflict.
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{own}/folders"),
            &t,
            json!({ "name": "beta" }),
        )
        .await;
    assert_eq!(
        (r.status, code_of(&r.json)),
        (StatusCode::CONFLICT, "conflict")
    );
    let r = patch(alpha.clone(), json!({ "name": "Beta" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(file.clone(), json!({ "parent": beta })).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "Beta holds a zurück.txt already"
    );
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/copy"),
            &t,
            json!({ "parent": alpha }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.put_file(&t, &own, "Beta", b"kein Ordner").await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a file cannot replace a folder"
    );

    // Names file systems and clients choke on are refused, and nothing is created.
    let long = "x".repeat(256);
    for bad in ["a/b", "..", "tab\there", "nul\u{1}", long.as_str()] {
        let r = app
            .call(
                "POST",
                &format!("/api/v1/files/{own}/folders"),
                &t,
                json!({ "name": bad }),
            )
            .await;
        assert_eq!(
            (r.status, str_of(&r.json, "field")),
            (StatusCode::UNPROCESSABLE_ENTITY, "name"),
            "mkdir {bad:?}"
        );
        let r = patch(file.clone(), json!({ "name": bad })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "rename {bad:?}");
        let r = app.put_file(&t, &own, bad, b"x").await;
        assert_eq!(
            (r.status, str_of(&r.json, "field")),
            (StatusCode::UNPROCESSABLE_ENTITY, "name"),
            "upload {bad:?}"
        );
    }
    assert_eq!(sorted(app.names(&t, &own).await), ["Alpha", "Beta"]);
    assert_eq!(app.names(&t, &alpha).await, ["Innen", "zurück.txt"]);
    assert_eq!(app.mkdir(&t, &own, &"x".repeat(255)).await.len(), 36);

    // Areas stay where they are; unknown ids are simply not found.
    let r = patch(own.clone(), json!({ "name": "Meins" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.del(&t, &format!("/api/v1/files/{own}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for path in ["/api/v1/files/keine-uuid", &format!("/api/v1/files/{NIL}")] {
        let r = app.get(path, &t).await;
        assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "not_found"));
    }
    let r = patch(file.clone(), json!({ "parent": NIL })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn code_of(v: &Value) -> &str {
    str_of(v, "error")
}

async fn deletions_go_to_the_trash_with_who_and_come_back(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let admin = app.ready("admin").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let file = id(&app.put_file(&t, &own, "alt.txt", b"alt").await.json);
    let dir = app.mkdir(&t, &own, "Ordner").await;
    let inside = id(&app.put_file(&t, &dir, "drin.txt", b"drin").await.json);
    let delete = |target: String, who: String| {
        let app = &app;
        async move {
            app.del(&who, &format!("/api/v1/files/{target}"))
                .await
                .status
        }
    };
    let restore = |target: String, who: String| {
        let app = &app;
        async move {
            app.post(&who, &format!("/api/v1/files/trash/{target}/restore"))
                .await
        }
    };

    assert_eq!(
        delete(file.clone(), t.clone()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(delete(dir.clone(), t.clone()).await, StatusCode::NO_CONTENT);
    for gone in [&file, &dir, &inside] {
        let r = app.get(&format!("/api/v1/files/{gone}"), &t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.download(&t, &file, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.names(&t, &own).await.is_empty());

    let trash = app.get("/api/v1/files/trash?area=own", &t).await;
    assert_eq!(trash.status, StatusCode::OK);
    let entries = trash.json.as_array().expect("trash");
    assert_eq!(entries.len(), 2, "{}", trash.json);
    for e in entries {
        assert_eq!(e["deleted_by"], "lehrer");
        assert_eq!(e["folder"].as_str(), Some(own.as_str()));
        assert!(e["deleted_at"].is_string());
    }
    let dir_entry = entries.iter().find(|e| e["name"] == "Ordner").expect("dir");
    assert_eq!(dir_entry["is_dir"], true);
    assert_eq!(app.get("/api/v1/files/trash", &t).await.json, trash.json);
    let bad = app.get("/api/v1/files/trash?area=mensa", &t).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = restore(file.clone(), t.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["name"], "alt.txt");
    assert_eq!(app.download(&t, &file, &[]).await.body, b"alt");
    assert_eq!(restore(dir.clone(), t.clone()).await.status, StatusCode::OK);
    assert_eq!(app.download(&t, &inside, &[]).await.body, b"drin");

    // A name taken meanwhile: the restore is refused and the new file stays.
    assert_eq!(
        delete(file.clone(), t.clone()).await,
        StatusCode::NO_CONTENT
    );
    let newer = id(&app.put_file(&t, &own, "alt.txt", b"neu").await.json);
    let r = restore(file.clone(), t.clone()).await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(app.download(&t, &newer, &[]).await.body, b"neu");
    // Others cannot touch the teacher's trash; purging is final.
    let s = app.ready("schueler").await;
    assert_eq!(
        restore(file.clone(), s.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let purge = format!("/api/v1/files/trash/{file}");
    assert_eq!(app.del(&s, &purge).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.del(&t, &purge).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        restore(file.clone(), t.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let trash = app.get("/api/v1/files/trash?area=own", &t).await;
    assert!(trash.json.as_array().expect("trash").is_empty());

    // Shared areas: only coordinators delete and restore; the trash says who deleted.
    let info = app.area_root(&admin, "info").await.expect("info");
    let doc = id(&app
        .put_file(&admin, &info, "Hausordnung.pdf", b"%PDF-1.4")
        .await
        .json);
    assert_eq!(delete(doc.clone(), t.clone()).await, StatusCode::FORBIDDEN);
    assert_eq!(
        delete(doc.clone(), admin.clone()).await,
        StatusCode::NO_CONTENT
    );
    let trash = app.get("/api/v1/files/trash?area=info", &admin).await;
    let entry = &trash.json[0];
    assert_eq!(
        (entry["name"].as_str(), entry["deleted_by"].as_str()),
        (Some("Hausordnung.pdf"), Some("admin"))
    );
    let theirs = app.get("/api/v1/files/trash?area=info", &t).await;
    assert_eq!(theirs.json, json!([]), "viewers restore nothing");
    assert!(!restore(doc.clone(), t.clone()).await.status.is_success());
    assert_eq!(
        restore(doc.clone(), admin.clone()).await.status,
        StatusCode::OK
    );
    assert_eq!(app.download(&t, &doc, &[]).await.body, b"%PDF-1.4");
}

fn count_files(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            n += count_files(&path);
        } else {
            n += 1;
        }
    }
    n
}

async fn over_quota_is_507_and_stores_nothing(db: Db) {
    let blobs = tempfile::tempdir().expect("blob dir");
    let dir = blobs.path().to_owned();
    let app = TestApp::with_config(db, |c| {
        c.file_quotas.lehrer = 1000;
        c.file_quotas.school_per_staff = 1500;
        c.blob_dir = Some(dir);
    })
    .await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let storage = app.get("/api/v1/me/storage", &t).await;
    assert_eq!(
        (
            storage.json["used"].as_u64(),
            storage.json["quota"].as_u64()
        ),
        (Some(0), Some(1000))
    );
    assert_eq!(
        app.put_file(&t, &own, "a.bin", &pattern(0, 800))
            .await
            .status,
        StatusCode::CREATED
    );
    let stored = count_files(blobs.path());

    let r = app.put_file(&t, &own, "b.bin", &pattern(0, 300)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded"),
        "{}",
        r.json
    );
    let r = app
        .upload_files(&t, &own, &[("c.bin", &pattern(5, 300))])
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    assert_eq!(app.names(&t, &own).await, ["a.bin"]);
    assert_eq!(app.get("/api/v1/me/storage", &t).await.json["used"], 800);
    assert_eq!(
        count_files(blobs.path()),
        stored,
        "no content and no temporary file left"
    );
    assert_eq!(count_files(&blobs.path().join("tmp")), 0);
    // What fits still fits, to the byte.
    let r = app.put_file(&t, &own, "d.bin", &pattern(9, 200)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.put_file(&t, &own, "e.bin", b"1").await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE);

    // The school's quota (staff × per-staff quota) bounds the shared areas.
    let admin = app.ready("admin").await;
    let usage = app.get("/api/v1/me/storage", &admin).await.json;
    let left = usage["school_quota"].as_u64().expect("school quota")
        - usage["school_used"].as_u64().expect("school used");
    assert_eq!(usage["school_used"], 1000);
    let info = app.area_root(&admin, "info").await.expect("info");
    let left = usize::try_from(left).expect("small");
    let r = app
        .put_file(&admin, &info, "zu-viel.bin", &pattern(0, left + 1))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    let r = app
        .put_file(&admin, &info, "passt.bin", &pattern(0, left))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(app.names(&admin, &info).await, ["passt.bin"]);
}

/// Expected answers per login and area to: list, upload, create a folder, delete.
const MATRIX: &[(&str, &str, [u16; 4])] = &[
    ("lehrer", "own", [200, 201, 201, 204]),
    ("lehrer", "info", [200, 403, 403, 403]),
    ("lehrer", "teaching", [200, 201, 403, 403]),
    ("lehrer", "staff", [200, 403, 403, 403]),
    ("schueler", "own", [200, 201, 201, 204]),
    ("schueler", "info", [200, 403, 403, 403]),
    ("schueler", "teaching", [200, 403, 403, 403]),
    ("schueler", "staff", [404, 404, 404, 404]),
    ("personal", "own", [200, 201, 201, 204]),
    ("personal", "info", [200, 403, 403, 403]),
    ("personal", "teaching", [200, 403, 403, 403]),
    ("personal", "staff", [404, 404, 404, 404]),
    ("extern", "own", [200, 201, 201, 204]),
    ("extern", "info", [200, 403, 403, 403]),
    ("extern", "teaching", [200, 403, 403, 403]),
    ("extern", "staff", [404, 404, 404, 404]),
    ("admin", "own", [200, 201, 201, 204]),
    ("admin", "info", [200, 201, 201, 204]),
    ("admin", "teaching", [200, 201, 201, 204]),
    ("admin", "staff", [200, 201, 201, 204]),
];

/// The areas each login sees, with its role on their roots.
const AREAS: &[(&str, &[(&str, &str)])] = &[
    (
        "lehrer",
        &[
            ("own", "coordinator"),
            ("info", "viewer"),
            ("teaching", "contributor"),
            ("staff", "viewer"),
        ],
    ),
    (
        "schueler",
        &[
            ("own", "coordinator"),
            ("info", "viewer"),
            ("teaching", "viewer"),
        ],
    ),
    (
        "personal",
        &[
            ("own", "coordinator"),
            ("info", "viewer"),
            ("teaching", "viewer"),
        ],
    ),
    (
        "extern",
        &[
            ("own", "coordinator"),
            ("info", "viewer"),
            ("teaching", "viewer"),
        ],
    ),
    (
        "admin",
        &[
            ("own", "coordinator"),
            ("info", "coordinator"),
            ("teaching", "coordinator"),
            ("staff", "coordinator"),
        ],
    ),
];

async fn the_template_decides_per_account_type_and_area(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let mut shared = std::collections::HashMap::new();
    for area in ["info", "teaching", "staff"] {
        shared.insert(
            area,
            app.area_root(&admin, area).await.expect("admin sees it"),
        );
    }
    let mut cookies = std::collections::HashMap::new();
    for (login, areas) in AREAS {
        let c = if *login == "admin" {
            admin.clone()
        } else {
            app.ready(login).await
        };
        let overview = app.get("/api/v1/files", &c).await;
        let seen: Vec<(&str, &str)> = overview.json["areas"]
            .as_array()
            .expect("areas")
            .iter()
            .map(|a| (str_of(a, "area"), str_of(a, "role")))
            .collect();
        assert_eq!(&seen, areas, "{login}");
        cookies.insert(*login, c);
    }

    for (login, area, expected) in MATRIX {
        let c = &cookies[login];
        let (root, target) = if *area == "own" {
            let root = app.area_root(c, "own").await.expect("own");
            let r = app.put_file(c, &root, "ziel.txt", b"ziel").await;
            assert_eq!(r.status, StatusCode::CREATED, "{login}");
            (root, id(&r.json))
        } else {
            let root = shared[area].clone();
            let name = format!("ziel-{login}.txt");
            let r = app.put_file(&admin, &root, &name, b"ziel").await;
            assert_eq!(r.status, StatusCode::CREATED, "admin in {area}");
            (root, id(&r.json))
        };
        let list = app.get(&format!("/api/v1/files/{root}"), c).await.status;
        let upload = app
            .put_file(c, &root, &format!("neu-{login}.txt"), b"neu")
            .await
            .status;
        let mkdir = app
            .call(
                "POST",
                &format!("/api/v1/files/{root}/folders"),
                c,
                json!({ "name": format!("Ordner {login}") }),
            )
            .await
            .status;
        let delete = app.del(c, &format!("/api/v1/files/{target}")).await.status;
        let got = [list, upload, mkdir, delete].map(|s| s.as_u16());
        assert_eq!(
            &got, expected,
            "{login} in {area}: list, upload, mkdir, delete"
        );
        if *area != "own" {
            let names = app.names(&admin, &root).await;
            assert_eq!(
                names.contains(&format!("neu-{login}.txt")),
                expected[1] == 201,
                "{login} in {area}: {names:?}"
            );
            assert_eq!(
                names.contains(&format!("ziel-{login}.txt")),
                expected[3] != 204
            );
        }
    }
}

async fn another_logins_own_area_is_not_found(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let file = id(&app.put_file(&t, &own, "privat.txt", b"geheim").await.json);
    let dir = app.mkdir(&t, &own, "Privat").await;
    for login in ["schueler", "personal", "admin", "schulleitung"] {
        let c = app.ready(login).await;
        let mine = app.area_root(&c, "own").await.expect("own");
        assert_ne!(mine, own, "{login} has an own area of its own");
        for node in [&own, &file, &dir] {
            for (method, path, body) in [
                ("GET", format!("/api/v1/files/{node}"), None),
                ("GET", format!("/api/v1/files/{node}/content"), None),
                ("GET", format!("/api/v1/files/{node}/versions"), None),
                ("GET", format!("/api/v1/files/{node}/grants"), None),
                (
                    "PATCH",
                    format!("/api/v1/files/{node}"),
                    Some(json!({ "name": "x" })),
                ),
                (
                    "POST",
                    format!("/api/v1/files/{node}/copy"),
                    Some(json!({ "parent": mine })),
                ),
                (
                    "POST",
                    format!("/api/v1/files/{node}/folders"),
                    Some(json!({ "name": "x" })),
                ),
                (
                    "PUT",
                    format!("/api/v1/files/{node}/inherit"),
                    Some(json!({ "inherit": false })),
                ),
                ("DELETE", format!("/api/v1/files/{node}"), None),
            ] {
                let r = app.send(method, &path, Some(&c), body, &[]).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{login} {method} {path}");
            }
            let r = app.put_file(&c, node, "x.txt", b"x").await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{login} upload");
        }
        // Nor can one's own things be moved into it.
        let mine_file = id(&app.put_file(&c, &mine, "meins.txt", b"x").await.json);
        let r = app
            .call(
                "PATCH",
                &format!("/api/v1/files/{mine_file}"),
                &c,
                json!({ "parent": own }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{login}");
    }
    assert_eq!(app.names(&t, &own).await, ["Privat", "privat.txt"]);
}

async fn a_class_grant_reaches_down_until_withdrawn(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let course = app.mkdir(&t, &own, "Mathe 5a").await;
    let private = app.mkdir(&t, &own, "Privat").await;
    let solutions = app.mkdir(&t, &course, "Lösungen").await;
    let sheet = id(&app
        .put_file(&t, &course, "blatt.txt", b"Aufgabe")
        .await
        .json);
    let answer = id(&app
        .put_file(&t, &solutions, "loesung.txt", b"42")
        .await
        .json);

    let grant = app
        .call(
            "POST",
            &format!("/api/v1/files/{course}/grants"),
            &t,
            json!({ "subject": "5a", "role": "viewer" }),
        )
        .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.json);
    assert_eq!(
        (str_of(&grant.json, "kind"), str_of(&grant.json, "role")),
        ("group", "viewer")
    );
    assert_eq!(grant.json["label"], "5a");
    let grants = app.get(&format!("/api/v1/files/{course}/grants"), &t).await;
    assert!(
        grants
            .json
            .as_array()
            .expect("grants")
            .contains(&grant.json)
    );

    // The student sees the shared folder and what is below it, and nothing else.
    let shared = app.get("/api/v1/files", &s).await;
    let names: Vec<&str> = shared.json["shared_with_me"]
        .as_array()
        .expect("shared")
        .iter()
        .map(|e| str_of(e, "name"))
        .collect();
    assert_eq!(names, ["Mathe 5a"]);
    let node = app.get(&format!("/api/v1/files/{course}"), &s).await;
    assert_eq!(node.status, StatusCode::OK);
    assert_eq!(node.json["entry"]["role"], "viewer");
    assert_eq!(
        node.json["breadcrumbs"],
        json!([{ "id": course, "name": "Mathe 5a" }]),
        "the teacher's own area stays hidden on the way"
    );
    assert_eq!(app.names(&s, &course).await, ["Lösungen", "blatt.txt"]);
    assert_eq!(app.download(&s, &answer, &[]).await.body, b"42");
    for hidden in [&own, &private] {
        let r = app.get(&format!("/api/v1/files/{hidden}"), &s).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // Viewers read; they neither upload, nor rename, nor delete, nor share.
    assert_eq!(
        app.put_file(&s, &course, "x.txt", b"x").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/files/{sheet}"),
            &s,
            json!({ "name": "y.txt" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.del(&s, &format!("/api/v1/files/{sheet}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{course}/grants"),
            &s,
            json!({ "subject": "5a", "role": "viewer" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Withdrawing below keeps the rights in effect as grants of the folder itself …
    let inherit_path = format!("/api/v1/files/{solutions}/inherit");
    let set_inherit = |inherit: bool| {
        let (app, t, path) = (&app, &t, inherit_path.clone());
        async move {
            app.call("PUT", &path, t, json!({ "inherit": inherit }))
                .await
        }
    };
    assert_eq!(set_inherit(false).await.status, StatusCode::NO_CONTENT);
    let node = app.get(&format!("/api/v1/files/{solutions}"), &t).await;
    assert_eq!(node.json["entry"]["inherits"], false);
    let carried = app
        .get(&format!("/api/v1/files/{solutions}/grants"), &t)
        .await;
    let key = carried
        .json
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["kind"] == "group")
        .map(|g| str_of(g, "key").to_owned())
        .expect("the class's role was carried down");
    assert_eq!(
        app.get(&format!("/api/v1/files/{solutions}"), &s)
            .await
            .status,
        StatusCode::OK
    );
    // … and taking the carried grant away hides the folder from those who only inherited.
    let r = app
        .del(&t, &format!("/api/v1/files/{solutions}/grants/{key}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    for hidden in [&solutions, &answer] {
        let r = app.get(&format!("/api/v1/files/{hidden}"), &s).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.download(&s, &answer, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.names(&s, &course).await, ["blatt.txt"]);
    let mine = app.get(&format!("/api/v1/files/{solutions}"), &t).await;
    assert_eq!(
        mine.json["entry"]["role"], "coordinator",
        "the teacher keeps it"
    );
    let r = app
        .del(&t, &format!("/api/v1/files/{solutions}/grants/{key}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "removed already");

    // Letting inherited rights in again shows it to the class again.
    assert_eq!(set_inherit(true).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/files/{solutions}"), &s)
            .await
            .status,
        StatusCode::OK
    );
    // The own area's root has nothing to inherit from.
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/files/{own}/inherit"),
            &t,
            json!({ "inherit": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_drop_folder_shows_each_student_only_their_own_work(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let t = app.ready("lehrer").await;
    let anna = app.ready("schueler").await;
    let ben = second_student(&app, &admin).await;
    let own = app.area_root(&t, "own").await.expect("own");
    let drop = app.mkdir(&t, &own, "Abgabe Aufsatz").await;
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/files/{drop}/drop-box"),
            &t,
            json!({ "drop_box": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{drop}/grants"),
            &t,
            json!({ "subject": "5a", "role": "contributor" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let node = app.get(&format!("/api/v1/files/{drop}"), &anna).await;
    assert_eq!(node.json["entry"]["drop_box"], true);
    assert_eq!(node.json["entry"]["role"], "contributor");

    let a = app.put_file(&anna, &drop, "anna.txt", b"Anna").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let b = app.put_file(&ben, &drop, "ben.txt", b"Ben").await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.json);
    assert_eq!(app.names(&anna, &drop).await, ["anna.txt"]);
    assert_eq!(app.names(&ben, &drop).await, ["ben.txt"]);
    assert_eq!(app.names(&t, &drop).await, ["anna.txt", "ben.txt"]);

    let annas = id(&a.json);
    assert_eq!(
        app.get(&format!("/api/v1/files/{annas}"), &ben)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.download(&ben, &annas, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app.put_file(&ben, &drop, "anna.txt", b"Ben war hier").await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "another's hidden file is never overwritten"
    );
    assert_eq!(app.download(&t, &annas, &[]).await.body, b"Anna");
    // Contributors edit their own work but do not delete it; only the teacher coordinates.
    let again = app
        .put_file(&anna, &drop, "anna.txt", b"Anna, verbessert")
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let r = app.del(&anna, &format!("/api/v1/files/{annas}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/files/{drop}/drop-box"),
            &anna,
            json!({ "drop_box": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.download(&t, &annas, &[]).await.body,
        b"Anna, verbessert"
    );
}

async fn admin_shares_with_kinds_of_login_within_the_matrix(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let p = app.ready("personal").await;
    let staff = app.area_root(&admin, "staff").await.expect("staff");
    let folder = app.mkdir(&admin, &staff, "Konferenzen").await;
    let grant = |who: String, body: Value| {
        let app = &app;
        let folder = folder.clone();
        async move {
            app.call(
                "POST",
                &format!("/api/v1/files/{folder}/grants"),
                &who,
                body,
            )
            .await
        }
    };
    assert_eq!(
        app.put_file(&t, &folder, "a.txt", b"a").await.status,
        StatusCode::FORBIDDEN
    );
    let r = grant(
        admin.clone(),
        json!({ "kind": "lehrer", "role": "contributor" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(
        (str_of(&r.json, "key"), str_of(&r.json, "kind")),
        ("t:lehrer", "kind")
    );
    assert_eq!(
        app.put_file(&t, &folder, "a.txt", b"a").await.status,
        StatusCode::CREATED
    );

    let r = grant(
        admin.clone(),
        json!({ "kind": "schueler", "role": "viewer" }),
    )
    .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::UNPROCESSABLE_ENTITY, "right_not_grantable")
    );
    assert_eq!(
        app.get(&format!("/api/v1/files/{folder}"), &s).await.status,
        StatusCode::NOT_FOUND
    );
    let r = grant(t.clone(), json!({ "kind": "personal", "role": "viewer" })).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "kinds of login are the admin's"
    );
    for (body, field) in [
        (json!({ "kind": "hausmeister", "role": "viewer" }), "kind"),
        (
            json!({ "subject": "gibtsnicht", "role": "viewer" }),
            "subject",
        ),
        (json!({ "role": "viewer" }), "subject"),
        (
            json!({ "subject": "5a", "kind": "lehrer", "role": "viewer" }),
            "subject",
        ),
        (json!({ "kind": "lehrer", "role": "chef" }), "role"),
    ] {
        let r = grant(admin.clone(), body.clone()).await;
        assert_eq!(
            (r.status, str_of(&r.json, "field")),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{body}"
        );
    }

    // Personal sees the Lehrerbereich only once the admin grants files.staff.read.
    assert_eq!(
        app.get(&format!("/api/v1/files/{staff}"), &p).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .send(
            "PUT",
            "/api/v1/users/personal/rights/files.staff.read",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let p = app.ready("personal").await;
    let r = app.get(&format!("/api/v1/files/{staff}"), &p).await;
    assert_eq!(
        (r.status, str_of(&r.json["entry"], "role")),
        (StatusCode::OK, "viewer")
    );

    let r = app
        .del(&admin, &format!("/api/v1/files/{folder}/grants/t:lehrer"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.put_file(&t, &folder, "b.txt", b"b").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .del(&admin, &format!("/api/v1/files/{folder}/grants/t:lehrer"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A second school with a teacher; returns the teacher's and the admin's cookies.
async fn second_school(app: &TestApp) -> (String, String) {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("create school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("set password");
    let admin = ready_as(app, "200000", "admin", "admin-passwort-b").await;
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            &admin,
            json!({ "first_name": "Lena", "last_name": "Lehmann", "account_type": "lehrer",
                    "login": "lehrer", "password": "b-passwort-123" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let teacher = ready_as(app, "200000", "lehrer", "b-passwort-123").await;
    (teacher, admin)
}

async fn another_schools_nodes_are_not_found(db: Db) {
    let app = TestApp::new(db).await;
    let (b_teacher, b_admin) = second_school(&app).await;
    let t = app.ready("lehrer").await;
    let admin = app.ready("admin").await;
    let a_own = app.area_root(&t, "own").await.expect("own");
    let a_file = id(&app.put_file(&t, &a_own, "a.txt", b"A").await.json);
    let a_teaching = app.area_root(&t, "teaching").await.expect("teaching");
    let a_info = app.area_root(&admin, "info").await.expect("info");
    let a_doc = id(&app.put_file(&admin, &a_info, "info.txt", b"I").await.json);

    for c in [&b_teacher, &b_admin] {
        let b_own = app.area_root(c, "own").await.expect("own");
        let b_file = id(&app.put_file(c, &b_own, "b.txt", b"B").await.json);
        for area in ["info", "teaching", "staff"] {
            let theirs = app.area_root(c, area).await.expect("their area");
            assert!(
                ![&a_info, &a_teaching].contains(&&theirs),
                "{area} is the school's own"
            );
        }
        for node in [&a_own, &a_file, &a_teaching, &a_info, &a_doc] {
            for (method, path, body) in [
                ("GET", format!("/api/v1/files/{node}"), None),
                ("GET", format!("/api/v1/files/{node}/content"), None),
                ("GET", format!("/api/v1/files/{node}/grants"), None),
                (
                    "PATCH",
                    format!("/api/v1/files/{node}"),
                    Some(json!({ "name": "x" })),
                ),
                (
                    "POST",
                    format!("/api/v1/files/{node}/copy"),
                    Some(json!({ "parent": b_own })),
                ),
                (
                    "POST",
                    format!("/api/v1/files/{node}/folders"),
                    Some(json!({ "name": "x" })),
                ),
                ("DELETE", format!("/api/v1/files/{node}"), None),
                ("POST", format!("/api/v1/files/trash/{node}/restore"), None),
            ] {
                let r = app.send(method, &path, Some(c), body, &[]).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
            }
            assert_eq!(
                app.put_file(c, node, "x.txt", b"x").await.status,
                StatusCode::NOT_FOUND
            );
            let r = app
                .call(
                    "PATCH",
                    &format!("/api/v1/files/{b_file}"),
                    c,
                    json!({ "parent": node }),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        let overview = app.get("/api/v1/files", c).await;
        assert_eq!(overview.json["shared_with_me"], json!([]));
    }
    assert_eq!(app.download(&t, &a_file, &[]).await.body, b"A");
    assert_eq!(app.names(&t, &a_own).await, ["a.txt"]);
}

async fn the_api_document_lists_the_file_endpoints(db: Db) {
    let app = TestApp::new(db).await;
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    let paths = &doc.json["paths"];
    for (method, path) in [
        ("get", "/api/v1/files"),
        ("get", "/api/v1/me/storage"),
        ("get", "/api/v1/files/{id}"),
        ("patch", "/api/v1/files/{id}"),
        ("delete", "/api/v1/files/{id}"),
        ("post", "/api/v1/files/{id}/folders"),
        ("post", "/api/v1/files/{id}/copy"),
        ("get", "/api/v1/files/{id}/content"),
        ("put", "/api/v1/files/{id}/content"),
        ("post", "/api/v1/files/{id}/upload"),
        ("get", "/api/v1/files/{id}/versions"),
        ("post", "/api/v1/files/{id}/versions/{version}/restore"),
        ("get", "/api/v1/files/{id}/grants"),
        ("post", "/api/v1/files/{id}/grants"),
        ("delete", "/api/v1/files/{id}/grants/{key}"),
        ("put", "/api/v1/files/{id}/inherit"),
        ("put", "/api/v1/files/{id}/drop-box"),
        ("get", "/api/v1/files/trash"),
        ("post", "/api/v1/files/trash/{id}/restore"),
        ("delete", "/api/v1/files/trash/{id}"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    let upload = &paths["/api/v1/files/{id}/upload"]["post"]["requestBody"]["content"];
    assert!(upload["multipart/form-data"].is_object());
    let raw = &paths["/api/v1/files/{id}/content"]["put"]["requestBody"]["content"];
    assert!(raw["application/octet-stream"].is_object());
    let schemas = &doc.json["components"]["schemas"];
    for (_, ops) in paths.as_object().expect("paths") {
        for (_, op) in ops.as_object().expect("ops") {
            let text = op.to_string();
            for piece in text.split("#/components/schemas/").skip(1) {
                let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
                assert!(schemas[&name].is_object(), "schema {name} is defined");
            }
        }
    }
}

backend_tests!(
    uploads_come_back_whole_and_in_ranges,
    a_raw_put_streams_megabytes_and_is_refused_before_the_body,
    reuploads_keep_versions_that_can_be_restored,
    rename_move_copy_with_clear_refusals,
    deletions_go_to_the_trash_with_who_and_come_back,
    over_quota_is_507_and_stores_nothing,
    the_template_decides_per_account_type_and_area,
    another_logins_own_area_is_not_found,
    a_class_grant_reaches_down_until_withdrawn,
    a_drop_folder_shows_each_student_only_their_own_work,
    admin_shares_with_kinds_of_login_within_the_matrix,
    another_schools_nodes_are_not_found,
    the_api_document_lists_the_file_endpoints,
);
