//! The forums of the help network: state-wide, where teachers and staff of every school
//! read and write (help.forum.read/post). Of an author only the name and the school are
//! shown. Support and operator-admins moderate from the console: hide and show topics and
//! posts, lock and unlock, move a topic to another forum; each such step is audited.
//! Posts are plain text: pages escape them, nothing is rendered as HTML.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::help::{ModerateForum, PostInForum, ReadForum};
use schulhof_authz::operator::check_operator;
use schulhof_store::help::forum::{self as store, Author, PostLine, TopicLine};
use schulhof_store::{from_us, to_us};
use serde_json::json;
use uuid::Uuid;

use crate::identity::Actor;
use crate::operators::{OperatorActor, audit};
use crate::{DomainError, Platform};

/// Topics a forum page lists, and posts a topic page shows; further ones are on the next
/// pages (`page` counts from 0).
const TOPICS_SHOWN: i64 = 200;
const POSTS_SHOWN: i64 = 200;
const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 20_000;

/// A forum the product ships: its slug, German name and what belongs there.
#[derive(Debug)]
pub struct Forum {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

/// The forums, in the index's order.
pub const FORUMS: &[Forum] = &[
    Forum {
        slug: "allgemein",
        name: "Allgemeines",
        description: "Fragen und Hinweise rund um die Plattform",
    },
    Forum {
        slug: "unterricht",
        name: "Digitaler Unterricht",
        description: "Kurse, Aufgaben, Tests und Ideen für den Unterricht",
    },
    Forum {
        slug: "kommunikation",
        name: "Mail, Kalender und Messenger",
        description: "Schulmail, Termine, Adressbücher und Chats",
    },
    Forum {
        slug: "dateien",
        name: "Dateien und Safe",
        description: "Dateiablage, Freigaben und der Daten-Safe",
    },
    Forum {
        slug: "verwaltung",
        name: "Schulverwaltung",
        description: "Benutzer, Gruppen, Importe und Rechte",
    },
];

fn forum(slug: &str) -> Result<&'static Forum, DomainError> {
    FORUMS
        .iter()
        .find(|f| f.slug == slug)
        .ok_or(DomainError::NotFound)
}

/// A topic as lists and its page show it.
#[derive(Clone, Debug)]
pub struct Topic {
    pub id: Uuid,
    pub forum: &'static Forum,
    pub title: String,
    pub author_name: String,
    pub school_name: String,
    pub locked: bool,
    pub hidden: bool,
    pub created: DateTime<Utc>,
    pub last_post: DateTime<Utc>,
    pub posts: i64,
}

/// A post of a topic.
#[derive(Clone, Debug)]
pub struct Post {
    pub id: Uuid,
    pub author_name: String,
    pub school_name: String,
    pub body: String,
    pub hidden: bool,
    pub at: DateTime<Utc>,
}

fn topic_of(t: TopicLine) -> Topic {
    Topic {
        id: t.id,
        // A slug the product no longer ships falls back to the first forum.
        forum: forum(&t.forum).unwrap_or(&FORUMS[0]),
        title: t.title,
        author_name: t.author_name,
        school_name: t.school_name,
        locked: t.locked,
        hidden: t.hidden,
        created: from_us(t.created_at),
        last_post: from_us(t.last_post_at),
        posts: t.posts,
    }
}

fn post_of(p: PostLine) -> Post {
    Post {
        id: p.id,
        author_name: p.author_name,
        school_name: p.school_name,
        body: p.body,
        hidden: p.hidden,
        at: from_us(p.created_at),
    }
}

/// One page of a longer list: its items, its number (from 0) and whether a next one exists.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub more: bool,
}

impl<T> Paged<T> {
    /// From rows fetched with one more than `shown`.
    pub(crate) fn of<R>(mut rows: Vec<R>, shown: i64, page: u32, f: impl Fn(R) -> T) -> Paged<T> {
        let shown = usize::try_from(shown).unwrap_or(usize::MAX);
        let more = rows.len() > shown;
        rows.truncate(shown);
        Paged {
            items: rows.into_iter().map(f).collect(),
            page,
            more,
        }
    }
}

/// Trimmed text of 1..=max characters, else a clear error for `field`.
pub(crate) fn text(field: &'static str, s: &str, max: usize) -> Result<String, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DomainError::invalid(field, "Bitte ausfüllen."));
    }
    if s.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("Höchstens {max} Zeichen."),
        ));
    }
    Ok(s.to_owned())
}

/// What a moderator changes on a topic (None: unchanged).
#[derive(Clone, Debug, Default)]
pub struct Moderation {
    pub locked: Option<bool>,
    pub hidden: Option<bool>,
    pub forum: Option<String>,
}

impl Platform {
    /// The forums (help.forum.read).
    pub fn help_forums(&self, a: &Actor) -> Result<&'static [Forum], DomainError> {
        check(&a.token, ReadForum)?;
        Ok(FORUMS)
    }

    /// A forum and its visible topics, last activity first (the first page).
    pub async fn help_forum(
        &self,
        a: &Actor,
        slug: &str,
    ) -> Result<(&'static Forum, Vec<Topic>), DomainError> {
        let (f, topics) = self.help_forum_page(a, slug, 0).await?;
        Ok((f, topics.items))
    }

    /// One page of a forum's visible topics.
    pub async fn help_forum_page(
        &self,
        a: &Actor,
        slug: &str,
        page: u32,
    ) -> Result<(&'static Forum, Paged<Topic>), DomainError> {
        check(&a.token, ReadForum)?;
        self.forum_topics(slug, false, page).await
    }

    async fn forum_topics(
        &self,
        slug: &str,
        with_hidden: bool,
        page: u32,
    ) -> Result<(&'static Forum, Paged<Topic>), DomainError> {
        let f = forum(slug)?;
        let mut c = self.db.read().await?;
        // One row more than shown tells whether there is a next page.
        let offset = i64::from(page) * TOPICS_SHOWN;
        let rows =
            store::list_topics(&mut c, f.slug, with_hidden, TOPICS_SHOWN + 1, offset).await?;
        Ok((f, Paged::of(rows, TOPICS_SHOWN, page, topic_of)))
    }

    /// A topic with its visible posts (the first page); a hidden topic is not found.
    pub async fn help_topic(&self, a: &Actor, id: Uuid) -> Result<(Topic, Vec<Post>), DomainError> {
        let (t, posts) = self.help_topic_page(a, id, 0).await?;
        Ok((t, posts.items))
    }

    /// A topic with one page of its visible posts.
    pub async fn help_topic_page(
        &self,
        a: &Actor,
        id: Uuid,
        page: u32,
    ) -> Result<(Topic, Paged<Post>), DomainError> {
        check(&a.token, ReadForum)?;
        self.topic_with_posts(id, false, page).await
    }

    async fn topic_with_posts(
        &self,
        id: Uuid,
        with_hidden: bool,
        page: u32,
    ) -> Result<(Topic, Paged<Post>), DomainError> {
        let mut c = self.db.read().await?;
        let t = store::get_topic(&mut c, id, with_hidden)
            .await?
            .ok_or(DomainError::NotFound)?;
        let offset = i64::from(page) * POSTS_SHOWN;
        let posts = store::posts(&mut c, id, with_hidden, POSTS_SHOWN + 1, offset).await?;
        Ok((topic_of(t), Paged::of(posts, POSTS_SHOWN, page, post_of)))
    }

    /// Opens a topic in a forum with its first post.
    pub async fn help_open_topic(
        &self,
        a: &Actor,
        slug: &str,
        title: &str,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        check(&a.token, PostInForum { locked: false })?;
        let f = forum(slug)?;
        let title = text("title", title, TITLE_MAX)?;
        let body = text("body", body, BODY_MAX)?;
        let by = Author {
            instance: a.token.instance(),
            user: a.token.user(),
        };
        let mut tx = self.db.begin().await?;
        let id = store::insert_topic(&mut tx, by, f.slug, &title, &body, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Answers in a visible topic that is not locked.
    pub async fn help_reply(&self, a: &Actor, topic: Uuid, body: &str) -> Result<(), DomainError> {
        check(&a.token, ReadForum)?;
        let body = text("body", body, BODY_MAX)?;
        let mut tx = self.db.begin().await?;
        let t = store::get_topic(&mut tx, topic, false)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(&a.token, PostInForum { locked: t.locked })?;
        let by = Author {
            instance: a.token.instance(),
            user: a.token.user(),
        };
        store::insert_post(&mut tx, by, topic, &body, to_us(self.now())).await?;
        Ok(tx.commit().await?)
    }

    /// A forum with hidden topics too, for moderators (the first page).
    pub async fn operator_forum(
        &self,
        op: &OperatorActor,
        slug: &str,
    ) -> Result<(&'static Forum, Vec<Topic>), DomainError> {
        let (f, topics) = self.operator_forum_page(op, slug, 0).await?;
        Ok((f, topics.items))
    }

    /// One page of a forum's topics, hidden ones too, for moderators.
    pub async fn operator_forum_page(
        &self,
        op: &OperatorActor,
        slug: &str,
        page: u32,
    ) -> Result<(&'static Forum, Paged<Topic>), DomainError> {
        check_operator(&op.token, ModerateForum)?;
        self.forum_topics(slug, true, page).await
    }

    /// A topic with hidden posts too, for moderators (the first page).
    pub async fn operator_topic(
        &self,
        op: &OperatorActor,
        id: Uuid,
    ) -> Result<(Topic, Vec<Post>), DomainError> {
        let (t, posts) = self.operator_topic_page(op, id, 0).await?;
        Ok((t, posts.items))
    }

    /// A topic with one page of its posts, hidden ones too, for moderators.
    pub async fn operator_topic_page(
        &self,
        op: &OperatorActor,
        id: Uuid,
        page: u32,
    ) -> Result<(Topic, Paged<Post>), DomainError> {
        check_operator(&op.token, ModerateForum)?;
        self.topic_with_posts(id, true, page).await
    }

    /// Locks, hides or moves a topic; audited.
    pub async fn operator_moderate_topic(
        &self,
        op: &OperatorActor,
        id: Uuid,
        m: Moderation,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&op.token, ModerateForum)?;
        let target = match &m.forum {
            Some(s) => Some(
                forum(s)
                    .map_err(|_| DomainError::invalid("forum", "Unbekanntes Forum."))?
                    .slug,
            ),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        if !store::moderate_topic(&mut tx, id, m.locked, m.hidden, target).await? {
            return Err(DomainError::NotFound);
        }
        let detail = json!({ "locked": m.locked, "hidden": m.hidden, "forum": target });
        let object = id.to_string();
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "forum.topic",
            Some(&object),
            client_addr,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Hides or shows a post; audited. Returns the post's topic.
    pub async fn operator_hide_post(
        &self,
        op: &OperatorActor,
        post: Uuid,
        hidden: bool,
        client_addr: &str,
    ) -> Result<Uuid, DomainError> {
        let grant = check_operator(&op.token, ModerateForum)?;
        let mut tx = self.db.begin().await?;
        let topic = store::set_post_hidden(&mut tx, post, hidden)
            .await?
            .ok_or(DomainError::NotFound)?;
        let object = post.to_string();
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "forum.post",
            Some(&object),
            client_addr,
            Some(json!({ "hidden": hidden })),
        )
        .await?;
        tx.commit().await?;
        Ok(topic)
    }
}
