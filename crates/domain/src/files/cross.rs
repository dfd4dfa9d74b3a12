//! Sharing with logins of other schools, the sharer's side. A share to `login@schulnummer`
//! is an *offer*: the sharer learns nothing about the recipient (not whether the login or
//! the school exists, not its name) and the offer gives no access until the recipient
//! accepted it (see `offers.rs`).

use chrono::Duration;
use schulhof_authz::Principal;
use schulhof_authz::files::{self, FileOp, FileRole};
use schulhof_store::files::{self as store, OfferRow};
use schulhof_store::{Handle, instances, users};
use schulhof_types::{AccountType, InstanceId, UserId};
use uuid::Uuid;

use super::trash::log_file_action;
use super::{GrantView, Located};
use crate::identity::{Actor, principal_of};
use crate::{DomainError, Platform};

/// Offers one login may make per hour (they are lookups of other schools' logins too).
pub const CROSS_OFFERS_PER_HOUR: i64 = 30;

/// What giving a role by name did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shared {
    /// A grant in the own school; `key` removes it again.
    Granted { key: String },
    /// An offer to a login of another school: the same answer whether that login exists
    /// or not; the recipient sees it once they accept. `key` withdraws it.
    Offered { key: String },
}

impl Shared {
    pub fn key(&self) -> &str {
        match self {
            Shared::Granted { key } | Shared::Offered { key } => key,
        }
    }
}

/// `login@schulnummer` of another school than the caller's, lower-cased.
pub fn cross_address(actor: &Actor, name: &str) -> Option<(String, String)> {
    let (login, number) = name.trim().rsplit_once('@')?;
    let foreign = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && number != actor.school_number;
    (foreign && !login.trim().is_empty()).then(|| (login.trim().to_lowercase(), number.to_owned()))
}

/// One text for every refusal that could otherwise tell whether a school exists.
fn no_cross_right() -> DomainError {
    DomainError::Forbidden
}

impl Platform {
    /// Gives `role` on a node to a group, a login or a kind of the own school, or offers it
    /// to `login@schulnummer` of another school.
    pub async fn file_share_named(
        &self,
        actor: &Actor,
        node: &Located,
        name: &str,
        role: FileRole,
    ) -> Result<Shared, DomainError> {
        if let Some((login, number)) = cross_address(actor, name) {
            return self
                .file_offer_cross(actor, node, &login, &number, role)
                .await;
        }
        let subject = self.file_subject_by_name(actor, name).await?;
        self.file_share(actor, node, subject, role).await?;
        Ok(Shared::Granted { key: subject.key() })
    }

    /// Offers a node to a login of another school. Everything the answer depends on is the
    /// sharer's own: its right, its role, the role asked for, its rate limit.
    pub async fn file_offer_cross(
        &self,
        actor: &Actor,
        node: &Located,
        login: &str,
        number: &str,
        role: FileRole,
    ) -> Result<Shared, DomainError> {
        if !files::may_share_across_schools(&actor.token) {
            return Err(no_cross_right());
        }
        if role != FileRole::Viewer {
            return Err(DomainError::invalid(
                "role",
                "Anmeldungen anderer Schulen können nur lesen.",
            ));
        }
        // The sharer's side of the decision, with a stand-in recipient that could be
        // given a role in every area: the real one must not change the answer.
        let stand_in = Principal::Person(AccountType::Lehrer);
        let grant = node.check(
            actor,
            FileOp::ShareCross {
                role,
                target: stand_in,
            },
        )?;
        let id = grant.action().node;
        self.count_cross_offer(actor).await?;
        let address = format!("{login}@{number}");
        let mut c = self.db.read().await?;
        let recipient = self
            .offer_recipient(&mut c, node, actor, login, number, role)
            .await?;
        drop(c);
        let row = OfferRow {
            instance: actor.token.instance(),
            id: Uuid::now_v7(),
            node: id,
            address,
            recipient,
            offered_by: actor.token.user(),
            state: "offered".into(),
            created_at: self.now(),
        };
        self.store_offer(actor, row).await
    }

    /// Records an offer (an earlier one to the same address stays) and logs it.
    async fn store_offer(&self, actor: &Actor, row: OfferRow) -> Result<Shared, DomainError> {
        let mut tx = self.db.begin().await?;
        store::put_offer(&mut tx, &row).await?;
        let (id, at) = (row.node, row.created_at);
        log_file_action(&mut tx, actor, at, "file_share_cross", id, &row.address).await?;
        let stored = store::offers_on(&mut tx, row.instance, id)
            .await?
            .into_iter()
            .find(|o| o.address == row.address)
            .ok_or(DomainError::NotFound)?;
        tx.commit().await?;
        Ok(Shared::Offered {
            key: offer_key(&stored),
        })
    }

    /// Counts an offer against the sharer's hourly limit (in the database: all nodes).
    async fn count_cross_offer(&self, actor: &Actor) -> Result<(), DomainError> {
        let now = self.now();
        let hour = Duration::hours(1);
        let mut tx = self.db.begin().await?;
        let (n, start) = store::count_offer(
            &mut tx,
            actor.token.instance(),
            actor.token.user(),
            now - hour,
            now,
        )
        .await?;
        tx.commit().await?;
        if n > CROSS_OFFERS_PER_HOUR {
            let wait = (start + hour - now).num_seconds().max(1);
            return Err(DomainError::RateLimited {
                retry_after_secs: wait as u64,
            });
        }
        Ok(())
    }

    /// Who an offer reaches: a person of that school that may receive it and could be
    /// given the role here. Otherwise nobody — and the sharer is not told.
    async fn offer_recipient(
        &self,
        c: &mut Handle,
        node: &Located,
        actor: &Actor,
        login: &str,
        number: &str,
        role: FileRole,
    ) -> Result<Option<(InstanceId, UserId)>, DomainError> {
        let Some(school) = instances::find_by_number(c, number).await? else {
            return Ok(None);
        };
        if school.id == actor.token.instance() {
            return Ok(None);
        }
        let Some(user) = users::find_by_login(c, school.id, login).await? else {
            return Ok(None);
        };
        let Ok(target) = principal_of(&user) else {
            return Ok(None);
        };
        let students = store::students_accept_cross(c, school.id).await?;
        let reachable = user.active
            && files::may_receive_cross_share(target, students)
            && node
                .check(actor, FileOp::ShareCross { role, target })
                .is_ok();
        Ok(reachable.then_some((school.id, user.id)))
    }

    /// The sharer's view of a node's offers not (yet) accepted: the typed address only.
    /// Declined offers look like open ones (declining tells the sharer nothing either).
    pub(crate) async fn offer_views(
        &self,
        c: &mut Handle,
        node: &Located,
        school: InstanceId,
    ) -> Result<Vec<GrantView>, DomainError> {
        let rows = store::offers_on(c, school, node.node().id).await?;
        Ok(rows
            .into_iter()
            .filter(|o| o.state != "accepted")
            .map(|o| GrantView {
                key: offer_key(&o),
                kind: "offer",
                label: o.address,
                role: FileRole::Viewer.as_str(),
            })
            .collect())
    }

    /// The label of an accepted share (`x:` grant): the address it was offered to, never
    /// the recipient's name.
    pub(crate) async fn guest_grant_label(
        &self,
        c: &mut Handle,
        school: InstanceId,
        id: &str,
    ) -> Result<String, DomainError> {
        let address = match id.parse() {
            Ok(u) => store::accepted_address(c, school, UserId(u)).await?,
            Err(_) => None,
        };
        Ok(address.unwrap_or_else(|| "(Anmeldung einer anderen Schule)".to_owned()))
    }

    /// Takes a grant or an offer back: `o:…` withdraws an offer (and its grant, if it was
    /// accepted), `x:…` also forgets the offers behind the grant; anything else is an
    /// ordinary grant.
    pub async fn file_revoke(
        &self,
        actor: &Actor,
        node: &Located,
        key: &str,
    ) -> Result<(), DomainError> {
        if let Some(id) = key.strip_prefix("o:") {
            let id = Uuid::parse_str(id).map_err(|_| DomainError::NotFound)?;
            return self.file_withdraw_offer(actor, node, id).await;
        }
        self.file_unshare(actor, node, key).await?;
        if let Some(Ok(user)) = key.strip_prefix("x:").map(str::parse) {
            let mut tx = self.db.begin().await?;
            let (school, id) = (actor.token.instance(), node.node().id);
            store::remove_offers_to(&mut tx, school, id, UserId(user)).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    async fn file_withdraw_offer(
        &self,
        actor: &Actor,
        node: &Located,
        id: Uuid,
    ) -> Result<(), DomainError> {
        let school = actor.token.instance();
        let row = node.node();
        // Coordinators may always take an offer back; others need the cross-school right.
        let any = FileOp::ShareCross {
            role: FileRole::Viewer,
            target: Principal::Person(AccountType::Lehrer),
        };
        node.check(actor, FileOp::ManageRights)
            .or_else(|_| node.check(actor, any))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let offer = store::offer_by_id(&mut tx, school, id)
            .await?
            .filter(|o| o.node == row.id)
            .ok_or(DomainError::NotFound)?;
        store::remove_offer(&mut tx, school, id).await?;
        if let Some((_, user)) = offer.recipient {
            store::remove_grant(&mut tx, school, row.id, &files::guest_key(user)).await?;
        }
        log_file_action(&mut tx, actor, now, "file_unshare", row.id, &offer.address).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn offer_key(o: &OfferRow) -> String {
    match (o.state.as_str(), o.recipient) {
        ("accepted", Some((_, user))) => files::guest_key(user),
        _ => format!("o:{}", o.id),
    }
}
