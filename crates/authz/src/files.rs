//! Rights on folders and files: the roles Viewer, Contributor and Coordinator, inherited
//! down the tree, withdrawn below, capped by what each account type may ever have in an area.

use schulhof_types::{AccountType, FunctionRole, NodeId, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

mod grants;
pub use grants::{ExistingGrant, GrantChange, area_template};

/// The areas of the file manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    /// Each login's own area: only they see it, unless they share.
    Own,
    /// Informationen der Schule: everyone reads.
    Info,
    /// Unterricht: teaching material of teachers and learning groups.
    Teaching,
    /// Lehrerbereich: never students.
    Staff,
    /// The Daten-Safe: each teacher's own area, from which nothing is ever shared.
    SafeOwn,
    /// The Daten-Safe's common area: the Schulleitung creates folders and gives rights,
    /// folder by folder, only inside the school.
    SafeCommon,
}

impl Area {
    pub const SHARED: [Area; 3] = [Area::Info, Area::Teaching, Area::Staff];
    /// The areas of the file manager (never the Safe).
    pub const FILES: [Area; 4] = [Area::Own, Area::Info, Area::Teaching, Area::Staff];
    pub const SAFE: [Area; 2] = [Area::SafeOwn, Area::SafeCommon];

    pub fn is_safe(self) -> bool {
        matches!(self, Area::SafeOwn | Area::SafeCommon)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Own => "own",
            Area::Info => "info",
            Area::Teaching => "teaching",
            Area::Staff => "staff",
            Area::SafeOwn => "safe_own",
            Area::SafeCommon => "safe_common",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::FILES
            .into_iter()
            .chain(Area::SAFE)
            .find(|a| a.as_str() == s)
    }

    /// The right that lets a person share inside the school in this area.
    fn share_right(self) -> Option<RightId> {
        match self {
            Area::Own => Some(RightId::FilesOwnShareInternal),
            Area::Teaching => Some(RightId::FilesTeachingShareInternal),
            Area::Staff => Some(RightId::FilesStaffShareInternal),
            // Nothing is ever shared out of the own Safe area (safe.own.share is —).
            Area::Info | Area::SafeOwn | Area::SafeCommon => None,
        }
    }

    /// The right that lets a person share with logins of other schools in this area.
    fn share_cross_right(self) -> Option<RightId> {
        match self {
            Area::Own => Some(RightId::FilesOwnShareCross),
            Area::Teaching => Some(RightId::FilesTeachingShareCross),
            Area::Staff => Some(RightId::FilesStaffShareCross),
            // safe.share_cross is —; the Informationen are the school's own.
            Area::Info | Area::SafeOwn | Area::SafeCommon => None,
        }
    }
}

/// A role on a folder or file; each includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileRole {
    /// Reads folders and documents and downloads.
    Viewer = 1,
    /// Also uploads, edits and shares.
    Contributor = 2,
    /// Also creates and deletes folders and documents.
    Coordinator = 3,
}

impl FileRole {
    pub fn from_i64(v: i64) -> Option<FileRole> {
        match v {
            1 => Some(FileRole::Viewer),
            2 => Some(FileRole::Contributor),
            v if v >= 3 => Some(FileRole::Coordinator),
            _ => None,
        }
    }

    pub fn as_i64(self) -> i64 {
        self as i64
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileRole::Viewer => "viewer",
            FileRole::Contributor => "contributor",
            FileRole::Coordinator => "coordinator",
        }
    }

    pub fn parse(s: &str) -> Option<FileRole> {
        match s {
            "viewer" => Some(FileRole::Viewer),
            "contributor" => Some(FileRole::Contributor),
            "coordinator" => Some(FileRole::Coordinator),
            _ => None,
        }
    }
}

/// One node on the way from an area root down to the node in question.
#[derive(Clone, Debug)]
pub struct Level {
    /// Rights set above reach this node.
    pub inherit: bool,
    /// A drop folder: its contributors see only what they put in.
    pub drop_box: bool,
    /// The highest role granted on this very node to the caller or one of its groups.
    pub own_role: Option<FileRole>,
    pub created_by: Option<UserId>,
}

/// The subject keys the caller matches in grants, as `|key|key|`: the login itself, its
/// kind of login, and each of its groups.
pub fn subject_keys(token: &AccessToken) -> String {
    let kind = match token.principal() {
        Principal::Person(t) => t.as_str().to_owned(),
        Principal::Function(r) => format!("fn:{}", r.as_str()),
    };
    let mut keys = format!("|u:{}|t:{kind}|", token.user());
    for g in token.groups() {
        keys.push_str(&format!("g:{g}|"));
    }
    keys
}

/// The subject key a login of another school matches as a guest: only grants made to it
/// by name (`x:…`), never its own school's groups or kinds. A share across schools is
/// first an offer, which is no grant: the `x:` grant exists only once the recipient
/// accepted ([`may_accept_cross_share`]), so offered or declined shares give no access.
pub fn guest_keys(token: &AccessToken) -> String {
    format!("|{}|", guest_key(token.user()))
}

/// Whether the caller may look up logins of other schools at all (to share with them): only
/// with one of the O-rights files.*.share_cross.
pub fn may_share_across_schools(token: &AccessToken) -> bool {
    [Area::Own, Area::Teaching, Area::Staff]
        .into_iter()
        .filter_map(Area::share_cross_right)
        .any(|r| token.has(r))
}

/// Whether a login may ever receive a share of another school: never a function account
/// (they act for their school, not as persons); a student only when its own school
/// allows it (off by default).
pub fn may_receive_cross_share(recipient: Principal, students_allowed: bool) -> bool {
    match recipient {
        Principal::Function(_) => false,
        Principal::Person(AccountType::Schueler) => students_allowed,
        Principal::Person(_) => true,
    }
}

/// Whether the caller may accept a share offered to it by another school (it must be the
/// offer's recipient; the service checks that). Until then the offer gives no access.
pub fn may_accept_cross_share(token: &AccessToken, students_allowed: bool) -> Result<(), Denied> {
    if may_receive_cross_share(token.principal(), students_allowed) {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// Setting whether the school's students may accept shares of other schools: whoever
/// administers the school's logins.
#[derive(Debug, Clone, Copy)]
pub struct ManageCrossSharing;

impl Action for ManageCrossSharing {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::AdminUsers) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// The key of a grant to a login of another school.
pub fn guest_key(user: UserId) -> String {
    format!("x:{user}")
}

/// The key of a grant to one login, a group, or every login of a kind.
pub fn user_key(user: UserId) -> String {
    format!("u:{user}")
}
pub fn group_key(group: schulhof_types::GroupId) -> String {
    format!("g:{group}")
}
pub fn kind_key(principal: Principal) -> String {
    match principal {
        Principal::Person(t) => format!("t:{}", t.as_str()),
        Principal::Function(r) => format!("t:fn:{}", r.as_str()),
    }
}

/// Whether an account type may have any role in an area at all (the matrix rows
/// files.*.read); the admin coordinates the shared areas.
fn area_open(principal: Principal, token: &AccessToken, area: Area) -> bool {
    if principal.is(FunctionRole::Admin) && Area::SHARED.contains(&area) {
        return true;
    }
    match area {
        Area::Own | Area::Info => true,
        Area::Teaching => token.has(RightId::FilesTeachingRead),
        Area::Staff => token.has(RightId::FilesStaffRead),
        // The admin has no key to the Safe; students and externals never enter it.
        Area::SafeOwn => token.has(RightId::SafeOwnCoordinate),
        Area::SafeCommon => {
            principal.is(FunctionRole::Schulleitung)
                || matches!(
                    principal,
                    Principal::Person(AccountType::Lehrer | AccountType::Personal)
                )
        }
    }
}

/// Whether a login of this kind could ever be given a role in the area (sharing refuses
/// what could never take effect, e.g. students in the Lehrerbereich).
pub fn area_possible_for(principal: Principal, area: Area) -> bool {
    match (principal, area) {
        (Principal::Person(AccountType::Schueler), Area::Staff) => false,
        (_, Area::SafeOwn) => false,
        (Principal::Person(AccountType::Schueler | AccountType::Extern), Area::SafeCommon) => false,
        (Principal::Function(r), Area::SafeCommon) => r == FunctionRole::Schulleitung,
        (Principal::Function(r), Area::Info | Area::Teaching | Area::Staff) => {
            r == FunctionRole::Admin
        }
        _ => true,
    }
}

/// The caller's role on the last node of `path` (root first), or `None`: it may not see it.
pub fn role_on(token: &AccessToken, area: Area, path: &[Level]) -> Option<FileRole> {
    if !area_open(token.principal(), token, area) {
        return None;
    }
    // After a password reset by someone else, nothing in own areas until it is confirmed.
    if token.private_on_hold() && matches!(area, Area::Own | Area::SafeOwn) {
        return None;
    }
    let mut role: Option<FileRole> = None;
    for (i, level) in path.iter().enumerate() {
        role = if i == 0 {
            level.own_role
        } else {
            child_role(token, role, path[i - 1].drop_box, level)
        };
    }
    if area == Area::SafeCommon {
        return crate::safe::common_role(token, role);
    }
    role
}

/// A guest's role (a login of another school) on the last node of `path`: only what was
/// shared with it by name, never more than Viewer.
pub fn guest_role(token: &AccessToken, path: &[Level]) -> Option<FileRole> {
    let mut role: Option<FileRole> = None;
    for (i, level) in path.iter().enumerate() {
        role = if i == 0 {
            level.own_role
        } else {
            child_role(token, role, path[i - 1].drop_box, level)
        };
    }
    role.map(|r| r.min(FileRole::Viewer))
}

/// The role on a node given the role on its parent: inherited unless withdrawn here, not
/// into others' entries of a drop folder the caller does not coordinate, raised by grants
/// on the node itself.
pub fn child_role(
    token: &AccessToken,
    parent_role: Option<FileRole>,
    parent_is_drop_box: bool,
    level: &Level,
) -> Option<FileRole> {
    let mut role = if level.inherit { parent_role } else { None };
    if parent_is_drop_box
        && role < Some(FileRole::Coordinator)
        && level.created_by != Some(token.user())
    {
        role = None;
    }
    role.max(level.own_role)
}

/// What a caller wants to do with a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileOp {
    /// List a folder, read or download a file.
    Read,
    /// Upload into a folder, overwrite or rename a file, set its metadata.
    Write,
    /// Create, rename or move folders; delete; restore from the trash.
    Coordinate,
    /// Give `role` on the node to a subject of kind `target` (None: a group).
    Share {
        role: FileRole,
        target: Option<Principal>,
    },
    /// Withdraw inherited rights, make a drop folder.
    ManageRights,
    /// Give, change or remove one subject's grant (see [`GrantChange`] for the rule).
    ChangeGrant(GrantChange),
    /// Give `role` on the node to a login of another school, of kind `target`.
    ShareCross { role: FileRole, target: Principal },
}

/// A decision about one node, from the path to it.
#[derive(Clone, Debug)]
pub struct FileAccess {
    pub node: NodeId,
    pub area: Area,
    pub path: Vec<Level>,
    pub op: FileOp,
    /// The caller is a login of another school, reaching the node through a share.
    pub guest: bool,
}

impl FileAccess {
    /// The caller's role that the decision was based on.
    pub fn role(&self, token: &AccessToken) -> Option<FileRole> {
        if self.guest {
            guest_role(token, &self.path)
        } else {
            role_on(token, self.area, &self.path)
        }
    }
}

fn may_share(token: &AccessToken, area: Area) -> bool {
    match area {
        // Nothing is ever shared out of the own Safe area (safe.own.share is —).
        Area::SafeOwn => false,
        // The Schulleitung, or whom it made coordinator of a folder (delegation).
        Area::SafeCommon => true,
        _ => {
            token.principal().is(FunctionRole::Admin)
                || area.share_right().is_some_and(|r| token.has(r))
        }
    }
}

impl Action for FileAccess {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let role = self.role(token).ok_or(Denied::NotFound)?;
        if self.guest {
            // Guests from other schools read what was shared with them, nothing more.
            return match self.op {
                FileOp::Read => Ok(()),
                _ => Err(Denied::Forbidden),
            };
        }
        let allowed = match &self.op {
            FileOp::Read => true,
            FileOp::Write => role >= FileRole::Contributor,
            FileOp::Coordinate => role >= FileRole::Coordinator,
            FileOp::Share {
                role: given,
                target,
            } => {
                if let Some(p) = target
                    && !area_possible_for(*p, self.area)
                {
                    return Err(Denied::NotGrantable {
                        right: RightId::FilesStaffRead,
                        to: "this account type",
                    });
                }
                // In the Safe only coordinators (the Schulleitung or its delegates) give rights.
                let needed = if self.area.is_safe() {
                    FileRole::Coordinator
                } else {
                    FileRole::Contributor
                };
                role >= needed && *given <= role && may_share(token, self.area)
            }
            FileOp::ManageRights => role >= FileRole::Coordinator && may_share(token, self.area),
            FileOp::ChangeGrant(change) => return grants::decide_change(token, self, role, change),
            // Other schools only ever read; the O-right files.*.share_cross is needed.
            FileOp::ShareCross {
                role: given,
                target,
            } => {
                let Some(right) = self.area.share_cross_right() else {
                    return Err(Denied::Forbidden);
                };
                if !area_possible_for(*target, self.area) {
                    return Err(Denied::NotGrantable {
                        right: RightId::FilesStaffRead,
                        to: "this account type",
                    });
                }
                role >= FileRole::Contributor && *given == FileRole::Viewer && token.has(right)
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_types::{GroupId, InstanceId};

    fn token(p: Principal, grants: &[RightId]) -> AccessToken {
        AccessToken::resolve(
            InstanceId::new(),
            UserId::new(),
            p,
            vec![GroupId::new()],
            grants.iter().copied(),
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

    const PERSONS: [AccountType; 4] = [
        AccountType::Lehrer,
        AccountType::Personal,
        AccountType::Extern,
        AccountType::Schueler,
    ];

    #[test]
    fn roles_inherit_down_until_withdrawn_and_grants_below_add_to_them() {
        let t = token(Principal::Person(AccountType::Lehrer), &[]);
        let mut path = vec![
            level(Some(FileRole::Viewer)),
            level(None),
            level(Some(FileRole::Coordinator)),
        ];
        assert_eq!(
            role_on(&t, Area::Teaching, &path[..2]),
            Some(FileRole::Viewer)
        );
        assert_eq!(
            role_on(&t, Area::Teaching, &path),
            Some(FileRole::Coordinator)
        );
        path[1].inherit = false;
        assert_eq!(
            role_on(&t, Area::Teaching, &path[..2]),
            None,
            "withdrawn below"
        );
        assert_eq!(
            role_on(&t, Area::Teaching, &path),
            Some(FileRole::Coordinator),
            "given again further down"
        );
        path[2].own_role = None;
        assert_eq!(role_on(&t, Area::Teaching, &path), None);
    }

    #[test]
    fn drop_folders_hide_others_entries_from_non_coordinators() {
        let t = token(Principal::Person(AccountType::Schueler), &[]);
        let mut folder = level(Some(FileRole::Contributor));
        folder.drop_box = true;
        let mine = Level {
            created_by: Some(t.user()),
            ..level(None)
        };
        let theirs = Level {
            created_by: Some(UserId::new()),
            ..level(None)
        };
        assert_eq!(
            role_on(&t, Area::Own, &[folder.clone(), mine]),
            Some(FileRole::Contributor)
        );
        assert_eq!(
            role_on(&t, Area::Own, &[folder.clone(), theirs.clone()]),
            None
        );
        folder.own_role = Some(FileRole::Coordinator);
        assert_eq!(
            role_on(&t, Area::Own, &[folder, theirs]),
            Some(FileRole::Coordinator),
            "the teacher sees all"
        );
    }

    /// files.*.read caps every grant: students never reach the Lehrerbereich, Personal and
    /// Extern only once the admin grants files.staff.read.
    #[test]
    fn account_types_are_capped_by_the_matrix_whatever_is_granted() {
        let full = [level(Some(FileRole::Coordinator))];
        for t in PERSONS {
            let plain = token(Principal::Person(t), &[]);
            let granted = token(Principal::Person(t), &[RightId::FilesStaffRead]);
            let staff = (
                role_on(&plain, Area::Staff, &full).is_some(),
                role_on(&granted, Area::Staff, &full).is_some(),
            );
            let want = match t {
                AccountType::Lehrer => (true, true),
                AccountType::Personal | AccountType::Extern => (false, true),
                AccountType::Schueler => (false, false),
            };
            assert_eq!(staff, want, "{t:?} in the Lehrerbereich");
            for area in [Area::Own, Area::Info, Area::Teaching] {
                assert!(role_on(&plain, area, &full).is_some(), "{t:?} in {area:?}");
            }
        }
        let admin = token(Principal::Function(FunctionRole::Admin), &[]);
        for area in Area::SHARED {
            assert_eq!(role_on(&admin, area, &full), Some(FileRole::Coordinator));
        }
        assert_eq!(
            role_on(&admin, Area::Staff, &[level(None)]),
            None,
            "no grant, no role: the admin has no key to private areas"
        );
    }

    #[test]
    fn sharing_needs_the_share_right_and_never_gives_more_than_one_has() {
        let access = |op, own| FileAccess {
            node: schulhof_types::NodeId::new(),
            area: Area::Own,
            path: vec![level(Some(own))],
            op,
            guest: false,
        };
        let share = |role| FileOp::Share { role, target: None };
        let teacher = token(Principal::Person(AccountType::Lehrer), &[]);
        let student = token(Principal::Person(AccountType::Schueler), &[]);
        let student_ok = token(
            Principal::Person(AccountType::Schueler),
            &[RightId::FilesOwnShareInternal],
        );
        assert!(
            access(share(FileRole::Viewer), FileRole::Coordinator)
                .decide(&teacher)
                .is_ok()
        );
        assert_eq!(
            access(share(FileRole::Viewer), FileRole::Coordinator).decide(&student),
            Err(Denied::Forbidden),
            "files.own.share_internal is O for students"
        );
        assert!(
            access(share(FileRole::Viewer), FileRole::Coordinator)
                .decide(&student_ok)
                .is_ok()
        );
        assert_eq!(
            access(share(FileRole::Coordinator), FileRole::Contributor).decide(&teacher),
            Err(Denied::Forbidden),
            "more than one has"
        );
        assert_eq!(
            access(share(FileRole::Viewer), FileRole::Viewer).decide(&teacher),
            Err(Denied::Forbidden),
            "viewers do not share"
        );
        let to_student = FileOp::Share {
            role: FileRole::Viewer,
            target: Some(Principal::Person(AccountType::Schueler)),
        };
        let staff = FileAccess {
            node: schulhof_types::NodeId::new(),
            area: Area::Staff,
            path: vec![level(Some(FileRole::Coordinator))],
            op: to_student,
            guest: false,
        };
        assert!(
            matches!(staff.decide(&teacher), Err(Denied::NotGrantable { .. })),
            "students never in the Lehrerbereich"
        );
        let invisible = FileAccess {
            node: schulhof_types::NodeId::new(),
            area: Area::Own,
            path: vec![level(None)],
            op: FileOp::Read,
            guest: false,
        };
        assert_eq!(
            invisible.decide(&teacher),
            Err(Denied::NotFound),
            "what one cannot see does not exist"
        );
    }

    #[test]
    fn other_schools_are_shared_with_only_by_right_and_only_read() {
        let access = |area, op, own, guest| FileAccess {
            node: schulhof_types::NodeId::new(),
            area,
            path: vec![level(own), level(None)],
            op,
            guest,
        };
        let cross = |role| FileOp::ShareCross {
            role,
            target: Principal::Person(AccountType::Lehrer),
        };
        let teacher = token(Principal::Person(AccountType::Lehrer), &[]);
        let allowed = token(
            Principal::Person(AccountType::Lehrer),
            &[
                RightId::FilesOwnShareCross,
                RightId::FilesTeachingShareCross,
            ],
        );
        let own = Some(FileRole::Coordinator);
        assert_eq!(
            access(Area::Own, cross(FileRole::Viewer), own, false).decide(&teacher),
            Err(Denied::Forbidden),
            "files.own.share_cross is O for teachers"
        );
        assert!(
            access(Area::Own, cross(FileRole::Viewer), own, false)
                .decide(&allowed)
                .is_ok()
        );
        assert_eq!(
            access(Area::Own, cross(FileRole::Contributor), own, false).decide(&allowed),
            Err(Denied::Forbidden),
            "other schools only read"
        );
        assert_eq!(
            access(Area::Staff, cross(FileRole::Viewer), own, false).decide(&allowed),
            Err(Denied::Forbidden),
            "the right is per area"
        );
        let staff_allowed = token(
            Principal::Person(AccountType::Lehrer),
            &[RightId::FilesStaffShareCross],
        );
        let to_student = FileOp::ShareCross {
            role: FileRole::Viewer,
            target: Principal::Person(AccountType::Schueler),
        };
        assert!(
            matches!(
                access(Area::Staff, to_student, own, false).decide(&staff_allowed),
                Err(Denied::NotGrantable { .. })
            ),
            "no student of any school in a Lehrerbereich"
        );
        let head = token(
            Principal::Function(FunctionRole::Schulleitung),
            &[RightId::FilesOwnShareCross],
        );
        for area in [Area::SafeOwn, Area::SafeCommon, Area::Info] {
            for who in [&allowed, &head] {
                assert!(
                    access(area, cross(FileRole::Viewer), own, false)
                        .decide(who)
                        .is_err(),
                    "{area:?} is never shared across schools"
                );
            }
        }

        // The guest: a grant as coordinator still only reads.
        let guest = token(Principal::Person(AccountType::Lehrer), &[]);
        let shared = Some(FileRole::Coordinator);
        assert!(
            access(Area::Own, FileOp::Read, shared, true)
                .decide(&guest)
                .is_ok()
        );
        assert_eq!(
            access(Area::Own, FileOp::Read, shared, true).role(&guest),
            Some(FileRole::Viewer)
        );
        for op in [
            FileOp::Write,
            FileOp::Coordinate,
            FileOp::ManageRights,
            FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            },
            cross(FileRole::Viewer),
        ] {
            assert_eq!(
                access(Area::Own, op.clone(), shared, true).decide(&guest),
                Err(Denied::Forbidden),
                "{op:?}"
            );
        }
        assert_eq!(
            access(Area::Own, FileOp::Read, None, true).decide(&guest),
            Err(Denied::NotFound),
            "nothing shared, nothing there"
        );
        assert_eq!(guest_keys(&guest), format!("|x:{}|", guest.user()));
        // Offers reach persons only: never function accounts, students only if allowed.
        let student = Principal::Person(AccountType::Schueler);
        assert!(!may_receive_cross_share(student, false));
        assert!(may_receive_cross_share(student, true));
        assert!(!may_receive_cross_share(
            Principal::Function(FunctionRole::Admin),
            true
        ));
        assert!(may_accept_cross_share(&guest, false).is_ok());
        let pupil = token(student, &[]);
        assert_eq!(may_accept_cross_share(&pupil, false), Err(Denied::NotFound));
        assert!(!may_share_across_schools(&teacher));
        assert!(may_share_across_schools(&allowed));
    }
}
