//! Delegation of a mailbox ("Stellvertretung"): the owner gives named persons of the school
//! access to the own mailbox (read, or read and write; optionally send-as) and takes it back.
//! Confidential-role accounts ("Geheimnisträger") have no login: the admin creates them and
//! gives their mailboxes to holders. Every grant and revocation is audited (kind "mail",
//! object the owner's id) and listed to the owner.
//!
//! Not here (issue 17, items 3 and 4): four-eyes access and abuse control would be further
//! ways of opening a mailbox; they would enter [`super::shared::open_owner`] as another
//! input of the policy (an approved, unexpired four-eyes case), never as a delegation row,
//! so they could not be passed on either.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::mail::{
    DelegateOwnMailbox, DelegateTarget, MailboxAccess, ManageConfidentialMailboxes,
};
use schulhof_store::mail::addresses;
use schulhof_store::mail::delegations::{self as store, DelegationRow, NewDelegation};
use schulhof_store::users::{self, UserRow};
use schulhof_store::{AsConn, instances};
use schulhof_types::{InstanceId, UserId};
use serde::Serialize;

use super::Mailbox;
use super::folders::{ensure_standard, mailbox_of};
use crate::audit::{self, Event, admin_action};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One delegation as a list shows it: the other side and what it may do.
#[derive(Clone, Debug, Serialize)]
pub struct DelegationView {
    pub login: String,
    pub name: String,
    pub mail: String,
    pub access: &'static str,
    pub send_as: bool,
    pub since: DateTime<Utc>,
    /// The mailbox is a confidential-role account's (listed to its holders).
    pub confidential: bool,
}

/// A grant or revocation of the own mailbox, as the owner sees it.
#[derive(Clone, Debug, Serialize)]
pub struct DelegationEvent {
    pub at: DateTime<Utc>,
    /// "granted" or "revoked".
    pub what: &'static str,
    /// Whose login was given or denied access.
    pub delegate: String,
    pub access: Option<String>,
    pub send_as: bool,
    /// Who did it: the owner, or the admin for a confidential mailbox.
    pub by: String,
}

/// A confidential-role account with its holders, for the admin.
#[derive(Clone, Debug, Serialize)]
pub struct ConfidentialAccount {
    pub login: String,
    pub role: String,
    pub mail: String,
    pub holders: Vec<DelegationView>,
}

const GRANT: &str = "mail.delegation_grant";
const REVOKE: &str = "mail.delegation_revoke";

fn view(r: DelegationRow) -> DelegationView {
    DelegationView {
        access: MailboxAccess::parse(&r.access).map_or("read", MailboxAccess::as_str),
        login: r.other_login,
        name: r.other_name,
        mail: r.other_mail,
        send_as: r.send_as,
        since: r.updated_at,
        confidential: r.owner_confidential,
    }
}

/// Who may receive a delegation: an active person's login of the school.
async fn target_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    login: &str,
) -> Result<(DelegateTarget, Option<UserRow>), DomainError> {
    let Some(u) = users::find_by_login(c, instance, login.trim()).await? else {
        return Ok((DelegateTarget::NotAPerson, None));
    };
    if u.id == owner {
        return Ok((DelegateTarget::OwnLogin, None));
    }
    let person = u.active
        && u.kind != "function"
        && store::confidential_role(c, instance, u.id).await?.is_none();
    Ok(if person {
        (DelegateTarget::Person, Some(u))
    } else {
        (DelegateTarget::NotAPerson, None)
    })
}

/// Records a grant or revocation on the owner's mailbox (kind "mail", object the owner).
async fn record(
    c: &mut impl AsConn,
    a: &Actor,
    at: DateTime<Utc>,
    owner: UserId,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), DomainError> {
    let object = owner.0.to_string();
    audit::record(
        c,
        a.token.instance(),
        at,
        Event {
            kind: "mail",
            actor: Some(a.token.user()),
            holder: a.user.holder_id,
            action,
            object: Some(&object),
            client_addr: None,
            detail: Some(detail),
        },
    )
    .await
}

impl Platform {
    /// Gives the own mailbox to `login` (or changes what an existing delegation allows).
    pub async fn mail_delegate(
        &self,
        a: &Actor,
        login: &str,
        access: MailboxAccess,
        send_as: bool,
    ) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (target, user) = target_of(&mut tx, mb.instance, mb.owner, login).await?;
        check(&a.token, DelegateOwnMailbox(target))?;
        let u = user.ok_or(DomainError::NotFound)?;
        let d = NewDelegation {
            owner: mb.owner,
            delegate: u.id,
            access: access.as_str(),
            send_as,
            granted_by: a.user.id,
        };
        // The delegate sees the standard folders even of a mailbox never opened yet.
        ensure_standard(&mut tx, mb, now).await?;
        store::upsert(&mut tx, mb.instance, &d, now).await?;
        let detail =
            serde_json::json!({"delegate": u.login, "access": access.as_str(), "send_as": send_as});
        record(&mut tx, a, now, mb.owner, GRANT, detail).await?;
        Ok(tx.commit().await?)
    }

    /// Takes the own mailbox back from `login`. Taking back needs no right: an owner whose
    /// right was withdrawn must still be able to end what they gave.
    pub async fn mail_revoke_delegation(&self, a: &Actor, login: &str) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let u = users::find_by_login(&mut tx, mb.instance, login.trim())
            .await?
            .ok_or(DomainError::NotFound)?;
        if !store::delete(&mut tx, mb.instance, mb.owner, u.id).await? {
            return Err(DomainError::NotFound);
        }
        record(
            &mut tx,
            a,
            now,
            mb.owner,
            REVOKE,
            serde_json::json!({"delegate": u.login}),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Whom the actor gave the own mailbox to.
    pub async fn mail_delegations_given(
        &self,
        a: &Actor,
    ) -> Result<Vec<DelegationView>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let rows = store::given_by(&mut c, mb.instance, mb.owner).await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// The mailboxes given to the actor directly (never those given to their owners).
    pub async fn mail_delegations_received(
        &self,
        a: &Actor,
    ) -> Result<Vec<DelegationView>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let rows = store::given_to(&mut c, mb.instance, mb.owner).await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// Every grant and revocation of the own mailbox, newest first.
    pub async fn mail_delegation_history(
        &self,
        a: &Actor,
    ) -> Result<Vec<DelegationEvent>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let rows = store::history(&mut c, mb.instance, mb.owner, 200).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let by = match r.actor {
                Some(id) if id == a.user.id => a.user.login.clone(),
                Some(id) => users::get(&mut c, mb.instance, id)
                    .await?
                    .map_or_else(String::new, |u| u.login),
                None => String::new(),
            };
            let d: serde_json::Value = r
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default();
            let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            out.push(DelegationEvent {
                at: r.at,
                what: if r.action == GRANT {
                    "granted"
                } else {
                    "revoked"
                },
                delegate: text("delegate").unwrap_or_default(),
                access: text("access"),
                send_as: d.get("send_as").and_then(|v| v.as_bool()).unwrap_or(false),
                by,
            });
        }
        Ok(out)
    }

    /// Creates a confidential-role account: its own address `<login>@<school domain>`, no
    /// password (it never logs in). Returns the address.
    pub async fn mail_create_confidential(
        &self,
        a: &Actor,
        login: &str,
        role: &str,
    ) -> Result<String, DomainError> {
        check(&a.token, ManageConfidentialMailboxes)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let u = insert_confidential(&mut tx, a.token.instance(), login, role, now).await?;
        let detail = serde_json::json!({"role": role.trim(), "mail": u.mail});
        admin_action(
            &mut tx,
            a,
            now,
            "mail.confidential_create",
            &u.login,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(u.mail)
    }

    /// The confidential-role accounts of the school and their holders.
    pub async fn mail_confidential_accounts(
        &self,
        a: &Actor,
    ) -> Result<Vec<ConfidentialAccount>, DomainError> {
        check(&a.token, ManageConfidentialMailboxes)?;
        let instance = a.token.instance();
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        for (id, login, role, mail) in store::confidential_list(&mut c, instance).await? {
            let holders = store::given_by(&mut c, instance, id).await?;
            out.push(ConfidentialAccount {
                login,
                role,
                mail,
                holders: holders.into_iter().map(view).collect(),
            });
        }
        Ok(out)
    }

    /// Gives (`Some(access)`) or takes back (`None`) a confidential mailbox from a holder.
    pub async fn mail_confidential_delegate(
        &self,
        a: &Actor,
        account: &str,
        holder: &str,
        access: Option<(MailboxAccess, bool)>,
    ) -> Result<(), DomainError> {
        check(&a.token, ManageConfidentialMailboxes)?;
        let instance = a.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let owner = users::find_by_login(&mut tx, instance, account.trim())
            .await?
            .ok_or(DomainError::NotFound)?;
        store::confidential_role(&mut tx, instance, owner.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let (target, user) = target_of(&mut tx, instance, owner.id, holder).await?;
        let u = user
            .filter(|_| target == DelegateTarget::Person)
            .ok_or(DomainError::NotFound)?;
        let (action, detail) = match access {
            Some((acc, send_as)) => {
                let d = NewDelegation {
                    owner: owner.id,
                    delegate: u.id,
                    access: acc.as_str(),
                    send_as,
                    granted_by: a.user.id,
                };
                store::upsert(&mut tx, instance, &d, now).await?;
                let mb = Mailbox {
                    instance,
                    owner: owner.id,
                };
                ensure_standard(&mut tx, mb, now).await?;
                let d = serde_json::json!({"delegate": u.login, "access": acc.as_str(), "send_as": send_as});
                (GRANT, d)
            }
            None => {
                if !store::delete(&mut tx, instance, owner.id, u.id).await? {
                    return Err(DomainError::NotFound);
                }
                (REVOKE, serde_json::json!({"delegate": u.login}))
            }
        };
        record(&mut tx, a, now, owner.id, action, detail.clone()).await?;
        admin_action(&mut tx, a, now, action, &owner.login, Some(detail)).await?;
        Ok(tx.commit().await?)
    }

    /// The demo school's confidential-role account `lehrerrat`, delegated to the demo
    /// teacher (read and write, send-as), with one message in its inbox.
    pub(crate) async fn seed_demo_confidential(&self, teacher: &Actor) -> Result<(), DomainError> {
        let instance = teacher.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let u = insert_confidential(&mut tx, instance, "lehrerrat", "Lehrerrat", now).await?;
        let d = NewDelegation {
            owner: u.id,
            delegate: teacher.user.id,
            access: "write",
            send_as: true,
            granted_by: u.id,
        };
        store::upsert(&mut tx, instance, &d, now).await?;
        let detail =
            serde_json::json!({"delegate": teacher.user.login, "access": "write", "send_as": true});
        let object = u.id.0.to_string();
        let e = Event {
            kind: "mail",
            actor: None,
            holder: None,
            action: GRANT,
            object: Some(&object),
            client_addr: None,
            detail: Some(detail),
        };
        audit::record(&mut tx, instance, now, e).await?;
        tx.commit().await?;
        let raw = format!(
            "From: Kollegium <personal@example.org>\r\nTo: {}\r\nSubject: Sitzung des Lehrerrats\r\n\
             Message-ID: <demo-lehrerrat@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Liebe Mitglieder des Lehrerrats,\r\n\r\ndie nächste Sitzung ist am Dienstag um 14 Uhr.\r\n",
            u.mail
        );
        if let Ok(rcpt) = self.mail_inbound_rcpt(&u.mail).await {
            self.mail_deliver_inbound("personal@example.org", &[rcpt], raw.as_bytes())
                .await?;
        }
        Ok(())
    }
}

/// Inserts a confidential-role account (a staff login without password) and marks it.
async fn insert_confidential(
    c: &mut impl AsConn,
    instance: InstanceId,
    login: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, DomainError> {
    let login = login.trim().to_lowercase();
    let role = role.trim();
    let ok = (2..=40).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if !ok {
        return Err(DomainError::invalid(
            "login",
            "2 to 40 of a-z, 0-9, '.' and '-'",
        ));
    }
    if role.is_empty() || role.chars().count() > 100 {
        return Err(DomainError::invalid("role", "1 to 100 characters"));
    }
    let domain = instances::get(c, instance)
        .await?
        .ok_or(DomainError::NotFound)?
        .mail_domain;
    let mail = format!("{login}@{domain}");
    if users::login_exists(c, instance, &login).await? || addresses::taken(c, &mail).await? {
        return Err(DomainError::conflict(
            "login",
            "this login or address is taken",
        ));
    }
    let row = UserRow {
        instance_id: instance,
        id: UserId::new(),
        login,
        kind: "personal".into(),
        function_role: None,
        holder_id: None,
        first_name: role.to_owned(),
        last_name: String::new(),
        mail,
        external_mail: None,
        password_hash: None,
        must_change_password: false,
        active: true,
        created_at: now,
    };
    users::insert(c, &row, now).await?;
    store::mark_confidential(c, instance, row.id, role, now).await?;
    Ok(row)
}
