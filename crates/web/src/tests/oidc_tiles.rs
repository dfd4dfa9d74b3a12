//! Tiles that open a connected tool (OpenID Connect Core §4, third-party initiated login),
//! on SQLite and PostgreSQL: the initiate login URI on the admin's and the operator's tool
//! forms (checked at its field, German and English labels), the tiles in Mein Konto and the
//! card on the home page, the start (303 to the tool with `iss` and `target_link_uri`), the
//! 404s (another school's tool, a tool without the URI, a function account, unknown), and
//! what the tile page costs in SQL statements however many tools there are.

use axum::http::StatusCode;
use schulhof_domain::oidc::NewClient;

use super::statements::{install, statements_of};
use super::{App, app, app_on_postgres};

fn client_id_after(body: &str) -> String {
    let start = body.find("client_id</dt>").expect("client_id") + 14;
    let rest = &body[start..];
    let code = rest.find("<code>").expect("code") + 6;
    let end = rest[code..].find("</code>").expect("end");
    rest[code..code + end].to_owned()
}

async fn add(app: &App, school: Option<&str>, name: &str, initiate: &str) -> String {
    let host = name.to_lowercase();
    app.platform
        .system_oidc_add_client(&NewClient {
            school: school.map(str::to_owned),
            name: name.into(),
            redirect_uris: vec![format!("https://{host}.example/cb")],
            initiate_login_uri: initiate.into(),
            ..Default::default()
        })
        .await
        .expect("tool")
        .client_id
}

async fn tiles_open_tools(app: App) {
    let admin = app.ready("admin").await;
    let pupil = app.ready("schueler").await;
    let op = super::operator::operator_cookie(&app).await;
    // The fields, in German and English.
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Start-Adresse für die Anmeldung")
        .has("name=\"initiate_login_uri\"")
        .has("Einstiegsseite des Werkzeugs");
    app.get("/verwaltung/werkzeuge", &format!("{admin}; lang=en"))
        .await
        .assert(StatusCode::OK)
        .has("Initiate login URI")
        .has("Tool&#39;s landing page");
    app.get("/betrieb/werkzeuge", &op)
        .await
        .assert(StatusCode::OK)
        .has("name=\"initiate_login_uri\"");
    // A plain-http address off loopback is refused at its field; nothing is stored.
    let bad = [
        ("name", "Atlas"),
        ("redirect_uris", "https://atlas.example/cb"),
        ("initiate_login_uri", "http://atlas.example/login"),
    ];
    app.post("/verwaltung/werkzeuge", &admin, &bad)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("must use https")
        .has("aria-invalid");
    let off_host = [
        ("name", "Atlas"),
        ("redirect_uris", "https://atlas.example/cb"),
        ("initiate_login_uri", "https://atlas.example/login"),
        ("target_link_uri", "https://evil.example/"),
    ];
    app.post("/verwaltung/werkzeuge", &admin, &off_host)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("must be on the host");
    app.get("/konto/werkzeuge", &pupil)
        .await
        .assert(StatusCode::OK)
        .has("Meine Werkzeuge")
        .has("Keine Werkzeuge zum Öffnen.")
        .lacks("Atlas");
    // The admin registers one for the school, the operator one state-wide.
    let good = [
        ("name", "Atlas"),
        ("redirect_uris", "https://atlas.example/cb"),
        ("initiate_login_uri", "https://atlas.example/login"),
    ];
    let r = app.post("/verwaltung/werkzeuge", &admin, &good).await;
    r.assert(StatusCode::OK);
    let atlas = client_id_after(&r.body);
    let state = [
        ("name", "Bibliothek"),
        ("redirect_uris", "https://bib.example/cb"),
        ("initiate_login_uri", "https://bib.example/sso?x=1"),
        ("target_link_uri", "https://bib.example/regal/7?a=b&c=d"),
    ];
    let r = app.post("/betrieb/werkzeuge", &op, &state).await;
    r.assert(StatusCode::OK);
    let bib = client_id_after(&r.body);
    app.platform
        .system_create_school("200000", "Andere Schule")
        .await
        .expect("school");
    let other_school = add(&app, Some("200000"), "Chemie", "https://chemie.example/l").await;
    let plain = add(&app, Some("100000"), "Duden", "").await;

    // Mein Konto shows both as tiles (plain links); the home page as a card.
    let mine = app.get("/konto/werkzeuge", &pupil).await;
    mine.assert(StatusCode::OK)
        .has("Meine Werkzeuge")
        .has(&format!("href=\"/werkzeuge/{atlas}/start\""))
        .has(&format!("href=\"/werkzeuge/{bib}/start\""))
        .has("Mit dem Schulkonto öffnen")
        .lacks("Chemie")
        .lacks(&format!("/werkzeuge/{plain}/start"));
    app.get("/konto/werkzeuge", &format!("{pupil}; lang=en"))
        .await
        .has("My tools")
        .has("Open with the school account");
    app.get("/", &pupil)
        .await
        .assert(StatusCode::OK)
        .has("home-card-tools")
        .has(&format!("href=\"/werkzeuge/{atlas}/start\""))
        .has(&format!("href=\"/werkzeuge/{bib}/start\""));
    // A function account uses no tool: no tiles, no card.
    app.get("/", &admin).await.lacks("home-card-tools");
    app.get("/konto/werkzeuge", &admin)
        .await
        .lacks(&format!("/werkzeuge/{atlas}/start"));

    // The start: 303 to the initiate login URI with iss and target_link_uri, encoded.
    let r = app.get(&format!("/werkzeuge/{atlas}/start"), &pupil).await;
    r.assert(StatusCode::SEE_OTHER);
    let to = r.location().to_owned();
    assert!(
        to.starts_with("https://atlas.example/login?iss=http"),
        "{to}"
    );
    assert!(
        to.ends_with("&target_link_uri=https%3A%2F%2Fatlas.example%2F"),
        "{to}"
    );
    let r = app.get(&format!("/werkzeuge/{bib}/start"), &pupil).await;
    r.assert(StatusCode::SEE_OTHER);
    let to = r.location().to_owned();
    assert!(to.starts_with("https://bib.example/sso?x=1&iss="), "{to}");
    assert!(
        to.ends_with("&target_link_uri=https%3A%2F%2Fbib.example%2Fregal%2F7%3Fa%3Db%26c%3Dd"),
        "{to}"
    );
    // Another school's tool, one without the URI, an unknown one, a function account: 404.
    for id in [&other_school, &plain, &"t-unknown".to_owned()] {
        app.get(&format!("/werkzeuge/{id}/start"), &pupil)
            .await
            .assert(StatusCode::NOT_FOUND);
    }
    app.get(&format!("/werkzeuge/{atlas}/start"), &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Without a session: to the login page, and back to the start afterwards.
    let r = app.get(&format!("/werkzeuge/{atlas}/start"), "").await;
    assert!(r.location().starts_with("/anmelden"), "{}", r.location());
}

on_both_backends!(tiles_open_tools);

/// The tile page costs the same few statements with two tools as with twelve.
async fn tile_page_statements(app: App) {
    let pupil = app.ready("schueler").await;
    add(&app, Some("100000"), "Atlas", "https://atlas.example/l").await;
    add(&app, None, "Bibliothek", "https://bibliothek.example/l").await;
    let few = statements_of(&app, "/konto/werkzeuge", &pupil).await;
    for i in 0..10 {
        let school = (i % 2 == 0).then_some("100000");
        add(
            &app,
            school,
            &format!("Tool{i}"),
            &format!("https://tool{i}.example/l"),
        )
        .await;
    }
    let page = app.get("/konto/werkzeuge", &pupil).await;
    page.has("Tool9").has("Tool0");
    let many = statements_of(&app, "/konto/werkzeuge", &pupil).await;
    eprintln!("statements of /konto/werkzeuge: {few} (2 tools), {many} (12 tools)");
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the tiles cost a constant number of statements");
    assert!(many <= 6, "the page costs a few statements, not {many}");
}

#[tokio::test]
async fn the_tile_page_costs_a_few_statements_on_sqlite() {
    if !install() {
        return; // another subscriber counts already (not under nextest)
    }
    tile_page_statements(app().await).await;
}

#[tokio::test]
async fn the_tile_page_costs_a_few_statements_on_postgres() {
    if !install() {
        return;
    }
    tile_page_statements(app_on_postgres().await).await;
}
