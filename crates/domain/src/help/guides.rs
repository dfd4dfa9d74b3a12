//! Support edits and extends the guides from the console: a saved guide overrides the
//! shipped page of its slug or adds a page; resetting removes the edit (a shipped page shows
//! its shipped text again, an added one is gone). Bodies are Markdown; the pages render raw
//! HTML in them as text. Each save and reset is audited. The search reads the merged pages,
//! so an edit is found at once.

use schulhof_authz::help::EditGuides;
use schulhof_authz::operator::check_operator;
use schulhof_store::help::guides::{self as store, GuideRow};
use schulhof_store::{AsConn, to_us};
use serde_json::json;

use super::HelpPage;
use super::forum::text;
use super::pages;
use crate::operators::{OperatorActor, audit};
use crate::{DomainError, Platform};

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 100_000;
const CONTEXT_MAX: usize = 1_000;
/// Slugs the help pages' own routes use.
const RESERVED: &[&str] = &["forum", "tickets", "kontext", "blog", "neu"];

/// What support saves for a guide.
#[derive(Clone, Debug, Default)]
pub struct GuideInput {
    pub slug: String,
    pub title: String,
    /// Platform paths, space-separated (`/mail`, `/mail/*`).
    pub context: String,
    pub body: String,
    /// The pupils' version; empty: they read `body`.
    pub body_du: String,
}

/// The shipped pages with the saved guides merged over them, in the index's order (added
/// pages after the shipped ones). With `du`, a page's pupils' version replaces its body.
pub(super) async fn merged(c: &mut impl AsConn, du: bool) -> Result<Vec<HelpPage>, DomainError> {
    let rows = store::all(c).await?;
    let mut out: Vec<HelpPage> = pages::shipped().to_vec();
    for r in rows {
        let page = HelpPage {
            slug: r.slug,
            title: r.title,
            context: r.context.split_whitespace().map(str::to_owned).collect(),
            body: r.body,
            body_du: r.body_du,
            shipped: false,
            edited: true,
        };
        match out.iter_mut().find(|p| p.slug == page.slug) {
            Some(p) => {
                *p = HelpPage {
                    shipped: true,
                    ..page
                }
            }
            None => out.push(page),
        }
    }
    if du {
        for p in &mut out {
            if !p.body_du.trim().is_empty() {
                p.body = std::mem::take(&mut p.body_du);
            }
        }
    }
    Ok(out)
}

fn slug(s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_lowercase();
    let ok = (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !RESERVED.contains(&s.as_str());
    if ok {
        Ok(s)
    } else {
        Err(DomainError::invalid(
            "slug",
            "2 bis 40 Zeichen: Kleinbuchstaben a–z, Ziffern und Bindestriche.",
        ))
    }
}

fn context(s: &str) -> Result<String, DomainError> {
    if s.chars().count() > CONTEXT_MAX {
        return Err(DomainError::invalid(
            "context",
            format!("Höchstens {CONTEXT_MAX} Zeichen."),
        ));
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.iter().any(|p| !p.starts_with('/')) {
        return Err(DomainError::invalid(
            "context",
            "Jeder Pfad beginnt mit „/“, z. B. /mail oder /mail/*.",
        ));
    }
    Ok(parts.join(" "))
}

impl Platform {
    /// Every guide as support edits it: the Sie version and the pupils' version apart.
    pub async fn operator_guides(&self, op: &OperatorActor) -> Result<Vec<HelpPage>, DomainError> {
        check_operator(&op.token, EditGuides)?;
        let mut c = self.db.read().await?;
        merged(&mut c, false).await
    }

    /// One guide for editing; an unknown slug is not found.
    pub async fn operator_guide(
        &self,
        op: &OperatorActor,
        slug: &str,
    ) -> Result<HelpPage, DomainError> {
        self.operator_guides(op)
            .await?
            .into_iter()
            .find(|p| p.slug == slug)
            .ok_or(DomainError::NotFound)
    }

    /// Saves a guide (a shipped one's edit, or a new page); audited.
    pub async fn operator_save_guide(
        &self,
        op: &OperatorActor,
        input: &GuideInput,
        client_addr: &str,
    ) -> Result<String, DomainError> {
        let grant = check_operator(&op.token, EditGuides)?;
        let row = GuideRow {
            slug: slug(&input.slug)?,
            title: text("title", &input.title, TITLE_MAX)?,
            context: context(&input.context)?,
            body: text("body", &input.body, BODY_MAX)?,
            body_du: match input.body_du.trim() {
                "" => String::new(),
                du => text("body_du", du, BODY_MAX)?,
            },
            updated_by: grant.operator(),
            updated_at: to_us(self.now()),
        };
        let shipped = pages::shipped().iter().any(|p| p.slug == row.slug);
        let mut tx = self.db.begin().await?;
        store::save(&mut tx, &row).await?;
        let detail = json!({ "shipped": shipped, "du": !row.body_du.is_empty() });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "guide.save",
            Some(&row.slug),
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(row.slug)
    }

    /// Removes support's edit of a guide (a shipped page shows its shipped text again, an
    /// added page is gone); audited. A guide without edit is not found.
    pub async fn operator_reset_guide(
        &self,
        op: &OperatorActor,
        slug: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&op.token, EditGuides)?;
        let mut tx = self.db.begin().await?;
        if !store::delete(&mut tx, slug).await? {
            return Err(DomainError::NotFound);
        }
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "guide.reset",
            Some(slug),
            client_addr,
            None,
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
