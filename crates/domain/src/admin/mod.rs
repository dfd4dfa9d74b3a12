//! User and group administration, and rights management within the matrix.

mod create;
mod groups;
mod rights;
mod users;

pub use create::{CreatedUser, NewUser};
pub use groups::{GroupDetail, GroupView, MemberView};
pub use users::{SortBy, UserCard, UserList, UserSummary, UserUpdate};

use schulhof_authz::TargetUser;
use schulhof_store::users::UserRow;
use schulhof_store::{AsConn, groups as group_store};
use schulhof_types::InstanceId;

use crate::DomainError;
use crate::identity::principal_of;

/// Loads a login of the school and what the policy needs to know about it.
pub(crate) async fn target(
    c: &mut impl AsConn,
    instance: InstanceId,
    login: &str,
) -> Result<(UserRow, TargetUser), DomainError> {
    let login = login.trim().to_lowercase();
    let user = schulhof_store::users::find_by_login(c, instance, &login)
        .await?
        .ok_or(DomainError::NotFound)?;
    let groups = group_store::of_user(c, instance, user.id).await?;
    let t = TargetUser {
        instance,
        id: user.id,
        principal: principal_of(&user)?,
        groups: groups.iter().map(|g| g.id).collect(),
    };
    Ok((user, t))
}

/// A person's name: present, not too long, printable.
pub(crate) fn check_name_pub(field: &'static str, value: &str) -> Result<String, DomainError> {
    check_name(field, value)
}

pub(crate) fn check_name(field: &'static str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > 100 {
        return Err(DomainError::invalid(
            field,
            "must have at most 100 characters",
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_owned())
}
