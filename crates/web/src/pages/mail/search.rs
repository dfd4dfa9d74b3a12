//! `/mail/suche`: messages of every own folder by sender, recipient, subject and full text;
//! every field filled in must match. The side bar's search box fills the full text.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::mail::{MailQuery, Special};
use schulhof_front::AppState;

use super::folder::{Row, row};
use super::{Sidebar, folder_label, sidebar};
use crate::auth::Ready;
use crate::forms::{Field, FormView};
use crate::layout::Chrome;
use crate::render;

/// Results shown; more means the search should be narrower.
const LIMIT: u32 = 100;

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub von: String,
    #[serde(default)]
    pub an: String,
    #[serde(default)]
    pub betreff: String,
}

impl SearchQuery {
    fn is_empty(&self) -> bool {
        [&self.text, &self.von, &self.an, &self.betreff]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "mail/search.html")]
struct SearchPage {
    c: Chrome,
    side: Sidebar,
    form: FormView,
    searched: bool,
    rows: Vec<Row>,
    more: bool,
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<SearchQuery>,
) -> Response {
    match render_search(&state, &r, &q).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

async fn render_search(
    state: &AppState,
    r: &Ready,
    q: &SearchQuery,
) -> Result<Response, DomainError> {
    let tr = r.page.tr();
    let p = &state.platform;
    let folders = p.mail_folders(&r.actor).await?;
    let mut rows = Vec::new();
    let mut more = false;
    if !q.is_empty() {
        let query = MailQuery {
            folder: None,
            from: some(&q.von),
            to: some(&q.an),
            subject: some(&q.betreff),
            text: some(&q.text),
            unseen_only: false,
            limit: LIMIT + 1,
        };
        let mut found = p.mail_search(&r.actor, &query).await?;
        more = found.len() > LIMIT as usize;
        found.truncate(LIMIT as usize);
        for m in &found {
            let folder = folders.iter().find(|f| f.id == m.folder);
            let outgoing = folder
                .is_some_and(|f| matches!(f.special, Some(Special::Sent) | Some(Special::Drafts)));
            let mut line = row(r, m, outgoing);
            line.folder = folder.map(|f| folder_label(tr, f)).unwrap_or_default();
            rows.push(line);
        }
    }
    let field = |id: &str, name: &'static str, key: &str, v: &str| {
        Field::new(tr, format!("search-{id}"), name, key)
            .kind("search")
            .value(v.to_owned())
    };
    let form = FormView::new(
        "search",
        vec![
            field("text", "text", "mail.search.text", &q.text),
            field("von", "von", "mail.search.from", &q.von),
            field("an", "an", "mail.search.to", &q.an),
            field("betreff", "betreff", "mail.search.subject", &q.betreff),
        ],
        None,
    );
    let side = sidebar(state, r, &folders, None).await?;
    let view = SearchPage {
        c: Chrome::new(&r.page, tr.t("mail.search.title")).signed_in(&r.page, &r.actor),
        side,
        form,
        searched: !q.is_empty(),
        rows,
        more,
    };
    Ok(render::ok(&view))
}
