//! `/sprache?lang=en&zurueck=/path`: sets the language cookie and goes back.

use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_front::Lang;
use serde::Deserialize;

use crate::url;

#[derive(Debug, Default, Deserialize)]
pub struct Switch {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    zurueck: String,
}

pub async fn switch(jar: CookieJar, Query(q): Query<Switch>) -> Response {
    let lang = Lang::parse(&q.lang).unwrap_or_default();
    // A lasting preference, not a secret; no script needs to read it.
    let cookie = Cookie::build(("lang", lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .permanent()
        .build();
    // Only a path on this site: never an open redirect.
    let back = url::local_path(&q.zurueck).to_owned();
    (jar.add(cookie), Redirect::to(&back)).into_response()
}
