//! Abuse control as the pages show it, beside the state machines of [`super::abuse`] and
//! [`super::abuse_scope`]: the Schulleitung's overview (how many accounts a stage-2 case
//! names and whether the staff council took part yet), the stage-2 cases a member of the
//! staff council may take part in, and the officer's list with the size of each scope.
//! Reading only; every step that changes a case stays in the two state machines.

use schulhof_authz::check;
use schulhof_authz::mail_control::TakePartInAbuseCase;
use schulhof_authz::mail_governance::{DecideAbuseCase, RequestAbuseAnalysis};
use schulhof_authz::operator::check_operator;
use schulhof_store::mail::abuse::{self as cases, CaseRow};
use schulhof_store::mail::abuse_scope as store;
use schulhof_store::mail::inspections::is_council;
use schulhof_store::{AsConn, users};

use super::abuse::CaseView;
use crate::identity::Actor;
use crate::operators::OperatorActor;
use crate::{DomainError, Platform};

/// A case on the Schulleitung's overview.
#[derive(Clone, Debug)]
pub struct CaseLine {
    pub case: CaseView,
    /// How many accounts an open stage-2 case names (0 for stage 1 and closed cases).
    pub accounts: usize,
    /// A staff council member took part (stage 2); only then does the officer see it.
    pub council_joined: bool,
}

/// A stage-2 case waiting for the staff council, with the logins it names: the council
/// takes part for the persons concerned and must know who they are.
#[derive(Clone, Debug)]
pub struct CouncilCase {
    pub case: CaseView,
    pub logins: Vec<String>,
}

/// A case waiting for the officer, with the number of accounts a stage-2 case names.
#[derive(Clone, Debug)]
pub struct WaitingCase {
    pub case: CaseView,
    pub accounts: usize,
}

/// The size of a stage-2 case's scope and whether the council took part; stage 1 has none.
async fn scope_of(c: &mut impl AsConn, row: &CaseRow) -> Result<(usize, bool), DomainError> {
    if row.stage != 2 || !matches!(row.state.as_str(), "requested" | "approved") {
        return Ok((0, false));
    }
    let scope = store::scope(c, row.instance, row.id).await?;
    Ok(scope.map_or((0, false), |s| (s.logins.len(), s.council.is_some())))
}

impl Platform {
    /// The school's cases for the Schulleitung, newest first.
    pub async fn mail_abuse_overview(&self, a: &Actor) -> Result<Vec<CaseLine>, DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let mut c = self.db.read().await?;
        let rows = cases::of_instance(&mut c, a.token.instance()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (accounts, council_joined) = scope_of(&mut c, &row).await?;
            out.push(CaseLine {
                case: row.into(),
                accounts,
                council_joined,
            });
        }
        Ok(out)
    }

    /// The stage-2 cases of the school waiting for the staff council that this member may
    /// take part in (never one the member asked for, nor one of the account they hold).
    pub async fn mail_abuse_council_cases(
        &self,
        a: &Actor,
    ) -> Result<Vec<CouncilCase>, DomainError> {
        let instance = a.token.instance();
        let mut c = self.db.read().await?;
        let member = is_council(&mut c, instance, a.user.id).await?;
        if !member {
            // The policy's answer to anyone not on the staff council.
            let not_member = TakePartInAbuseCase {
                is_council: false,
                requester: a.user.id,
                requester_holder: None,
            };
            check(&a.token, not_member)?;
        }
        let rows = cases::of_instance(&mut c, instance).await?;
        let waiting = rows
            .into_iter()
            .filter(|r| r.stage == 2 && r.state == "requested");
        let mut out = Vec::new();
        for row in waiting {
            let Some(scope) = store::scope(&mut c, instance, row.id).await? else {
                continue;
            };
            let requester_holder = users::get(&mut c, instance, row.requester)
                .await?
                .and_then(|u| u.holder_id);
            let part = TakePartInAbuseCase {
                is_council: member,
                requester: row.requester,
                requester_holder,
            };
            if scope.council.is_some() || check(&a.token, part).is_err() {
                continue;
            }
            let mut logins = Vec::with_capacity(scope.logins.len());
            for u in scope.logins {
                if let Some(u) = users::get(&mut c, instance, u).await? {
                    logins.push(u.login);
                }
            }
            out.push(CouncilCase {
                case: row.into(),
                logins,
            });
        }
        Ok(out)
    }

    /// The cases of every school waiting for the data-protection officer, with the size
    /// of each stage-2 scope (the officer judges "never all of them" by it).
    pub async fn operator_abuse_waiting(
        &self,
        op: &OperatorActor,
    ) -> Result<Vec<WaitingCase>, DomainError> {
        check_operator(&op.token, DecideAbuseCase)?;
        let mut c = self.db.read().await?;
        let rows = cases::system_requested(&mut c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (accounts, _) = scope_of(&mut c, &row).await?;
            out.push(WaitingCase {
                case: row.into(),
                accounts,
            });
        }
        Ok(out)
    }
}
