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
use schulhof_store::mail::abuse_scope::{self as store, Scope};
use schulhof_store::mail::inspections::is_council;
use schulhof_types::UserId;

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

/// The size of a stage-2 case's scope and whether the council took part; stage 1 and
/// decided or closed cases have none to show.
fn scope_of(row: &CaseRow, scope: &Scope) -> (usize, bool) {
    if row.stage != 2 || !matches!(row.state.as_str(), "requested" | "approved") {
        return (0, false);
    }
    (scope.logins.len(), scope.council.is_some())
}

impl Platform {
    /// The school's cases for the Schulleitung, newest first: one statement for the list,
    /// however many stage-2 cases are open.
    pub async fn mail_abuse_overview(&self, a: &Actor) -> Result<Vec<CaseLine>, DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let mut c = self.db.read().await?;
        let rows = cases::of_instance(&mut c, a.token.instance()).await?;
        Ok(rows
            .into_iter()
            .map(|(row, scope)| {
                let (accounts, council_joined) = scope_of(&row, &scope);
                CaseLine {
                    case: row.into(),
                    accounts,
                    council_joined,
                }
            })
            .collect())
    }

    /// The stage-2 cases of the school waiting for the staff council that this member may
    /// take part in (never one the member asked for, nor one of the account they hold, nor
    /// one about the member's own mail). A fixed number of statements for any number of
    /// cases: the cases with their scopes, then every login they name at once.
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
                scope: &[],
            };
            check(&a.token, not_member)?;
        }
        let waiting: Vec<(CaseRow, Scope)> = cases::of_instance(&mut c, instance)
            .await?
            .into_iter()
            .filter(|(r, s)| r.stage == 2 && r.state == "requested" && s.council.is_none())
            .collect();
        let mut ids: Vec<UserId> = Vec::new();
        for (row, scope) in &waiting {
            for u in std::iter::once(&row.requester).chain(&scope.logins) {
                if !ids.contains(u) {
                    ids.push(*u);
                }
            }
        }
        let people = store::people(&mut c, instance, &ids).await?;
        let person = |u: UserId| people.iter().find(|p| p.id == u);
        let mut out = Vec::new();
        for (row, scope) in waiting {
            let part = TakePartInAbuseCase {
                is_council: member,
                requester: row.requester,
                requester_holder: person(row.requester).and_then(|p| p.holder),
                scope: &scope.logins,
            };
            if check(&a.token, part).is_err() {
                continue;
            }
            let logins = scope
                .logins
                .iter()
                .filter_map(|u| person(*u).map(|p| p.login.clone()))
                .collect();
            out.push(CouncilCase {
                case: row.into(),
                logins,
            });
        }
        Ok(out)
    }

    /// The cases of every school waiting for the data-protection officer, with the size
    /// of each stage-2 scope (the officer judges "never all of them" by it): one statement.
    pub async fn operator_abuse_waiting(
        &self,
        op: &OperatorActor,
    ) -> Result<Vec<WaitingCase>, DomainError> {
        check_operator(&op.token, DecideAbuseCase)?;
        let mut c = self.db.read().await?;
        let rows = cases::system_requested(&mut c).await?;
        Ok(rows
            .into_iter()
            .map(|(row, scope)| WaitingCase {
                accounts: scope_of(&row, &scope).0,
                case: row.into(),
            })
            .collect())
    }
}
