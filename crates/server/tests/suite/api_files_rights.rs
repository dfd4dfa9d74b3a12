//! Rights of the cloud file manager through the JSON API, on SQLite and PostgreSQL: the
//! template per account type and area, inheritance and its withdrawal, drop folders, shares
//! with kinds of login, the privacy of own areas and of other schools, the API document.

use crate::common;
use crate::file_api;
use crate::file_helpers;
use axum::http::StatusCode;
use common::{TestApp, code};
use file_api::*;
use file_helpers::id;
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

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
        StatusCode::CREATED,
        "another's hidden file is neither overwritten nor revealed: Ben hands in his own"
    );
    assert_eq!(app.download(&t, &annas, &[]).await.body, b"Anna");
    assert_eq!(app.names(&ben, &drop).await, ["anna.txt", "ben.txt"]);
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
    the_template_decides_per_account_type_and_area,
    another_logins_own_area_is_not_found,
    a_class_grant_reaches_down_until_withdrawn,
    a_drop_folder_shows_each_student_only_their_own_work,
    admin_shares_with_kinds_of_login_within_the_matrix,
    another_schools_nodes_are_not_found,
    the_api_document_lists_the_file_endpoints,
);
