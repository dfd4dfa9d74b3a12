//! News: items with a title, a sanitised rich-text body, pictures and attachments, a
//! publication period and an audience (public, or groups, persons, account types). Every
//! access is decided by `schulhof_authz::news`; readers' lists filter the audience inside
//! the SQL query. Public items also reach the start page and the feeds. See
//! /work/notes/news-api.md.

mod demo;
mod due;
pub mod feed;
mod files;
mod public;
mod read;
mod text;
mod write;

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, UserId};
use serde::Serialize;

pub use files::{MAX_ATTACHMENT, MAX_IMAGE, NewsFile, NewsFileContent};
pub(crate) use public::public_school;
pub use public::{PublicNews, public_url};
pub use schulhof_store::news::NewsId;
pub use text::{sanitize, summary_of};
pub use write::{AudienceInput, NewsInput};

/// Where an item stands, seen at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NewsState {
    Draft,
    /// Published, its period has not begun.
    Scheduled,
    Visible,
    /// Published, its period is over.
    Expired,
}

impl NewsState {
    pub fn as_str(self) -> &'static str {
        match self {
            NewsState::Draft => "draft",
            NewsState::Scheduled => "scheduled",
            NewsState::Visible => "visible",
            NewsState::Expired => "expired",
        }
    }
}

/// Who a restricted item is for, with names for showing it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AudienceView {
    pub groups: Vec<(GroupId, String)>,
    pub users: Vec<(UserId, String)>,
    pub account_types: Vec<String>,
}

/// One item as a reader or its editor sees it.
#[derive(Clone, Debug, Serialize)]
pub struct NewsItem {
    pub id: NewsId,
    pub title: String,
    /// Sanitised HTML (sanitised again on the way out).
    pub body: String,
    pub summary: String,
    pub author: UserId,
    pub author_name: String,
    pub public: bool,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
    pub state: NewsState,
    pub updated: DateTime<Utc>,
    /// The reader opened it before.
    pub read: bool,
    /// The caller may change, publish and delete it.
    pub may_edit: bool,
}

/// A line of a reader's list or an author's drafts list.
pub type NewsSummary = NewsItem;

/// A group the editor offers as audience.
#[derive(Clone, Debug, Serialize)]
pub struct AudienceChoice {
    pub id: GroupId,
    pub name: String,
}
