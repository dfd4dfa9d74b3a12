//! Admin views people can use, through the router without JavaScript: the log in names and
//! words with filters and a CSV export, the user list with classes and sorting, Safe
//! passwords for many teachers with printable letters (and the teacher's own one after),
//! and a deep link that survives the login and its gates. The scenarios that touch the
//! domain's queries run on SQLite and on PostgreSQL.

use axum::http::{StatusCode, header};

use super::links::between;
use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    the_log_names_people_filters_and_exports,
    the_user_list_shows_classes_and_sorts,
    the_principal_prints_safe_letters_and_teachers_choose_their_own,
);

/// The admin creates a teacher whose first name would be a formula in a spreadsheet.
async fn formula_teacher(app: &App, admin: &str) {
    let r = app
        .post(
            "/verwaltung/benutzer/neu",
            admin,
            &[
                ("art", "lehrer"),
                ("first_name", "=HYPERLINK(\"x\")"),
                ("last_name", "Formel"),
                ("login", "formel"),
            ],
        )
        .await;
    r.assert(StatusCode::OK);
}

async fn the_log_names_people_filters_and_exports(app: App) {
    let admin = app.ready("admin").await;
    formula_teacher(&app, &admin).await;
    app.post(
        "/verwaltung/benutzer/extern/aktiv",
        &admin,
        &[("aktiv", "nein")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let log = app.get("/verwaltung/protokoll", &admin).await;
    log.assert(StatusCode::OK)
        .has("<td>Konto deaktiviert</td>")
        .has("<td>Benutzer angelegt</td>")
        .has("<td>Admin (Funktionskonto)</td>")
        .has("<td>Lena Lehmann</td>")
        .has("<td>Eva Extern</td>")
        .has(r#"<label for="log-person">"#)
        .has(r#"<select id="log-action" name="aktion">"#)
        .has(r#"<option value="user.create">Benutzer angelegt</option>"#)
        .has(r#"href="/verwaltung/protokoll.csv?person=&#38;aktion=&#38;von=&#38;bis=""#)
        .lacks("UTC")
        .lacks("<td>user.create</td>");

    // By person: only what concerned (or was done by) Eva Extern.
    let eva = app.get("/verwaltung/protokoll?person=extern", &admin).await;
    eva.has("<td>Konto deaktiviert</td>")
        .lacks("<td>Benutzer angelegt</td>")
        .has(r#"value="extern""#);
    // By kind.
    let created = app
        .get("/verwaltung/protokoll?aktion=user.create", &admin)
        .await;
    created
        .has("<td>Benutzer angelegt</td>")
        .lacks("<td>Konto deaktiviert</td>")
        .has(r#"<option value="user.create" selected>"#);
    // By days: nothing in 2020; today's lines in a range that holds today.
    app.get(
        "/verwaltung/protokoll?von=2020-01-01&bis=2020-01-02",
        &admin,
    )
    .await
    .has("Keine Einträge passen zu diesem Filter.")
    .lacks("<td>Konto deaktiviert</td>");
    app.get(
        "/verwaltung/protokoll?von=2020-01-01&bis=2099-12-31",
        &admin,
    )
    .await
    .has("<td>Konto deaktiviert</td>");

    // The CSV of a filtered view: the same lines, cells inert against formulas.
    let csv = app
        .get("/verwaltung/protokoll.csv?aktion=user.create", &admin)
        .await;
    csv.assert(StatusCode::OK);
    let h = |name| {
        csv.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    assert_eq!(h(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert!(h(header::CONTENT_DISPOSITION).contains("protokoll.csv"));
    assert!(csv.body.starts_with("\u{FEFF}\"Zeitpunkt\";\"Person\";"));
    csv.has("\"Benutzer angelegt\"")
        .has("\"'=HYPERLINK(\"\"x\"\") Formel\"")
        .lacks("Konto deaktiviert");
    // Not for the teacher.
    let teacher = app.ready("lehrer").await;
    app.get("/verwaltung/protokoll.csv", &teacher)
        .await
        .assert(StatusCode::FORBIDDEN);
}

async fn the_user_list_shows_classes_and_sorts(app: App) {
    let admin = app.ready("admin").await;
    app.post(
        "/verwaltung/gruppen",
        &admin,
        &[("name", "6b"), ("kind", "klasse"), ("description", "")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let r = app
        .post(
            "/verwaltung/benutzer/neu",
            &admin,
            &[
                ("art", "schueler"),
                ("first_name", "Anton"),
                ("last_name", "Achter"),
                ("groups", "6b"),
            ],
        )
        .await;
    r.assert(StatusCode::OK);
    let list = app.get("/verwaltung/benutzer", &admin).await;
    list.assert(StatusCode::OK)
        .has(r#"<th scope="col" aria-sort="ascending"><a class="sort-link" href="/verwaltung/benutzer?q=&#38;typ=&#38;sort=name&#38;richtung=ab">Name"#)
        .has(r#"href="/verwaltung/benutzer?q=&#38;typ=&#38;sort=klasse&#38;richtung=auf">Klasse"#)
        .has("<td>5a</td>")
        .has("<td>6b</td>");
    let pos = |body: &str, s: &str| body.find(s).unwrap_or_else(|| panic!("{s} in list"));
    // By name (default): Achter before Lehmann.
    assert!(pos(&list.body, "Anton Achter") < pos(&list.body, "Lena Lehmann"));
    let by_class = app
        .get("/verwaltung/benutzer?sort=klasse&richtung=auf", &admin)
        .await;
    by_class.has(r#"aria-sort="ascending"><a class="sort-link" href="/verwaltung/benutzer?q=&#38;typ=&#38;sort=klasse&#38;richtung=ab">"#);
    assert!(pos(&by_class.body, "Lena Lehmann") < pos(&by_class.body, "Anton Achter"));
    // Without a class last, both ways.
    assert!(pos(&by_class.body, "Anton Achter") < pos(&by_class.body, "Eva Extern"));
    let desc = app
        .get("/verwaltung/benutzer?sort=klasse&richtung=ab", &admin)
        .await;
    desc.has(r#"aria-sort="descending""#);
    assert!(pos(&desc.body, "Anton Achter") < pos(&desc.body, "Lena Lehmann"));
    assert!(pos(&desc.body, "Lena Lehmann") < pos(&desc.body, "Eva Extern"));
    let by_login = app
        .get("/verwaltung/benutzer?sort=login&richtung=ab", &admin)
        .await;
    assert!(
        pos(&by_login.body, "<code>sekretariat</code>") < pos(&by_login.body, "<code>admin</code>")
    );
    // The search keeps the order; paging links keep both.
    app.get("/verwaltung/benutzer?sort=typ&richtung=auf&q=a", &admin)
        .await
        .assert(StatusCode::OK)
        .has(r#"<input type="hidden" name="sort" value="typ">"#);
}

async fn the_principal_prints_safe_letters_and_teachers_choose_their_own(app: App) {
    let head = app.ready("schulleitung").await;
    let page = app.get("/safe/passwoerter", &head).await;
    page.assert(StatusCode::OK)
        .has(r#"action="/safe/passwoerter/briefe""#)
        .has(r#"<input type="checkbox" name="login" value="lehrer" id="pick-lehrer" checked>"#)
        .has(r#"value="personal""#)
        .lacks(r#"value="schueler""#)
        .has("noch keines");
    let none = app.post("/safe/passwoerter/briefe", &head, &[]).await;
    none.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"role="alert""#)
        .has("mindestens eine Lehrkraft");
    let letters = app
        .post(
            "/safe/passwoerter/briefe",
            &head,
            &[("login", "lehrer"), ("login", "personal")],
        )
        .await;
    letters
        .assert(StatusCode::OK)
        .has("Briefe mit Safe-Passwörtern")
        .has("Guten Tag Lena Lehmann,")
        .has("Guten Tag Paul Hausmann,");
    assert_eq!(
        letters
            .body
            .matches(r#"<article class="safe-letter""#)
            .count(),
        2
    );
    assert_eq!(
        letters
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let start = letters.body.find("Lena Lehmann").expect("Lena's letter");
    let password = between(&letters.body[start..], r#"<code class="secret">"#, "<").to_owned();
    app.get("/safe/passwoerter", &head)
        .await
        .has("erzeugt, noch kein eigenes gewählt");

    // The teacher opens the Safe with it and is asked for her own right there.
    let teacher = app.ready("lehrer").await;
    app.post(
        "/safe/oeffnen",
        &teacher,
        &[("passwort", password.as_str()), ("zurueck", "")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let safe = app.get("/safe", &teacher).await;
    safe.assert(StatusCode::OK)
        .has("Sie nutzen noch das erzeugte Safe-Passwort")
        .has(r#"<form method="post" action="/safe/passwort""#);
    let own = app
        .post(
            "/safe/passwort",
            &teacher,
            &[
                ("new", "mein-eigenes-safe-pw"),
                ("repeat", "mein-eigenes-safe-pw"),
            ],
        )
        .await;
    own.assert(StatusCode::SEE_OTHER);
    app.get("/safe", &teacher)
        .await
        .lacks("Sie nutzen noch das erzeugte Safe-Passwort");
    app.get("/safe/passwoerter", &head)
        .await
        .has("eigenes gewählt");
    // Neither the teacher nor the admin prints letters.
    app.post(
        "/safe/passwoerter/briefe",
        &teacher,
        &[("login", "personal")],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    let admin = app.ready("admin").await;
    app.get("/safe/passwoerter", &admin)
        .await
        .assert(StatusCode::OK)
        .lacks("/safe/passwoerter/briefe");
}

#[tokio::test]
async fn a_deep_link_leads_back_after_the_login_and_its_gates() {
    let app = app().await;
    let r = app.get("/verwaltung/benutzer?q=lena", "").await;
    assert_eq!(
        r.location(),
        "/anmelden?zurueck=%2Fverwaltung%2Fbenutzer%3Fq%3Dlena"
    );
    let form = app.get(r.location(), "").await;
    form.assert(StatusCode::OK)
        .has(r#"<form method="post" action="/anmelden""#)
        .has(r#"<input type="hidden" name="zurueck" value="/verwaltung/benutzer?q=lena">"#);
    let login = |target: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/anmelden",
                "",
                &[
                    ("schule", "100000"),
                    ("login", "admin"),
                    ("passwort", "schulhof-demo"),
                    ("zurueck", target),
                ],
            )
            .await
        }
    };
    // Not yet consented: the target waits in a cookie while the gate is passed.
    let first = login("/verwaltung/benutzer?q=lena").await;
    assert_eq!(first.location(), "/verwaltung/benutzer?q=lena");
    let session = first.cookie("schulhof_session").expect("session cookie");
    let gated = app.get(first.location(), &session).await;
    assert_eq!(gated.location(), "/zustimmung");
    let back = gated.cookie("schulhof_zurueck").expect("target remembered");
    let both = format!("{session}; {back}");
    let consent = app
        .post(
            "/zustimmung",
            &both,
            &[("antwort", "annehmen"), ("datenschutz", "ja")],
        )
        .await;
    assert_eq!(consent.location(), "/verwaltung/benutzer?q=lena");
    assert_eq!(
        consent.cookie("schulhof_zurueck").as_deref(),
        Some("schulhof_zurueck="),
        "the remembered target is cleared"
    );
    app.get("/verwaltung/benutzer?q=lena", &session)
        .await
        .assert(StatusCode::OK)
        .has("Lena Lehmann");
    // Signed in already: the login page goes straight on.
    assert_eq!(
        app.get("/anmelden?zurueck=%2Fkonto", &session)
            .await
            .location(),
        "/konto"
    );
    // Only local paths.
    for evil in ["//evil.example/x", "https://evil.example", "/\\evil"] {
        assert_eq!(login(evil).await.location(), "/", "{evil}");
    }
    app.get("/anmelden?zurueck=%2F%2Fevil.example", "")
        .await
        .assert(StatusCode::OK)
        .lacks(r#"name="zurueck""#);
}

#[tokio::test]
async fn the_log_page_costs_the_same_statements_for_2_or_40_lines() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    let admin = app.ready("admin").await;
    let toggle = |on: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            app.post("/verwaltung/benutzer/extern/aktiv", admin, &[("aktiv", on)])
                .await
                .assert(StatusCode::SEE_OTHER);
        }
    };
    toggle("nein").await;
    toggle("ja").await;
    // Once before counting: the first request of a session may write its last use.
    statements_of(&app, "/verwaltung/protokoll", &admin).await;
    let few = statements_of(&app, "/verwaltung/protokoll", &admin).await;
    for _ in 0..19 {
        toggle("nein").await;
        toggle("ja").await;
    }
    let many = statements_of(&app, "/verwaltung/protokoll", &admin).await;
    let csv = statements_of(&app, "/verwaltung/protokoll.csv", &admin).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(
        few, many,
        "the log page's statements do not grow with its lines"
    );
    assert!(
        many <= 12,
        "the log page costs a few statements, not {many}"
    );
    assert!(csv <= many, "the export costs no more than the page: {csv}");
}
