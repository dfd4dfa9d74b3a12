//! The public start page through the whole application (every layer a response passes),
//! on SQLite and PostgreSQL: no cookie before login on any public response, the demo
//! school's start page with its two pages, sub-pages, pictures, the tile bar script loadable
//! from any origin, the redirect to a school's own website, and the editor's pages.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use schulhof_store::{Db, backend_tests};
use tower::ServiceExt;

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Got {
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Got {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &TestApp, path: &str, extra: &[(&str, &str)]) -> Got {
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "schulhof.test");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    send(app, req.body(Body::empty()).expect("request")).await
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &str) -> Got {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "schulhof.test")
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    send(app, req).await
}

fn header<'a>(g: &'a Got, name: &str) -> &'a str {
    g.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn demo(db: Db) -> TestApp {
    let app = TestApp::new(db).await;
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo data");
    app
}

/// A path, the request's extra headers, and the status it must answer.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], StatusCode);

async fn public_responses_never_set_a_cookie(db: Db) {
    let app = demo(db).await;
    let lang_cookie = [("cookie", "lang=en")];
    let cases: &[Case] = &[
        ("/schule/100000/", &[], StatusCode::OK),
        (
            "/schule/100000/",
            &[("accept-language", "en")],
            StatusCode::OK,
        ),
        ("/schule/100000/", &lang_cookie, StatusCode::OK),
        ("/schule/100000/seite/ueber-uns", &[], StatusCode::OK),
        ("/schule/100000/seite/anmeldung", &[], StatusCode::OK),
        (
            "/schule/100000/seite/gibt-es-nicht",
            &[],
            StatusCode::NOT_FOUND,
        ),
        ("/schule/999999/", &[], StatusCode::NOT_FOUND),
        ("/schule/keine-nummer/", &[], StatusCode::NOT_FOUND),
        ("/schule/100000", &[], StatusCode::PERMANENT_REDIRECT),
        ("/schule/100000/kacheln.js", &[], StatusCode::OK),
    ];
    for (path, extra, status) in cases {
        // Twice: cold and from the cache.
        for _ in 0..2 {
            let g = get(&app, path, extra).await;
            assert_eq!(g.status, *status, "{path}");
            assert!(
                g.headers.get(header::SET_COOKIE).is_none(),
                "{path} sets a cookie"
            );
        }
    }
    let de = get(&app, "/schule/100000/", &[]).await;
    for part in [
        "Demo-Gymnasium",
        "Willkommen am Demo-Gymnasium",
        "/schule/100000/seite/ueber-uns",
        "/schule/100000/seite/anmeldung",
        "action=\"/anmelden\"",
        "name=\"schule\" value=\"100000\"",
        "lang=\"de\"",
    ] {
        assert!(de.body.contains(part), "start page lacks {part}");
    }
    assert!(header(&de, "content-type").starts_with("text/html"));
    assert!(header(&de, "vary").contains("Accept-Language"));
    let en = get(&app, "/schule/100000/", &[("accept-language", "en")]).await;
    assert!(en.body.contains("lang=\"en\"") && en.body.contains("Log in"));
    let about = get(&app, "/schule/100000/seite/ueber-uns", &[]).await;
    assert!(
        about.body.contains("<h1>Über uns</h1>") && about.body.contains("aria-current=\"page\"")
    );
}

async fn the_tile_bar_loads_from_any_origin_with_its_data_inside(db: Db) {
    let app = demo(db).await;
    let g = get(
        &app,
        "/schule/100000/kacheln.js",
        &[("origin", "https://www.schule.example")],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(header(&g, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&g, "access-control-allow-origin"), "*");
    assert_eq!(header(&g, "cross-origin-resource-policy"), "cross-origin");
    assert!(
        g.body
            .contains("http://schulhof.test/schule/100000/#anmelden"),
        "{}",
        g.body
    );
    assert!(
        !g.body.contains("__DATA__") && !g.body.contains("fetch(") && !g.body.contains("cookie")
    );
    assert!(!g.body.contains("innerHTML"));
    let req = Request::builder()
        .uri("/schule/100000/kacheln.js")
        .header(header::HOST, "evil\"host")
        .body(Body::empty())
        .expect("request");
    let bad_host = send(&app, req).await;
    assert_ne!(bad_host.status, StatusCode::OK);
    assert_eq!(
        get(&app, "/schule/999999/kacheln.js", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn the_editor_previews_saves_and_publishes(db: Db) {
    let app = demo(db).await;
    let teacher = app.ready("lehrer").await;
    let r = post_form(
        &app,
        "/verwaltung/startseite/seiten/neu",
        &teacher,
        "titel=X&text=y",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no homepage.admin: no editor"
    );
    let staff = app.ready("personal").await;
    let form = "titel=Mensa&adresse=mensa&text=%3Cp%3EEssen%3Cscript%3Ealert(1)%3C%2Fscript%3E%3C%2Fp%3E&veroeffentlicht=ja";
    let preview = post_form(
        &app,
        "/verwaltung/startseite/seiten/neu",
        &staff,
        &format!("{form}&aktion=vorschau"),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    // The form shows the typed text again (escaped); the preview shows it sanitised.
    assert!(preview.body.contains("<p>Essen</p>"), "{}", preview.body);
    assert!(!preview.body.contains("<script>alert"));
    assert_eq!(
        get(&app, "/schule/100000/seite/mensa", &[]).await.status,
        StatusCode::NOT_FOUND,
        "a preview stores nothing"
    );
    let saved = post_form(
        &app,
        "/verwaltung/startseite/seiten/neu",
        &staff,
        &format!("{form}&aktion=speichern"),
    )
    .await;
    assert!(saved.status.is_redirection(), "{}", saved.status);
    let page = get(&app, "/schule/100000/seite/mensa", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<p>Essen</p>") && !page.body.contains("alert(1)"));
    assert!(
        get(&app, "/schule/100000/", &[])
            .await
            .body
            .contains("/schule/100000/seite/mensa")
    );
    let dup = post_form(
        &app,
        "/verwaltung/startseite/seiten/neu",
        &staff,
        &format!("{form}&aktion=speichern"),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(
        dup.body
            .contains("Diese Adresse hat schon eine andere Seite."),
        "a clear error"
    );
    let bad = post_form(
        &app,
        "/verwaltung/startseite",
        &staff,
        "begruessung=x&weiterleitung=http%3A%2F%2Fschule.de",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("https://"));
    let editor = get(
        &app,
        "/verwaltung/startseite",
        &[("cookie", &format!("schulhof_session={staff}"))],
    )
    .await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("Mensa") && editor.body.contains("kacheln.js"));
}

async fn pictures_and_the_redirect_are_served_publicly(db: Db) {
    let app = demo(db).await;
    let staff = app.ready("personal").await;
    let actor = app.platform.session(&staff).await.expect("session").actor;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let img = app
        .platform
        .homepage_upload_image(&actor, "hof.png", png)
        .await
        .expect("upload");
    let g = get(&app, &format!("/schule/100000/bild/{}", img.id), &[]).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(header(&g, "content-type"), "image/png");
    assert_eq!(header(&g, "x-content-type-options"), "nosniff");
    assert!(header(&g, "cache-control").contains("immutable"));
    assert!(g.headers.get(header::SET_COOKIE).is_none());
    assert_eq!(
        get(&app, &format!("/schule/999999/bild/{}", img.id), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.platform
        .homepage_save_settings(&actor, "", "https://www.demo-gymnasium.example/")
        .await
        .expect("redirect");
    let r = get(&app, "/schule/100000/", &[]).await;
    assert_eq!(r.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        header(&r, "location"),
        "https://www.demo-gymnasium.example/"
    );
    assert!(r.headers.get(header::SET_COOKIE).is_none());
}

backend_tests!(
    public_responses_never_set_a_cookie,
    the_tile_bar_loads_from_any_origin_with_its_data_inside,
    the_editor_previews_saves_and_publishes,
    pictures_and_the_redirect_are_served_publicly,
);
