//! `/api/v1/news`: the news items that concern the caller (paged, newest first) and one item.
//! The domain filters the audience inside its query; a hidden item answers 404 like a
//! missing one. Opening an item marks it read, as on the page.

use axum::Json;
use axum::extract::{Path, Query, State};
use schulhof_domain::DomainError;
use schulhof_domain::news::{NewsId, NewsItem};
use schulhof_front::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::Authed;
use crate::openapi::{Endpoint, object};

/// Items a page holds unless the caller asks for fewer or more (at most 100).
const PAGE: i64 = 20;

pub const NEWS_ENDPOINTS: &[Endpoint] = &[
    (
        "get",
        "/api/v1/news",
        "The news items the caller may read now, newest first; paged with limit (1-100, default 20) and offset",
        None,
        200,
        Some("NewsPage"),
    ),
    (
        "get",
        "/api/v1/news/{id}",
        "One news item (its author also sees drafts); marks it read. Hidden or unknown: 404",
        None,
        200,
        Some("NewsItem"),
    ),
];

pub(crate) fn news_schemas() -> Value {
    let mut item = object(
        &[
            ("id", "string"),
            ("title", "string"),
            ("summary", "string"),
            ("body", "string"),
            ("author", "string"),
            ("public", "boolean"),
            ("from", "string"),
            ("state", "string"),
            ("updated", "string"),
            ("read", "boolean"),
            ("may_edit", "boolean"),
            ("url", "string"),
        ],
        &[
            "id", "title", "summary", "body", "author", "public", "from", "until", "state",
            "updated", "read", "may_edit", "url",
        ],
    );
    item["properties"]["until"] = json!({ "type": ["string", "null"] });
    item["properties"]["state"]["enum"] = json!(["draft", "scheduled", "visible", "expired"]);
    item["properties"]["body"]["description"] = json!("Sanitised HTML");
    json!({
        "NewsItem": item,
        "NewsPage": {
            "type": "object",
            "required": ["items", "offset", "limit", "more"],
            "properties": {
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/NewsItem" } },
                "offset": { "type": "integer" },
                "limit": { "type": "integer" },
                "more": { "type": "boolean" }
            }
        }
    })
}

/// One item as the API shows it.
#[derive(Serialize)]
pub struct Item {
    id: String,
    title: String,
    summary: String,
    body: String,
    author: String,
    public: bool,
    from: String,
    until: Option<String>,
    state: &'static str,
    updated: String,
    read: bool,
    may_edit: bool,
    /// The item's page in the web front-end.
    url: String,
}

impl From<NewsItem> for Item {
    fn from(n: NewsItem) -> Self {
        Item {
            id: n.id.to_string(),
            url: format!("/neuigkeiten/{}", n.id),
            title: n.title,
            summary: n.summary,
            body: n.body,
            author: n.author_name,
            public: n.public,
            from: n.from.to_rfc3339(),
            until: n.until.map(|u| u.to_rfc3339()),
            state: n.state.as_str(),
            updated: n.updated.to_rfc3339(),
            read: n.read,
            may_edit: n.may_edit,
        }
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
pub struct Page {
    items: Vec<Item>,
    offset: i64,
    limit: i64,
    more: bool,
}

/// `GET /api/v1/news`.
pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = q.limit.unwrap_or(PAGE);
    let offset = q.offset.unwrap_or(0);
    let (items, more) = state.platform.news_page(&actor, offset, limit).await?;
    Ok(Json(Page {
        items: items.into_iter().map(Item::from).collect(),
        offset,
        limit,
        more,
    }))
}

/// `GET /api/v1/news/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Item>, ApiError> {
    // A malformed id is as unknown as a hidden one.
    let id: NewsId = id.parse().map_err(|_| DomainError::NotFound)?;
    Ok(Json(state.platform.news_item(&actor, id).await?.into()))
}
