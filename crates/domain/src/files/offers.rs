//! Sharing with logins of other schools, the recipient's side: offers are listed with the
//! sharing school and the sharer, and accepted or declined. Only an accepted offer becomes
//! a grant (`x:…`) that lets the recipient read; the school decides whether its students
//! may accept offers at all.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::files::{self, Area, FileRole, ManageCrossSharing};
use schulhof_store::files::{self as store, OfferRow};
use schulhof_store::{Handle, instances, users};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// An offer as its recipient sees it.
#[derive(Clone, Debug, Serialize)]
pub struct OfferView {
    pub id: Uuid,
    /// The folder's or file's name.
    pub name: String,
    pub is_dir: bool,
    pub school_name: String,
    pub school_number: String,
    /// Who offered it.
    pub shared_by: String,
    pub offered_at: DateTime<Utc>,
}

impl Platform {
    /// The offers of other schools waiting for the caller's answer.
    pub async fn file_offers(&self, actor: &Actor) -> Result<Vec<OfferView>, DomainError> {
        let me = actor.token.instance();
        let mut c = self.db.read().await?;
        if !self.may_accept_here(&mut c, actor).await? {
            return Ok(Vec::new());
        }
        let rows = store::system_offers_to(&mut c, me, actor.token.user()).await?;
        let mut out = Vec::new();
        for o in rows.into_iter().filter(|o| o.state == "offered") {
            if let Some(v) = offer_view(&mut c, o).await? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// Accepts (`true`) or declines an offer made to the caller. Declining an accepted
    /// share ends it. Someone else's or an unknown offer: `NotFound`.
    pub async fn file_decide_offer(
        &self,
        actor: &Actor,
        id: Uuid,
        accept: bool,
    ) -> Result<(), DomainError> {
        let mut c = self.db.read().await?;
        let offer = store::system_offers_to(&mut c, actor.token.instance(), actor.token.user())
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(DomainError::NotFound)?;
        if accept {
            let students = store::students_accept_cross(&mut c, actor.token.instance()).await?;
            files::may_accept_cross_share(&actor.token, students)?;
            if offer.state != "offered" || offer_view(&mut c, offer.clone()).await?.is_none() {
                return Err(DomainError::NotFound);
            }
        }
        drop(c);
        let now = self.now();
        let guest = files::guest_key(actor.token.user());
        let mut tx = self.db.begin().await?;
        if accept {
            store::set_grant(
                &mut tx,
                offer.instance,
                offer.node,
                &guest,
                FileRole::Viewer.as_i64(),
                Some(offer.offered_by),
                now,
            )
            .await?;
        } else {
            store::remove_grant(&mut tx, offer.instance, offer.node, &guest).await?;
        }
        let state = if accept { "accepted" } else { "declined" };
        store::set_offer_state(&mut tx, offer.instance, offer.id, state, now).await?;
        let action = if accept {
            "file_offer_accept"
        } else {
            "file_offer_decline"
        };
        log_offer(&mut tx, actor, now, action, &offer).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the caller may accept offers at all (its kind, its school's setting).
    async fn may_accept_here(&self, c: &mut Handle, actor: &Actor) -> Result<bool, DomainError> {
        let students = store::students_accept_cross(c, actor.token.instance()).await?;
        Ok(files::may_accept_cross_share(&actor.token, students).is_ok())
    }

    /// Whether the school's students may accept shares of other schools.
    pub async fn school_students_accept_cross(&self, actor: &Actor) -> Result<bool, DomainError> {
        check(&actor.token, ManageCrossSharing)?;
        let mut c = self.db.read().await?;
        Ok(store::students_accept_cross(&mut c, actor.token.instance()).await?)
    }

    /// Lets the school's students accept shares of other schools, or not (the default).
    pub async fn set_school_students_accept_cross(
        &self,
        actor: &Actor,
        allowed: bool,
    ) -> Result<(), DomainError> {
        check(&actor.token, ManageCrossSharing)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_students_accept_cross(&mut tx, actor.token.instance(), allowed).await?;
        audit::record(
            &mut tx,
            actor.token.instance(),
            now,
            Event {
                kind: "admin",
                actor: Some(actor.token.user()),
                holder: actor.user.holder_id,
                action: "school_cross_share_students",
                object: None,
                client_addr: None,
                detail: Some(serde_json::json!({ "allowed": allowed })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The recipient's view of an offer whose node still exists in an area that can be
/// shared across schools; otherwise `None`.
async fn offer_view(c: &mut Handle, o: OfferRow) -> Result<Option<OfferView>, DomainError> {
    let Some(node) = store::get(c, o.instance, o.node, "|").await? else {
        return Ok(None);
    };
    let shareable = matches!(
        Area::parse(&node.area),
        Some(Area::Own | Area::Teaching | Area::Staff)
    );
    if node.deleted_at.is_some() || !shareable {
        return Ok(None);
    }
    let Some(school) = instances::get(c, o.instance).await? else {
        return Ok(None);
    };
    let shared_by = users::get(c, o.instance, o.offered_by)
        .await?
        .map_or_else(String::new, |u| format!("{} {}", u.first_name, u.last_name));
    Ok(Some(OfferView {
        id: o.id,
        name: node.name,
        is_dir: node.is_dir,
        school_name: school.name,
        school_number: school.school_number,
        shared_by,
        offered_at: o.created_at,
    }))
}

/// The recipient's answer goes into its own school's log (the sharing school logged the
/// offer).
async fn log_offer(
    tx: &mut schulhof_store::Tx,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    o: &OfferRow,
) -> Result<(), DomainError> {
    let object = o.node.to_string();
    audit::record(
        tx,
        actor.token.instance(),
        at,
        Event {
            kind: "files",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action,
            object: Some(&object),
            client_addr: None,
            detail: None,
        },
    )
    .await?;
    Ok(())
}
