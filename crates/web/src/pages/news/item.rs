//! `GET /neuigkeiten/{id}`: one item for its readers (opening it marks it read) and its
//! editors (also drafts and scheduled ones).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::news::NewsFile;
use schulhof_front::AppState;

use super::{parse_id, state_label};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "news/item.html")]
pub struct ItemPage {
    pub c: Chrome,
    pub title: String,
    /// Sanitised by the domain.
    pub body: String,
    pub meta: String,
    pub state: &'static str,
    pub audience: &'static str,
    pub images: Vec<FileLink>,
    pub attachments: Vec<FileLink>,
    pub edit_href: Option<String>,
    pub back_href: String,
    pub back_label: &'static str,
}

pub struct FileLink {
    pub href: String,
    pub name: String,
    pub size: String,
}

/// The item's pictures and other files, as links under the school's public file path.
pub fn file_links(school: &str, files: &[NewsFile]) -> (Vec<FileLink>, Vec<FileLink>) {
    let link = |f: &NewsFile| FileLink {
        href: format!("/schule/{school}/neuigkeiten/datei/{}", f.id),
        name: f.name.clone(),
        size: format!("{:.1} MB", f.size as f64 / 1_048_576.0).replace("0.0 MB", "< 0.1 MB"),
    };
    (
        files.iter().filter(|f| f.image).map(link).collect(),
        files.iter().filter(|f| !f.image).map(link).collect(),
    )
}

/// `GET /neuigkeiten/{id}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let item = match p.news_item(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let files = match p
        .news_files(Some(&r.actor), &r.actor.school_number, id)
        .await
    {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let (images, attachments) = file_links(&r.actor.school_number, &files);
    let view = ItemPage {
        c: Chrome::new(&r.page, item.title.clone()).signed_in(&r.page, &r.actor),
        meta: tr
            .t("news.meta")
            .replace("{date}", &zone.date(tr, item.from))
            .replace("{author}", &item.author_name),
        state: state_label(tr, item.state),
        audience: tr.t(if item.public {
            "news.public"
        } else {
            "news.restricted"
        }),
        edit_href: item
            .may_edit
            .then(|| format!("/neuigkeiten/{id}/bearbeiten")),
        title: item.title,
        body: item.body,
        images,
        attachments,
        back_href: "/neuigkeiten".into(),
        back_label: tr.t("news.back"),
    };
    render::ok(&view)
}
