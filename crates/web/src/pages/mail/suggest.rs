//! `/mail/adressen?q=`: address suggestions for the compose form's script, as JSON. The
//! domain offers only what the writer may send to (people of the own school, the lists of
//! the own groups).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schulhof_front::AppState;

use crate::auth::Ready;

#[derive(Debug, Default, serde::Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    pub q: String,
}

/// One option of the address list: the text put into the field and what is shown.
#[derive(serde::Serialize)]
struct Option_ {
    value: String,
    label: String,
}

pub async fn addresses(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<SuggestQuery>,
) -> Response {
    match state
        .platform
        .mail_address_suggestions(&r.actor, &q.q)
        .await
    {
        Ok(list) => {
            let out: Vec<Option_> = list
                .into_iter()
                .map(|s| Option_ {
                    value: format!("{} <{}>", s.name, s.address),
                    label: s.name,
                })
                .collect();
            ([(header::CACHE_CONTROL, "no-store")], Json(out)).into_response()
        }
        Err(e) => r.fail(e),
    }
}
