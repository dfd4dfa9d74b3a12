//! The cloud file manager through the JSON API, on SQLite and PostgreSQL: transfers with
//! ranges and streaming, versions, renaming/moving/copying, the trash, quotas. Rights are
//! in `api_files_rights.rs`.

use crate::common;
use crate::file_api;
use crate::file_helpers;
use axum::http::StatusCode;
use common::{TestApp, code};
use file_api::*;
use file_helpers::{enc, id, pattern, put_chunked, put_head_only, serve};
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

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

backend_tests!(
    uploads_come_back_whole_and_in_ranges,
    a_raw_put_streams_megabytes_and_is_refused_before_the_body,
    reuploads_keep_versions_that_can_be_restored,
    rename_move_copy_with_clear_refusals,
    deletions_go_to_the_trash_with_who_and_come_back,
    over_quota_is_507_and_stores_nothing,
);
