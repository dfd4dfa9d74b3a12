//! The shell: the language follows the browser until the switch is used, the menu and the
//! navigation are in every signed-in page and work without JavaScript, the flash comes first.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::{App, Resp};

impl App {
    async fn get_with(&self, path: &str, headers: &[(header::HeaderName, &str)]) -> Resp {
        let mut req = Request::get(path);
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }
}

async fn accept_language_picks_the_language_and_the_cookie_wins(app: App) {
    let al = header::ACCEPT_LANGUAGE;
    let r = app
        .get_with("/anmelden", &[(al.clone(), "en-GB,en;q=0.9,de;q=0.5")])
        .await;
    r.assert(StatusCode::OK)
        .has("<html lang=\"en\">")
        .has("Log in");
    let r = app
        .get_with("/anmelden", &[(al.clone(), "fr-FR, de;q=0.8, en;q=0.6")])
        .await;
    r.assert(StatusCode::OK).has("<html lang=\"de\">");
    // Neither German nor English wanted: German.
    let r = app
        .get_with("/anmelden", &[(al.clone(), "fr, it;q=0.5")])
        .await;
    r.has("<html lang=\"de\">");
    let r = app.get_with("/anmelden", &[]).await;
    r.has("<html lang=\"de\">");
    // Once chosen with the switch, the cookie wins over the browser.
    let switch = app.get("/sprache?lang=de&zurueck=/anmelden", "").await;
    let cookie = switch.cookie("lang").expect("lang cookie");
    let r = app
        .get_with(
            "/anmelden",
            &[(al, "en"), (header::COOKIE, cookie.as_str())],
        )
        .await;
    r.has("<html lang=\"de\">").has("Anmelden");
}

async fn the_menu_and_navigation_work_without_javascript(app: App) {
    let cookie = app.ready("lehrer").await;
    let r = app.get("/konto", &cookie).await;
    r.assert(StatusCode::OK)
        // A disclosure that opens without script, holding the navigation and logout.
        .has("<details class=\"menu\">")
        .has("<summary class=\"menu-button\">")
        .has("Menü</span></summary>")
        .has("<nav class=\"main-nav\" aria-label=\"Hauptnavigation\">")
        .has("<a href=\"/konto\" aria-current=\"page\">")
        .has("<a href=\"/dateien\">")
        .has("action=\"/abmelden\"")
        // The icons come from the sprite, the script only enhances.
        .has("/static/icons.svg?v=")
        .has("/static/shell.js?v=")
        .has(" defer></script>");
    // The sprite and the script are served.
    let sprite = app.get(&crate::assets::href("icons.svg"), "").await;
    sprite.assert(StatusCode::OK).has("<symbol id=\"i-folder\"");
    let js = app.get(&crate::assets::href("shell.js"), "").await;
    js.assert(StatusCode::OK).has("Escape");
    // The student's menu has no administration; the admin's has it.
    let student = app.ready("schueler").await;
    app.get("/", &student)
        .await
        .has("<nav class=\"main-nav\"")
        .lacks("/verwaltung/benutzer");
    let admin = app.ready("admin").await;
    app.get("/", &admin)
        .await
        .has("<a href=\"/verwaltung/benutzer\">");
}

async fn the_flash_comes_first_in_main(app: App) {
    let cookie = app.ready("lehrer").await;
    let r = app.get("/konto?ok=consent_given", &cookie).await;
    let main = r
        .body
        .split("<main id=\"main\" tabindex=\"-1\">")
        .nth(1)
        .expect("main");
    let first = main.trim_start();
    assert!(
        first.starts_with("<div class=\"flash-region\" role=\"status\"><p class=\"flash toast\">"),
        "flash is not first in main: {}",
        &first[..first.len().min(200)]
    );
}

async fn the_component_page_shows_every_component(app: App) {
    let cookie = app.ready("lehrer").await;
    let r = app.get("/oberflaeche", &cookie).await;
    r.assert(StatusCode::OK)
        .has("<table class=\"cards\">")
        .has("data-label=\"Größe\"")
        .has("<dialog class=\"dialog\" id=\"ui-dialog\"")
        .has("data-dialog=\"ui-dialog\"")
        .has("class=\"empty\"")
        .has("class=\"panel\"")
        .has("class=\"flash toast\"")
        .lacks("id=\"ui-rename\"");
    // Without JavaScript the dialog's link leads to the same form in the page.
    let r = app.get("/oberflaeche?dialog=umbenennen", &cookie).await;
    r.assert(StatusCode::OK).has("id=\"ui-rename\"");
}

on_both_backends!(
    accept_language_picks_the_language_and_the_cookie_wins,
    the_menu_and_navigation_work_without_javascript,
    the_flash_comes_first_in_main,
    the_component_page_shows_every_component,
);
