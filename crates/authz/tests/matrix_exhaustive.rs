//! Every account type × every right: default, granted, and never-grantable.

use schulhof_authz::matrix::{Granter, Mark, granter, mark};
use schulhof_authz::{
    AccessToken, ChangeRight, Denied, GrantSubject, Principal, TargetUser, check,
};
use schulhof_types::{AccountType, FunctionRole, InstanceId, RightCategory, RightId, UserId};

fn token(instance: InstanceId, p: Principal, grants: &[RightId]) -> AccessToken {
    AccessToken::resolve(instance, UserId::new(), p, vec![], grants.iter().copied())
}

fn target(instance: InstanceId, t: AccountType) -> TargetUser {
    TargetUser {
        instance,
        id: UserId::new(),
        principal: Principal::Person(t),
        groups: vec![],
    }
}

#[test]
fn every_type_and_right_default_granted_and_never() {
    let school = InstanceId::new();
    let admin = token(school, Principal::Function(FunctionRole::Admin), &[]);
    let principal = token(school, Principal::Function(FunctionRole::Schulleitung), &[]);
    for &t in AccountType::ALL {
        let plain = token(school, Principal::Person(t), &[]);
        let all_granted = token(school, Principal::Person(t), RightId::ALL);
        for &r in RightId::ALL {
            let m = mark(r, t);
            assert_eq!(plain.has(r), m == Mark::Default, "{t} {r}: default");
            assert_eq!(all_granted.has(r), m != Mark::Never, "{t} {r}: after grant");

            let proper = match granter(r) {
                Granter::Admin => &admin,
                Granter::Schulleitung => &principal,
            };
            let wrong = match granter(r) {
                Granter::Admin => &principal,
                Granter::Schulleitung => &admin,
            };
            let change = ChangeRight {
                right: r,
                subject: GrantSubject::User(target(school, t)),
            };
            let decided = check(proper, change.clone()).map(|_| ());
            match m {
                Mark::Grantable => assert_eq!(decided, Ok(()), "{t} {r}: grantable"),
                Mark::Default => assert_eq!(decided, Err(Denied::IsDefault(r)), "{t} {r}"),
                Mark::Never => assert!(
                    matches!(decided, Err(Denied::NotGrantable { .. })),
                    "{t} {r}: never grantable, got {decided:?}"
                ),
            }
            assert!(
                check(wrong, change.clone()).is_err(),
                "{t} {r}: wrong granter"
            );
            assert!(
                check(&plain, change).is_err(),
                "{t} {r}: a person cannot grant"
            );
        }
    }
}

#[test]
fn safe_rights_only_by_schulleitung() {
    let school = InstanceId::new();
    let admin = token(school, Principal::Function(FunctionRole::Admin), &[]);
    let subject = GrantSubject::User(target(school, AccountType::Lehrer));
    let change = ChangeRight {
        right: RightId::SafeCommonRead,
        subject,
    };
    assert_eq!(
        check(&admin, change).map(|_| ()),
        Err(Denied::SafeRightsBySchulleitung)
    );
}

#[test]
fn students_never_reach_the_safe_or_staff_area_even_if_the_database_says_so() {
    let school = InstanceId::new();
    let forged = token(
        school,
        Principal::Person(AccountType::Schueler),
        RightId::ALL,
    );
    for r in RightId::ALL
        .iter()
        .filter(|r| r.category() == RightCategory::Safe)
    {
        assert!(!forged.has(*r), "{r}");
    }
    assert!(!forged.has(RightId::FilesStaffRead));
    assert!(!forged.has(RightId::MailForward));
}

#[test]
fn rights_of_another_school_are_not_grantable() {
    let admin = token(
        InstanceId::new(),
        Principal::Function(FunctionRole::Admin),
        &[],
    );
    let change = ChangeRight {
        right: RightId::NewsAuthor,
        subject: GrantSubject::User(target(InstanceId::new(), AccountType::Lehrer)),
    };
    assert_eq!(check(&admin, change).map(|_| ()), Err(Denied::NotFound));
}

#[test]
fn function_accounts_hold_only_their_fixed_rights() {
    let school = InstanceId::new();
    let admin = token(
        school,
        Principal::Function(FunctionRole::Admin),
        RightId::ALL,
    );
    assert!(admin.has(RightId::AdminUsers));
    assert!(
        !admin.has(RightId::SafeCommonRead),
        "admins cannot read the Safe"
    );
    assert!(!admin.has(RightId::MailInternal));
    let sl = token(school, Principal::Function(FunctionRole::Schulleitung), &[]);
    assert!(sl.has(RightId::UsersReadOnly) && !sl.has(RightId::AdminUsers));
}
