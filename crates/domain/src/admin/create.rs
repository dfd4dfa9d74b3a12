//! Creating logins: persons get their standard mail address, function accounts a holder.

use chrono::{DateTime, Utc};
use schulhof_authz::four_eyes::{RequestKind, grants_safe_access};
use schulhof_authz::{CreateUser, Principal, check};
use schulhof_store::users::{self, UserRow};
use schulhof_store::{AsConn, four_eyes, groups as group_store, instances};
use schulhof_types::{FunctionRole, InstanceId, Login, UserId};
use serde::{Deserialize, Serialize};

use super::check_name;
use super::users::parse_account_type;
use crate::account::normalize_external_mail;
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::notify::{Kind, notify};
use crate::passwords::{check_password_rules, generate_initial_password};
use crate::{DomainError, Platform, mailaddr};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    /// For persons: `lehrer`, `personal`, `schueler`, `extern`.
    pub account_type: Option<String>,
    /// For function accounts: `admin`, `schulleitung`, `sekretariat`.
    pub function_role: Option<String>,
    /// Defaults to `vorname.nachname[N]` for persons; required for function accounts.
    pub login: Option<String>,
    /// Defaults to a generated initial password that must be changed at first login.
    pub password: Option<String>,
    pub external_mail: Option<String>,
    /// The person holding a function account.
    pub holder: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CreatedUser {
    pub login: String,
    pub mail: String,
    /// Shown once, when the system generated it.
    pub initial_password: Option<String>,
    /// A further Schulleitung account stays inactive until the Schulleitung confirms it.
    pub pending_confirmation: bool,
}

/// A checked [`NewUser`].
struct Checked {
    first: String,
    last: String,
    principal: Principal,
    external_mail: Option<String>,
    login: Option<Login>,
    password: String,
    /// The generated password, to show once.
    generated: Option<String>,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn parse_principal(
    account_type: Option<&str>,
    role: Option<&str>,
) -> Result<Principal, DomainError> {
    match (given(account_type), given(role)) {
        (Some(t), None) => Ok(Principal::Person(parse_account_type(t)?)),
        (None, Some(r)) => FunctionRole::parse(r)
            .map(Principal::Function)
            .ok_or_else(|| {
                DomainError::invalid(
                    "function_role",
                    "must be one of admin, schulleitung, sekretariat",
                )
            }),
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "function_role",
            "give either an account type or a function role, not both",
        )),
        (None, None) => Err(DomainError::invalid("account_type", "is required")),
    }
}

fn check_new(new: &NewUser) -> Result<Checked, DomainError> {
    let first = check_name("first_name", &new.first_name)?;
    let last = check_name("last_name", &new.last_name)?;
    let principal = parse_principal(new.account_type.as_deref(), new.function_role.as_deref())?;
    let external_mail = normalize_external_mail(new.external_mail.as_deref().unwrap_or(""))?;
    let login = match new
        .login
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(l) => Some(Login::parse(l).map_err(|e| DomainError::invalid("login", e.to_string()))?),
        None if matches!(principal, Principal::Function(_)) => {
            return Err(DomainError::invalid(
                "login",
                "is required for a function account",
            ));
        }
        None => None,
    };
    let (generated, password) = match new.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => (None, p.to_owned()),
        None => {
            let p = generate_initial_password();
            (Some(p.clone()), p)
        }
    };
    if let Some(l) = &login {
        check_password_rules(&password, l.as_str())?;
    }
    Ok(Checked {
        first,
        last,
        principal,
        external_mail,
        login,
        password,
        generated,
    })
}

/// The login and mail address: function accounts use their login at the school's domain,
/// persons get the first free `vorname.nachname[N]`.
async fn login_and_mail(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
    n: &Checked,
) -> Result<(String, String), DomainError> {
    let (login, mail) = match (&n.login, n.principal) {
        (Some(l), Principal::Function(_)) => (l.to_string(), format!("{l}@{domain}")),
        (Some(l), Principal::Person(_)) => (
            l.to_string(),
            mailaddr::allocate(c, instance, domain, &n.first, &n.last)
                .await?
                .1,
        ),
        (None, _) => mailaddr::allocate(c, instance, domain, &n.first, &n.last).await?,
    };
    if users::login_exists(c, instance, &login).await? {
        return Err(DomainError::conflict(
            "login",
            format!("{login} is already taken"),
        ));
    }
    Ok((login, mail))
}

async fn holder_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    holder: Option<&str>,
) -> Result<Option<UserId>, DomainError> {
    let Some(h) = holder.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let user = users::find_by_login(c, instance, &h.to_lowercase()).await?;
    Ok(Some(
        user.ok_or_else(|| DomainError::invalid("holder", "no such login"))?
            .id,
    ))
}

async fn join_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    for name in names.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        let group = group_store::find_by_name(c, instance, name).await?;
        let group = group
            .ok_or_else(|| DomainError::invalid("groups", format!("no group named {name}")))?;
        if group_store::is_archived(c, instance, group.id).await? {
            return Err(DomainError::invalid(
                "groups",
                format!("{name} belongs to a past school year"),
            ));
        }
        group_store::add_member(c, instance, group.id, user, now).await?;
    }
    Ok(())
}

impl Platform {
    /// Creates a person or function account with its standard mail address, in one
    /// transaction with its group memberships and the audit entry.
    pub async fn create_user(
        &self,
        actor: &Actor,
        new: NewUser,
    ) -> Result<CreatedUser, DomainError> {
        let grant = check(&actor.token, CreateUser)?;
        let instance = grant.instance();
        let n = check_new(&new)?;
        let hash = self.hasher.hash(&n.password).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let domain = instances::get(&mut tx, instance)
            .await?
            .ok_or(DomainError::NotFound)?
            .mail_domain;
        let (login, mail) = login_and_mail(&mut tx, instance, &domain, &n).await?;
        // Only the very first Schulleitung of a school is made without a second person.
        let schulleitung = grants_safe_access(n.principal);
        let pending = schulleitung
            && four_eyes::function_accounts(&mut tx, instance, "schulleitung", false).await? > 0;
        let row = UserRow {
            instance_id: instance,
            id: UserId::new(),
            login: login.clone(),
            kind: n
                .principal
                .account_type()
                .map_or("function", |t| t.as_str())
                .into(),
            function_role: n.principal.function_role().map(|r| r.as_str().into()),
            holder_id: holder_of(&mut tx, instance, new.holder.as_deref()).await?,
            first_name: n.first,
            last_name: n.last,
            mail: mail.clone(),
            external_mail: n.external_mail,
            // A Schulleitung waiting for confirmation gets its password from the confirming
            // Schulleitung: the admin never knows it.
            password_hash: (!pending).then_some(hash),
            must_change_password: n.generated.is_some(),
            active: !pending,
            created_at: now,
        };
        users::insert(&mut tx, &row, now).await.map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict("login", "login or mail address is already taken")
            } else {
                e.into()
            }
        })?;
        join_groups(&mut tx, instance, row.id, &new.groups, now).await?;
        let detail = serde_json::json!({ "kind": row.kind, "function_role": row.function_role, "mail": mail });
        admin_action(&mut tx, actor, now, "user.create", &login, Some(detail)).await?;
        if pending {
            let kind = RequestKind::SchulleitungCreate;
            crate::four_eyes::open_request(&mut tx, actor, kind, &row, None, now).await?;
        } else if schulleitung {
            admin_action(&mut tx, actor, now, "schulleitung.bootstrap", &login, None).await?;
            let p = serde_json::json!({ "by": actor.user.login });
            notify(&mut tx, &row, Kind::SchulleitungCreated, p, now).await?;
        }
        tx.commit().await?;
        Ok(CreatedUser {
            login,
            mail,
            initial_password: n.generated.filter(|_| !pending),
            pending_confirmation: pending,
        })
    }
}
