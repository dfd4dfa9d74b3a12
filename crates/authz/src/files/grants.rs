//! Changing one subject's grant on a node: giving, raising, lowering or removing it.
//!
//! The rule (rights-matrix.md, sharing):
//! - Whoever may share on a node (the share right of the area and at least Contributor;
//!   in the Safe only coordinators) may give a subject that has no grant there yet any
//!   role up to their own.
//! - A grant that exists is changed or removed only by who *manages rights* on the node
//!   (Coordinator with the share right), or by who gave it themselves; never when it is
//!   above the caller's own role. So a Contributor adds Viewer/Contributor grants and
//!   withdraws or changes only those it gave, while the class teacher's Coordinator grant
//!   and the grants others gave stay out of its reach.
//! - Grants to every login of a kind (`t:…`) are managed only by who manages rights.
//! - The default template of an area root (see [`area_template`]) is the floor of that
//!   root: its grants can be raised but never lowered or removed, so that nobody (not even
//!   the admin, demoting itself) can lock a whole area away with no way back.

use schulhof_types::UserId;

use super::{Area, FileAccess, FileRole, area_possible_for, may_share};
use crate::policy::Denied;
use crate::token::{AccessToken, Principal};

/// A subject's grant on a node as it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExistingGrant {
    pub role: FileRole,
    /// The caller gave it.
    pub by_caller: bool,
}

/// A change of one subject's grant on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantChange {
    /// The subject's key (`u:…`, `g:…`, `t:lehrer`).
    pub key: String,
    pub existing: Option<ExistingGrant>,
    /// The role it is to have; `None` removes the grant.
    pub new: Option<FileRole>,
    /// The kind of login of the subject (`None`: a group).
    pub target: Option<Principal>,
}

/// The grants a new area root starts with: the template of minimal rights
/// (rights-matrix.md, default folder template). `owner` is the login of an own area.
pub fn area_template(area: Area, owner: UserId) -> Vec<(String, FileRole)> {
    match area {
        Area::Own | Area::SafeOwn => vec![(super::user_key(owner), FileRole::Coordinator)],
        _ => shared_template(area),
    }
}

/// The template of a root every login of the school shares.
fn shared_template(area: Area) -> Vec<(String, FileRole)> {
    use FileRole::*;
    let t = |k: &str, r: FileRole| (format!("t:{k}"), r);
    match area {
        Area::Own | Area::SafeOwn => Vec::new(),
        Area::Info => vec![
            t("fn:admin", Coordinator),
            t("fn:schulleitung", Viewer),
            t("fn:sekretariat", Viewer),
            t("lehrer", Viewer),
            t("personal", Viewer),
            t("extern", Viewer),
            t("schueler", Viewer),
        ],
        Area::Teaching => vec![
            t("fn:admin", Coordinator),
            t("lehrer", Contributor),
            t("personal", Viewer),
            t("extern", Viewer),
            t("schueler", Viewer),
        ],
        // Personal and Extern see it only once the admin grants files.staff.read.
        Area::Staff => vec![
            t("fn:admin", Coordinator),
            t("lehrer", Viewer),
            t("personal", Viewer),
            t("extern", Viewer),
        ],
        // Folders below do not inherit: the root shows each login only the folders the
        // Schulleitung gave it.
        Area::SafeCommon => vec![
            t("fn:schulleitung", Coordinator),
            t("lehrer", Viewer),
            t("personal", Viewer),
        ],
    }
}

/// The least role the template keeps for `key` on a root of a shared area (the own
/// areas' template names their owner, whom the service keeps).
fn template_floor(area: Area, key: &str) -> Option<FileRole> {
    shared_template(area)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, r)| r)
}

/// Decides a grant change, given the caller's role on the node (see the module's rule).
pub(super) fn decide_change(
    token: &AccessToken,
    access: &FileAccess,
    role: FileRole,
    change: &GrantChange,
) -> Result<(), Denied> {
    let area = access.area;
    if let (Some(p), Some(_)) = (change.target, change.new)
        && !area_possible_for(p, area)
    {
        return Err(Denied::NotGrantable {
            right: schulhof_types::RightId::FilesStaffRead,
            to: "this account type",
        });
    }
    let needed = if area.is_safe() {
        FileRole::Coordinator
    } else {
        FileRole::Contributor
    };
    let shares = role >= needed && may_share(token, area);
    let manages = shares && role >= FileRole::Coordinator;
    let within_own_role = change.new.is_none_or(|n| n <= role);
    let existing_ok = change
        .existing
        .is_none_or(|e| e.role <= role && (manages || e.by_caller));
    let kind_ok = !change.key.starts_with("t:") || manages;
    let on_root = access.path.len() == 1;
    let floor_ok = !on_root
        || template_floor(area, &change.key).is_none_or(|f| change.new.is_some_and(|n| n >= f));
    if shares && within_own_role && existing_ok && kind_ok && floor_ok {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{FileOp, Level};
    use crate::policy::Action;
    use schulhof_types::{AccountType, FunctionRole, GroupId, InstanceId, NodeId};

    fn token(p: Principal) -> AccessToken {
        AccessToken::resolve(
            InstanceId::new(),
            UserId::new(),
            p,
            vec![GroupId::new()],
            [],
        )
    }

    fn level(own: Option<FileRole>) -> Level {
        Level {
            inherit: true,
            drop_box: false,
            own_role: own,
            created_by: None,
        }
    }

    /// A change on a folder below the Unterricht root, where the caller has `role`.
    fn change(
        role: FileRole,
        key: &str,
        existing: Option<ExistingGrant>,
        new: Option<FileRole>,
    ) -> FileAccess {
        FileAccess {
            node: NodeId::new(),
            area: Area::Teaching,
            path: vec![level(Some(role)), level(None)],
            op: FileOp::ChangeGrant(GrantChange {
                key: key.into(),
                existing,
                new,
                target: None,
            }),
            guest: false,
        }
    }

    fn by(role: FileRole, by_caller: bool) -> Option<ExistingGrant> {
        Some(ExistingGrant { role, by_caller })
    }

    #[test]
    fn contributors_add_and_take_back_their_own_grants_only() {
        use FileRole::*;
        let t = token(Principal::Person(AccountType::Lehrer));
        let ok = |a: FileAccess| a.decide(&t).is_ok();
        assert!(ok(change(Contributor, "g:x", None, Some(Viewer))));
        assert!(ok(change(Contributor, "g:x", None, Some(Contributor))));
        assert!(
            !ok(change(Contributor, "g:x", None, Some(Coordinator))),
            "above own role"
        );
        assert!(
            ok(change(Contributor, "g:x", by(Viewer, true), None)),
            "its own grant"
        );
        assert!(ok(change(
            Contributor,
            "g:x",
            by(Viewer, true),
            Some(Contributor)
        )));
        assert!(
            !ok(change(Contributor, "g:x", by(Viewer, false), None)),
            "another's grant"
        );
        assert!(!ok(change(
            Contributor,
            "g:x",
            by(Viewer, false),
            Some(Contributor)
        )));
        assert!(
            !ok(change(Contributor, "u:x", by(Coordinator, false), None)),
            "above own role"
        );
        assert!(!ok(change(
            Contributor,
            "u:x",
            by(Coordinator, false),
            Some(Viewer)
        )));
        assert!(!ok(change(Contributor, "u:x", by(Coordinator, true), None)));
        assert!(
            !ok(change(Contributor, "t:personal", None, Some(Viewer))),
            "kinds: managers only"
        );
        // Who manages the rights changes others' grants up to its own role.
        assert!(ok(change(
            Coordinator,
            "u:x",
            by(Coordinator, false),
            Some(Viewer)
        )));
        assert!(ok(change(Coordinator, "g:x", by(Contributor, false), None)));
    }

    #[test]
    fn the_template_of_an_area_root_is_a_floor() {
        use FileRole::*;
        let admin = token(Principal::Function(FunctionRole::Admin));
        let on_root = |area, key: &str, existing, new| FileAccess {
            node: NodeId::new(),
            area,
            path: vec![level(Some(Coordinator))],
            op: FileOp::ChangeGrant(GrantChange {
                key: key.into(),
                existing,
                new,
                target: None,
            }),
            guest: false,
        };
        for (area, key, new) in [
            (Area::Staff, "t:fn:admin", None),
            (Area::Staff, "t:fn:admin", Some(Contributor)),
            (Area::Teaching, "t:lehrer", Some(Viewer)),
            (Area::Info, "t:schueler", None),
        ] {
            let a = on_root(area, key, by(Coordinator, false), new);
            assert_eq!(
                a.decide(&admin),
                Err(Denied::Forbidden),
                "{area:?} {key} {new:?}"
            );
        }
        assert!(
            on_root(Area::Info, "t:lehrer", by(Viewer, false), Some(Contributor))
                .decide(&admin)
                .is_ok()
        );
        assert!(
            on_root(Area::Info, "t:lehrer", by(Contributor, true), Some(Viewer))
                .decide(&admin)
                .is_ok()
        );
        assert!(
            on_root(Area::Info, "g:x", by(Viewer, true), None)
                .decide(&admin)
                .is_ok(),
            "not template"
        );
        // Below the root, the same keys are ordinary grants.
        let below = change(Coordinator, "t:lehrer", by(Contributor, false), None);
        assert!(below.decide(&admin).is_ok());
    }
}
