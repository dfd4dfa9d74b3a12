//! The operators' school list costs the same few statements for one school or many: one
//! query for the whole list with its counts, plus the session.

use axum::http::StatusCode;
use schulhof_domain::operators::totp;

use super::statements::{install, statements_of};
use super::{App, app};

/// Logs an operator-admin in through the pages and replaces the one-time password.
pub(super) async fn operator_cookie(app: &App) -> String {
    operator_login(app, "root.betrieb", "operator-admin").await
}

/// Logs an operator of `role` in through the console and replaces the one-time password.
pub(super) async fn operator_login(app: &App, login: &str, role: &str) -> String {
    let made = app
        .platform
        .system_create_operator(login, role)
        .await
        .expect("create");
    let b32 = made
        .otpauth_uri
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("secret="))
        .expect("secret");
    let (mut secret, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in b32.bytes() {
        let v = if c.is_ascii_uppercase() {
            c - b'A'
        } else {
            c - b'2' + 26
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            secret.push((buffer >> bits) as u8);
        }
    }
    let code = totp::code_at_step(&secret, totp::step_at(app.platform.now().timestamp()));
    let form = [
        ("login", login),
        ("passwort", made.one_time_password.as_str()),
        ("code", code.as_str()),
    ];
    let r = app.post("/betrieb/anmelden", "", &form).await;
    r.assert(StatusCode::SEE_OTHER);
    let cookie = r.cookie("schulhof_betrieb").expect("operator cookie");
    let new = "ein-langes-betriebspasswort";
    let pw = [
        ("old", made.one_time_password.as_str()),
        ("new", new),
        ("repeat", new),
    ];
    app.post("/betrieb/passwort", &cookie, &pw)
        .await
        .assert(StatusCode::SEE_OTHER);
    cookie
}

#[tokio::test]
async fn the_school_list_costs_the_same_for_one_school_or_many() {
    if !install() {
        return;
    }
    let app = app().await;
    let cookie = operator_cookie(&app).await;
    let few = statements_of(&app, "/betrieb/", &cookie).await;
    for i in 0..20 {
        app.platform
            .system_create_school(&format!("{}", 300_000 + i), &format!("Schule {i}"))
            .await
            .expect("school");
    }
    let many = statements_of(&app, "/betrieb/", &cookie).await;
    app.get("/betrieb/", &cookie).await.has("Schule 19");
    assert_eq!(few, many, "one query for the list, whatever its length");
    assert!(many <= 2, "session and list: {many} statements");
}

/// A failed operator login speaks of what the form asks for (user name, password, code),
/// never of the school number that only school accounts have; in German and in English.
async fn a_failed_login_names_the_operator_fields(app: App) {
    let made = app
        .platform
        .system_create_operator("anna.betrieb", "operator-admin")
        .await
        .expect("create");
    let wrong_password = [
        ("login", "anna.betrieb"),
        ("passwort", "falsch"),
        ("code", "123456"),
    ];
    let wrong_code = [
        ("login", "anna.betrieb"),
        ("passwort", made.one_time_password.as_str()),
        ("code", "000000"),
    ];
    for form in [&wrong_password[..], &wrong_code[..]] {
        let r = app.post("/betrieb/anmelden", "", form).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert!(r.cookie("schulhof_betrieb").is_none());
        r.has("Benutzername, Passwort oder Code stimmen nicht.")
            .lacks("Schulnummer");
    }
    let r = app
        .post("/betrieb/anmelden", "lang=en", &wrong_password)
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    r.has("Wrong user name, password or code.")
        .lacks("school number");
}

on_both_backends!(a_failed_login_names_the_operator_fields);
