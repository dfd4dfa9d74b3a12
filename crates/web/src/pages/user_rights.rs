//! Granting and revoking O-rights on a user card. Only rights that are O for the user's
//! account type are offered, each to whoever grants it (Safe rights: the Schulleitung).
//! Whatever is posted, the domain decides; a refused attempt shows its message.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_authz::matrix::{self, Granter, Mark};
use schulhof_domain::admin::UserCard;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::{AccountType, FunctionRole, RightId};

use crate::auth::Ready;
use crate::forms::{Failure, RightForm};
use crate::i18n::Tr;
use crate::pages::user_card::{CardFailure, render_card};
use crate::url;

/// One O-right with its state for this user and the button that flips it.
#[derive(Clone, Debug)]
pub struct GrantRow {
    pub id: &'static str,
    pub description: &'static str,
    pub state: &'static str,
    /// Whether the button revokes (the right is granted directly) or grants.
    pub revoke: bool,
}

/// The rights section of a user card.
#[derive(Clone, Debug)]
pub struct GrantSection {
    /// Rights this actor may grant or revoke here.
    pub rows: Vec<GrantRow>,
    /// O-rights someone else grants (Safe rights for the admin), listed with a note.
    pub others: Vec<GrantRow>,
    pub others_note: &'static str,
    pub error: Option<String>,
}

/// Who the actor grants for, judged from its rights only to decide what to show.
pub fn actor_granter(actor: &Actor) -> Option<Granter> {
    if actor.token.principal().is(FunctionRole::Schulleitung) {
        Some(Granter::Schulleitung)
    } else if actor.token.has(RightId::AdminRights) {
        Some(Granter::Admin)
    } else {
        None
    }
}

pub fn grant_section(
    tr: Tr,
    actor: &Actor,
    card: &UserCard,
    failure: Option<&Failure>,
) -> Option<GrantSection> {
    let granter = actor_granter(actor)?;
    let account_type = AccountType::parse(&card.summary.account_type)?;
    let row = |r: RightId| {
        let direct = card.granted.contains(&r);
        let state = if direct {
            tr.t("rights.state.direct")
        } else if card.rights.contains(&r) {
            tr.t("rights.state.group")
        } else {
            tr.t("rights.state.off")
        };
        GrantRow {
            id: r.as_str(),
            description: tr.right(r),
            state,
            revoke: direct,
        }
    };
    let grantable = RightId::ALL
        .iter()
        .copied()
        .filter(|r| matrix::mark(*r, account_type) == Mark::Grantable);
    let (mine, others): (Vec<RightId>, Vec<RightId>) =
        grantable.partition(|r| matrix::granter(*r) == granter);
    Some(GrantSection {
        rows: mine.into_iter().map(row).collect(),
        others: others.into_iter().map(row).collect(),
        others_note: match granter {
            Granter::Admin => tr.t("rights.safe_note"),
            Granter::Schulleitung => tr.t("rights.admin_note"),
        },
        error: failure
            .filter(|f| f.form == "rights")
            .map(|f| f.message.clone()),
    })
}

pub async fn set_right(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<RightForm>,
) -> Response {
    let on = f.on == "ja";
    match state
        .platform
        .set_user_right(&r.actor, &login, &f.right, on)
        .await
    {
        Ok(()) => {
            let ok = if on { "right_granted" } else { "right_revoked" };
            Redirect::to(&format!(
                "/verwaltung/benutzer/{}?ok={ok}#rechte",
                url::encode(&login)
            ))
            .into_response()
        }
        Err(e) => {
            let failure = Failure::from_domain("rights", r.page.tr(), &e);
            render_card(&state, &r, &login, CardFailure::of(failure)).await
        }
    }
}
