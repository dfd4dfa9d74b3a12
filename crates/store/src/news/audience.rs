//! Who a restricted item is for: groups, persons and account types.

use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use super::NewsId;
use crate::{AsConn, StoreError, on};

/// The audience of a restricted item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    pub groups: Vec<GroupId>,
    pub users: Vec<UserId>,
    /// Stored account types (`lehrer`, `personal`, `extern`, `schueler`).
    pub account_types: Vec<String>,
}

impl Audience {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.users.is_empty() && self.account_types.is_empty()
    }
}

/// Replaces the audience of an item.
pub async fn replace(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
    a: &Audience,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM news_audience WHERE instance_id = $1 AND news_id = $2")
        .bind(instance.0).bind(news.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let rows = a
        .groups
        .iter()
        .map(|g| (Some(g.0), None, None))
        .chain(a.users.iter().map(|u| (None, Some(u.0), None)))
        .chain(
            a.account_types
                .iter()
                .map(|t| (None, None, Some(t.as_str()))),
        );
    for (g, u, t) in rows {
        on!(c, c => sqlx::query(
            "INSERT INTO news_audience (instance_id, news_id, group_id, user_id, account_type)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(instance.0).bind(news.0).bind(g).bind(u).bind(t)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The audience of an item.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
) -> Result<Audience, StoreError> {
    let rows: Vec<(Option<Uuid>, Option<Uuid>, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT group_id, user_id, account_type FROM news_audience
          WHERE instance_id = $1 AND news_id = $2 ORDER BY account_type, group_id, user_id")
        .bind(instance.0).bind(news.0).fetch_all(&mut *c).await)?;
    let mut a = Audience::default();
    for (g, u, t) in rows {
        if let Some(g) = g {
            a.groups.push(GroupId(g));
        } else if let Some(u) = u {
            a.users.push(UserId(u));
        } else if let Some(t) = t {
            a.account_types.push(t);
        }
    }
    Ok(a)
}
