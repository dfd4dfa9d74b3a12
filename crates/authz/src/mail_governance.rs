//! Mail governance beyond delegation: four-eyes access to a mailbox (Nutzungsbedingungen
//! 2.2 c) and the two stages of abuse control (Nutzungsbedingungen 7). None of it can be done
//! by one person alone: each action here is one half, and the domain's state machines join
//! the halves.

use schulhof_types::{FunctionRole, UserId};

use crate::operator::{OperatorAction, OperatorRole, OperatorToken};
use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// Whose mailbox a four-eyes access would open, as the domain found the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectTarget {
    /// An active person's login of the school.
    Person,
    /// The caller's own login (or that of the person holding it).
    OwnLogin,
    /// No such login here, or a function or confidential-role account: a confidential
    /// mailbox is never opened this way, only the holder's own.
    NotAPerson,
}

/// Ask for four-eyes access to a person's mailbox (Nutzungsbedingungen 2.2 c): the
/// Schulleitung function account only; a staff council member confirms
/// ([`crate::four_eyes::RequestKind::MailboxInspection`]).
#[derive(Debug, Clone, Copy)]
pub struct RequestMailboxInspection(pub InspectTarget);

impl Action for RequestMailboxInspection {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.principal().is(FunctionRole::Schulleitung) {
            return Err(Denied::Forbidden);
        }
        match self.0 {
            InspectTarget::Person => Ok(()),
            InspectTarget::OwnLogin => Err(Denied::OwnLogin),
            InspectTarget::NotAPerson => Err(Denied::NotFound),
        }
    }
}

/// An approved access as stored: who may read, until when, compared with now (unix
/// microseconds, as the store keeps times).
#[derive(Debug, Clone, Copy)]
pub struct Inspection {
    pub reader: UserId,
    pub until_us: i64,
    pub now_us: i64,
}

/// Read a mailbox opened by four eyes: only the login it was approved for, only before it
/// ends, and only reading (there is no action to change anything in it). Anything else is
/// "not found".
#[derive(Debug, Clone, Copy)]
pub struct ReadInspectedMailbox(pub Option<Inspection>);

impl Action for ReadInspectedMailbox {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match self.0 {
            Some(i) if i.reader == token.user() && i.now_us < i.until_us => Ok(()),
            _ => Err(Denied::NotFound),
        }
    }
}

/// Assign or remove members of the staff council: the admin.
#[derive(Debug, Clone, Copy)]
pub struct ManageStaffCouncil;

impl Action for ManageStaffCouncil {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        crate::mail::ManageConfidentialMailboxes.decide(token)
    }
}

/// Stage 1 of abuse control: ask the data-protection officer for an anonymised analysis of
/// the traffic by external domain, with a written reason. The Schulleitung account only.
#[derive(Debug, Clone, Copy)]
pub struct RequestAbuseAnalysis;

impl Action for RequestAbuseAnalysis {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.principal().is(FunctionRole::Schulleitung) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Approve or refuse an abuse-control request: the data-protection officer (an operator
/// role), never anyone of the school.
#[derive(Debug, Clone, Copy)]
pub struct DecideAbuseCase;

impl OperatorAction for DecideAbuseCase {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        if token.role() == OperatorRole::Dpo {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// A stage-1 case as stored, for reading its result.
#[derive(Debug, Clone, Copy)]
pub struct AbuseCase {
    pub requester: UserId,
    /// Approved by the officer and not closed.
    pub approved: bool,
}

/// See the anonymised analysis of an approved case: the login that asked, only while the
/// case is approved and open. Anything else is "not found".
#[derive(Debug, Clone, Copy)]
pub struct ReadAbuseAnalysis(pub Option<AbuseCase>);

impl Action for ReadAbuseAnalysis {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match self.0 {
            Some(c) if c.requester == token.user() && c.approved => Ok(()),
            _ => Err(Denied::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, GroupId, InstanceId};

    use super::*;
    use crate::operator::check_operator;
    use crate::{Principal, check};

    #[test]
    fn only_the_schulleitung_asks_and_only_the_reader_reads_until_the_end() {
        use crate::Principal;
        let i = InstanceId(uuid::Uuid::nil());
        let sl = AccessToken::resolve(
            i,
            UserId(uuid::Uuid::now_v7()),
            Principal::Function(FunctionRole::Schulleitung),
            Vec::<GroupId>::new(),
            [],
        );
        let admin = AccessToken::resolve(
            i,
            UserId(uuid::Uuid::now_v7()),
            Principal::Function(FunctionRole::Admin),
            Vec::<GroupId>::new(),
            [],
        );
        let ask = |t| RequestMailboxInspection(t);
        assert!(check(&sl, ask(InspectTarget::Person)).is_ok());
        assert_eq!(
            check(&sl, ask(InspectTarget::NotAPerson)).err(),
            Some(Denied::NotFound)
        );
        assert_eq!(
            check(&admin, ask(InspectTarget::Person)).err(),
            Some(Denied::Forbidden)
        );
        let now = 1_700_000_000_000_000;
        let open = |reader, until_us| {
            ReadInspectedMailbox(Some(Inspection {
                reader,
                until_us,
                now_us: now,
            }))
        };
        let later = now + 3_600_000_000;
        assert!(check(&sl, open(sl.user(), later)).is_ok());
        assert_eq!(
            check(&admin, open(sl.user(), later)).err(),
            Some(Denied::NotFound)
        );
        assert_eq!(
            check(&sl, open(sl.user(), now)).err(),
            Some(Denied::NotFound)
        );
        assert!(check(&sl, ReadInspectedMailbox(None)).is_err());
    }

    #[test]
    fn only_the_officer_decides_and_only_the_asker_reads_an_approved_analysis() {
        let id = uuid::Uuid::now_v7();
        let dpo = OperatorToken::resolve(id, OperatorRole::Dpo);
        let admin = OperatorToken::resolve(id, OperatorRole::Admin);
        assert!(check_operator(&dpo, DecideAbuseCase).is_ok());
        assert!(check_operator(&admin, DecideAbuseCase).is_err());
        let i = InstanceId(uuid::Uuid::nil());
        let sl = AccessToken::resolve(
            i,
            UserId(uuid::Uuid::now_v7()),
            Principal::Function(FunctionRole::Schulleitung),
            Vec::<GroupId>::new(),
            [],
        );
        let teacher = AccessToken::resolve(
            i,
            UserId(uuid::Uuid::now_v7()),
            Principal::Person(AccountType::Lehrer),
            Vec::<GroupId>::new(),
            [],
        );
        assert!(check(&sl, RequestAbuseAnalysis).is_ok());
        assert!(check(&teacher, RequestAbuseAnalysis).is_err());
        let case = |approved| {
            ReadAbuseAnalysis(Some(AbuseCase {
                requester: sl.user(),
                approved,
            }))
        };
        assert!(check(&sl, case(true)).is_ok());
        assert_eq!(check(&sl, case(false)).err(), Some(Denied::NotFound));
        assert_eq!(check(&teacher, case(true)).err(), Some(Denied::NotFound));
    }
}
