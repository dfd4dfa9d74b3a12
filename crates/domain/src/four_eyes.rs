//! Four eyes: what would let one person reach someone else's Safe or private files waits
//! for a second, different person (see `schulhof_authz::four_eyes`). Requests, decisions
//! and holds are audited, and the owner is notified at once.

use std::collections::HashMap;

use schulhof_authz::four_eyes::{DecideRequest, RequestKind};
use schulhof_authz::{TargetUser, check};
use schulhof_store::four_eyes::{self as store, Hold, RequestRow};
use schulhof_store::users::{self, UserRow};
use schulhof_store::{AsConn, groups as group_store};
use schulhof_types::{GroupId, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::admin_action;
use crate::identity::{Actor, principal_of};
use crate::notify::{Kind, notify};
use crate::{DomainError, Platform};

/// A request as its requester and its possible confirmers see it.
#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    pub id: Uuid,
    pub kind: &'static str,
    pub target: String,
    pub requester: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub state: String,
    pub decided_by: Option<String>,
    /// The caller may confirm or reject it now.
    pub may_decide: bool,
}

/// What a confirmation did. A Safe password is shown to the confirming Schulleitung only.
#[derive(Clone, Debug, Serialize)]
pub struct Confirmed {
    pub kind: &'static str,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_password: Option<String>,
    /// The first login password of a confirmed Schulleitung account, for its holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

/// What the policy needs to know about a login, loaded by id.
pub(crate) async fn target_of(
    c: &mut impl AsConn,
    user: &UserRow,
) -> Result<TargetUser, DomainError> {
    let groups = group_store::of_user(c, user.instance_id, user.id).await?;
    Ok(TargetUser {
        instance: user.instance_id,
        id: user.id,
        principal: principal_of(user)?,
        groups: groups.iter().map(|g| g.id).collect(),
    })
}

/// Opens a request for a second person; one pending request per kind and login.
pub(crate) async fn open_request(
    c: &mut impl AsConn,
    actor: &Actor,
    kind: RequestKind,
    target: &UserRow,
    detail: Option<serde_json::Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Uuid, DomainError> {
    let instance = actor.token.instance();
    if let Some(old) = store::pending_for(c, instance, kind.as_str(), target.id).await? {
        // A newer request replaces the older one (e.g. a second reset of the same login).
        store::decide(c, instance, old.id, "superseded", actor.token.user(), now).await?;
    }
    let row = RequestRow {
        id: Uuid::now_v7(),
        kind: kind.as_str().into(),
        target: target.id,
        requester: actor.token.user(),
        requester_person: actor.token.person(),
        detail: detail.map(|d| d.to_string()),
        created_at: now,
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    store::insert(c, instance, &row).await?;
    let audit = serde_json::json!({ "request": row.id, "kind": kind.as_str() });
    admin_action(
        c,
        actor,
        now,
        "four_eyes.request",
        &target.login,
        Some(audit),
    )
    .await?;
    Ok(row.id)
}

/// After someone else set `target`'s password: its own files and Safe stay closed until a
/// second person confirms; the owner learns of it at once.
pub(crate) async fn hold_after_reset(
    c: &mut impl AsConn,
    actor: &Actor,
    target: &UserRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    let hold = Hold {
        reset_by: actor.token.user(),
        reset_by_person: actor.token.person(),
        created_at: now,
    };
    store::put_hold(c, actor.token.instance(), target.id, hold).await?;
    open_request(c, actor, RequestKind::LoginReset, target, None, now).await?;
    let by = serde_json::json!({ "by": actor.user.login });
    notify(c, target, Kind::PasswordReset, by.clone(), now).await?;
    notify(c, target, Kind::PrivateHold, by, now).await
}

fn kind_of(row: &RequestRow) -> Result<RequestKind, DomainError> {
    RequestKind::parse(&row.kind)
        .ok_or_else(|| DomainError::Internal(format!("unknown request kind {}", row.kind)))
}

/// The request, its target and the policy's decision whether the caller may decide it.
/// Marks a pending request as decided by the actor, once the policy allowed it: the row,
/// its target and its kind. A request decided meanwhile is a conflict.
async fn decide(
    c: &mut impl AsConn,
    actor: &Actor,
    id: Uuid,
    verdict: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(RequestRow, UserRow, RequestKind), DomainError> {
    let instance = actor.token.instance();
    let row = store::get(c, instance, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let (target, allowed) = load(c, actor, &row).await?;
    allowed?;
    if !store::decide(c, instance, id, verdict, actor.token.user(), now).await? {
        return Err(DomainError::conflict("request", "was already decided"));
    }
    let kind = kind_of(&row)?;
    Ok((row, target, kind))
}

async fn load(
    c: &mut impl AsConn,
    actor: &Actor,
    row: &RequestRow,
) -> Result<(UserRow, Result<(), DomainError>), DomainError> {
    let target = users::get(c, actor.token.instance(), row.target)
        .await?
        .ok_or(DomainError::NotFound)?;
    let council = on_council(c, actor).await?;
    let allowed = may_decide(actor, row, target_of(c, &target).await?, &target, council)?;
    Ok((target, allowed))
}

/// Whether the caller sits on the staff council (the second pair of eyes on a mailbox).
async fn on_council(c: &mut impl AsConn, actor: &Actor) -> Result<bool, DomainError> {
    Ok(
        schulhof_store::mail::inspections::is_council(c, actor.token.instance(), actor.user.id)
            .await?,
    )
}

/// Whether the caller may decide the request now: pending, and the policy allows it.
fn may_decide(
    actor: &Actor,
    row: &RequestRow,
    target: TargetUser,
    target_row: &UserRow,
    decider_on_council: bool,
) -> Result<Result<(), DomainError>, DomainError> {
    let decision = DecideRequest {
        kind: kind_of(row)?,
        instance: actor.token.instance(),
        requester_person: row.requester_person,
        target,
        target_holder: target_row.holder_id,
        decider_on_council,
    };
    Ok(if row.state == "pending" {
        check(&actor.token, decision)
            .map(|_| ())
            .map_err(DomainError::from)
    } else {
        Err(DomainError::conflict("request", "was already decided"))
    })
}

impl Platform {
    /// The requests the caller made, decided, or may decide now (pending first).
    pub async fn four_eyes_requests(&self, actor: &Actor) -> Result<Vec<RequestView>, DomainError> {
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        // Three statements for the whole list: the requests, the people they name, and the
        // groups of their targets (the policy needs them).
        let rows = store::recent(&mut c, instance, 200).await?;
        let people: HashMap<UserId, UserRow> = store::people(&mut c, instance)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let mut groups: HashMap<UserId, Vec<GroupId>> = HashMap::new();
        for (user, group) in store::target_groups(&mut c, instance).await? {
            groups.entry(user).or_default().push(group);
        }
        let council = on_council(&mut c, actor).await?;
        drop(c);
        let login = |id: UserId| people.get(&id).map(|u| u.login.clone());
        let mut out = Vec::new();
        for row in rows {
            let Some(target) = people.get(&row.target) else {
                continue;
            };
            let subject = TargetUser {
                instance,
                id: target.id,
                principal: principal_of(target)?,
                groups: groups.get(&target.id).cloned().unwrap_or_default(),
            };
            let allowed = may_decide(actor, &row, subject, target, council)?;
            let mine = row.requester == actor.token.user();
            let decided_by_me = row.decided_by == Some(actor.token.user());
            if !(mine || decided_by_me || allowed.is_ok()) {
                continue;
            }
            out.push(RequestView {
                id: row.id,
                kind: kind_of(&row)?.as_str(),
                target: target.login.clone(),
                requester: login(row.requester).unwrap_or_default(),
                created_at: row.created_at,
                decided_by: row.decided_by.and_then(login),
                state: row.state,
                may_decide: allowed.is_ok(),
            });
        }
        Ok(out)
    }

    /// Confirms a pending request as the second person, and does what it asked for.
    pub async fn confirm_request(&self, actor: &Actor, id: Uuid) -> Result<Confirmed, DomainError> {
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (row, target, kind) = decide(&mut tx, actor, id, "confirmed", now).await?;
        let mut initial_password = None;
        let safe_password = match kind {
            RequestKind::SafePassword => Some(
                self.safe_password_confirmed(&mut tx, actor, &target)
                    .await?,
            ),
            RequestKind::LoginReset => {
                store::release_hold(&mut tx, instance, target.id).await?;
                let by = serde_json::json!({ "by": actor.user.login });
                notify(&mut tx, &target, Kind::HoldReleased, by, now).await?;
                None
            }
            RequestKind::SchulleitungCreate => {
                let password = crate::passwords::generate_initial_password();
                let hash = self.hasher.hash(&password).await?;
                users::set_password(&mut tx, instance, target.id, &hash, true, now).await?;
                users::set_active(&mut tx, instance, target.id, true, now).await?;
                initial_password = Some(password);
                notify(
                    &mut tx,
                    &target,
                    Kind::SchulleitungCreated,
                    serde_json::json!({}),
                    now,
                )
                .await?;
                None
            }
            RequestKind::SchulleitungHolder => {
                self.holder_confirmed(&mut tx, &row, target.clone(), now)
                    .await?;
                None
            }
            RequestKind::MailboxInspection => {
                crate::mail::inspection::approved(&mut tx, actor, &row, &target, now).await?;
                None
            }
        };
        let detail = serde_json::json!({ "request": id, "kind": kind.as_str() });
        admin_action(
            &mut tx,
            actor,
            now,
            "four_eyes.confirm",
            &target.login,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(Confirmed {
            kind: kind.as_str(),
            target: target.login,
            safe_password,
            initial_password,
        })
    }

    /// Rejects a pending request; nothing it asked for happens (a hold stays).
    pub async fn reject_request(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (_, target, kind) = decide(&mut tx, actor, id, "rejected", now).await?;
        if kind == RequestKind::SafePassword {
            let p = serde_json::json!({ "by": actor.user.login });
            notify(&mut tx, &target, Kind::SafePasswordRequestRejected, p, now).await?;
        }
        let detail = serde_json::json!({ "request": id, "kind": kind.as_str() });
        admin_action(
            &mut tx,
            actor,
            now,
            "four_eyes.reject",
            &target.login,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// A Schulleitung account gets the holder the request named.
    async fn holder_confirmed(
        &self,
        c: &mut impl AsConn,
        row: &RequestRow,
        mut target: UserRow,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DomainError> {
        let detail: serde_json::Value = row
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        target.holder_id = detail["holder"]
            .as_str()
            .and_then(|h| h.parse::<Uuid>().ok())
            .map(schulhof_types::UserId);
        users::update_profile(c, &target, now).await?;
        notify(c, &target, Kind::SchulleitungHolderChanged, detail, now).await
    }
}
