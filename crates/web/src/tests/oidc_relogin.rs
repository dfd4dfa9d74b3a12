//! A login over the session cookie a browser still carries (the fresh login a connected tool
//! demands with `prompt=login` or `max_age`, or any login) ends that old session: a cookie
//! planted or left behind opens nothing afterwards. On SQLite and PostgreSQL.

use axum::http::StatusCode;
use schulhof_front::SESSION_COOKIE;

use super::{App, app, app_on_postgres};

async fn scenario(app: App) {
    let old = app.ready("lehrer").await;
    app.get("/konto", &old).await.assert(StatusCode::OK);
    let form = [
        ("schule", "100000"),
        ("login", "lehrer"),
        ("passwort", "schulhof-demo"),
        ("zurueck", "/konto"),
    ];
    let r = app.post("/anmelden", &old, &form).await;
    r.assert(StatusCode::SEE_OTHER);
    let fresh = r.cookie(SESSION_COOKIE).expect("a new session");
    assert_ne!(fresh, old);
    let stale = app.get("/konto", &old).await;
    assert_ne!(stale.status, StatusCode::OK, "the old session is over");
    app.get("/konto", &fresh).await.assert(StatusCode::OK);
}

#[tokio::test]
async fn relogin_ends_the_old_session_on_sqlite() {
    scenario(app().await).await;
}

#[tokio::test]
async fn relogin_ends_the_old_session_on_postgres() {
    scenario(app_on_postgres().await).await;
}
