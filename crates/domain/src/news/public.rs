//! What everyone sees without login: a school's public news (start page, feeds) and one
//! public item's page.

use chrono::{DateTime, Utc};
use schulhof_store::instances::{self, InstanceRow};
use schulhof_store::news::NewsId;
use schulhof_store::news::items;
use schulhof_store::{AsConn, to_us};
use serde::Serialize;

use super::NewsItem;
use super::read::item_of;
use super::write::time;
use crate::{DomainError, Platform};

/// A public item for the start page and the feeds.
#[derive(Clone, Debug, Serialize)]
pub struct PublicNews {
    pub id: NewsId,
    pub title: String,
    /// Plain text, at most about 300 characters.
    pub summary: String,
    /// Relative: `/schule/<nr>/neuigkeiten/<id>`.
    pub url: String,
    /// Start of the publication period.
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// The relative address of a public item's page.
pub fn public_url(school_number: &str, id: NewsId) -> String {
    format!("/schule/{school_number}/neuigkeiten/{id}")
}

pub(crate) async fn public_school(
    c: &mut impl AsConn,
    number: &str,
) -> Result<InstanceRow, DomainError> {
    // Only digits reach the database: anything else is no school.
    if number.is_empty() || number.len() > 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::NotFound);
    }
    instances::find_by_number(c, number)
        .await?
        .ok_or(DomainError::NotFound)
}

impl Platform {
    /// Public, published news of the school whose period contains now, newest first.
    pub async fn public_news(
        &self,
        school_number: &str,
        limit: usize,
    ) -> Result<Vec<PublicNews>, DomainError> {
        let mut c = self.db.read().await?;
        let inst = public_school(&mut c, school_number).await?;
        let rows =
            items::list_public(&mut c, inst.id, to_us(self.now()), limit.min(500) as i64).await?;
        Ok(rows
            .into_iter()
            .map(|r| PublicNews {
                url: public_url(&inst.school_number, r.id),
                id: r.id,
                title: r.title,
                summary: r.summary,
                published: time(r.visible_from),
                updated: time(r.updated_at),
            })
            .collect())
    }

    /// One public item that is visible now, with the school's name; anything else
    /// (restricted, draft, scheduled, expired, another school's) => `NotFound`.
    pub async fn public_news_item(
        &self,
        school_number: &str,
        id: NewsId,
    ) -> Result<(NewsItem, String), DomainError> {
        let now = to_us(self.now());
        let mut c = self.db.read().await?;
        let inst = public_school(&mut c, school_number).await?;
        let row = items::get(&mut c, inst.id, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let item = item_of(None, row, true, now);
        if !item.public || item.state != super::NewsState::Visible {
            return Err(DomainError::NotFound);
        }
        Ok((item, inst.name))
    }
}
