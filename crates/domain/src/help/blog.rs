//! The help network's blog: support and operator-admins write posts from the console
//! (plain text; pages escape it), every account type with help.blog.read reads them, newest
//! first. Writing, changing and deleting are audited.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::help::{ReadBlog, WriteBlog};
use schulhof_authz::operator::check_operator;
use schulhof_store::help::blog::{self as store, BlogRow};
use schulhof_store::{from_us, to_us};
use serde_json::json;
use uuid::Uuid;

use super::forum::{Paged, text};
use crate::identity::Actor;
use crate::operators::{OperatorActor, audit};
use crate::{DomainError, Platform};

/// Posts a blog page shows.
const SHOWN: i64 = 20;
const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 50_000;

/// A post of the blog.
#[derive(Clone, Debug)]
pub struct BlogPost {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// The writing operator's login (support's public face).
    pub author: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

fn post_of(r: BlogRow) -> BlogPost {
    BlogPost {
        id: r.id,
        title: r.title,
        body: r.body,
        author: r.author,
        published: from_us(r.published_at),
        updated: from_us(r.updated_at),
    }
}

impl Platform {
    /// Whether the caller reads the blog (the help index links it).
    pub fn help_may_read_blog(&self, a: &Actor) -> bool {
        check(&a.token, ReadBlog).is_ok()
    }

    /// One page of the blog, newest first.
    pub async fn help_blog(&self, a: &Actor, page: u32) -> Result<Paged<BlogPost>, DomainError> {
        check(&a.token, ReadBlog)?;
        self.blog_page(page).await
    }

    /// One post.
    pub async fn help_blog_post(&self, a: &Actor, id: Uuid) -> Result<BlogPost, DomainError> {
        check(&a.token, ReadBlog)?;
        let mut c = self.db.read().await?;
        Ok(post_of(
            store::get(&mut c, id).await?.ok_or(DomainError::NotFound)?,
        ))
    }

    async fn blog_page(&self, page: u32) -> Result<Paged<BlogPost>, DomainError> {
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, SHOWN + 1, i64::from(page) * SHOWN).await?;
        Ok(Paged::of(rows, SHOWN, page, post_of))
    }

    /// One page of the blog, for its writers.
    pub async fn operator_blog(
        &self,
        op: &OperatorActor,
        page: u32,
    ) -> Result<Paged<BlogPost>, DomainError> {
        check_operator(&op.token, WriteBlog)?;
        self.blog_page(page).await
    }

    /// One post, for its writers.
    pub async fn operator_blog_post(
        &self,
        op: &OperatorActor,
        id: Uuid,
    ) -> Result<BlogPost, DomainError> {
        check_operator(&op.token, WriteBlog)?;
        let mut c = self.db.read().await?;
        Ok(post_of(
            store::get(&mut c, id).await?.ok_or(DomainError::NotFound)?,
        ))
    }

    /// Publishes a new post (`id` None) or changes one; audited. Returns its id.
    pub async fn operator_save_blog_post(
        &self,
        op: &OperatorActor,
        id: Option<Uuid>,
        title: &str,
        body: &str,
        client_addr: &str,
    ) -> Result<Uuid, DomainError> {
        let grant = check_operator(&op.token, WriteBlog)?;
        let title = text("title", title, TITLE_MAX)?;
        let body = text("body", body, BODY_MAX)?;
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let (id, action) = match id {
            None => (
                store::insert(&mut tx, grant.operator(), &title, &body, now).await?,
                "blog.publish",
            ),
            Some(id) => {
                if !store::update(&mut tx, id, &title, &body, now).await? {
                    return Err(DomainError::NotFound);
                }
                (id, "blog.edit")
            }
        };
        let object = id.to_string();
        let detail = json!({ "title": title });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            action,
            Some(&object),
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Deletes a post; audited.
    pub async fn operator_delete_blog_post(
        &self,
        op: &OperatorActor,
        id: Uuid,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&op.token, WriteBlog)?;
        let mut tx = self.db.begin().await?;
        if !store::delete(&mut tx, id).await? {
            return Err(DomainError::NotFound);
        }
        let object = id.to_string();
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "blog.delete",
            Some(&object),
            client_addr,
            None,
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
