//! Mail delegations (who may use whose mailbox) and confidential-role accounts, plus the
//! two look-ups access decisions need: whose folder, whose message.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// One delegation with the other side's name (the delegate's when listed for the owner,
/// the owner's when listed for the delegate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegationRow {
    pub owner: UserId,
    pub delegate: UserId,
    /// "read" or "write".
    pub access: String,
    pub send_as: bool,
    pub granted_by: UserId,
    pub updated_at: DateTime<Utc>,
    pub other_login: String,
    pub other_name: String,
    pub other_mail: String,
    /// Whether the owner is a confidential-role account.
    pub owner_confidential: bool,
}

type Raw = (
    Uuid,
    Uuid,
    String,
    bool,
    Uuid,
    i64,
    String,
    String,
    String,
    String,
    bool,
);

fn row(r: Raw) -> DelegationRow {
    DelegationRow {
        owner: UserId(r.0),
        delegate: UserId(r.1),
        access: r.2,
        send_as: r.3,
        granted_by: UserId(r.4),
        updated_at: from_us(r.5),
        other_login: r.6,
        other_name: format!("{} {}", r.7, r.8).trim().to_owned(),
        other_mail: r.9,
        owner_confidential: r.10,
    }
}

macro_rules! select {
    ($join:literal, $where:literal) => {
        concat!(
            "SELECT d.owner_id, d.delegate_id, d.access, d.send_as, d.granted_by, d.updated_at,
                    u.login, u.first_name, u.last_name, u.mail,
                    EXISTS (SELECT 1 FROM mail_confidential k
                             WHERE k.instance_id = d.instance_id AND k.user_id = d.owner_id)
               FROM mail_delegations d JOIN users u ON u.instance_id = d.instance_id AND u.id = ",
            $join,
            " WHERE d.instance_id = $1 AND ",
            $where
        )
    };
}

/// A delegation to store.
#[derive(Clone, Copy, Debug)]
pub struct NewDelegation<'a> {
    pub owner: UserId,
    pub delegate: UserId,
    /// "read" or "write".
    pub access: &'a str,
    pub send_as: bool,
    pub granted_by: UserId,
}

/// Gives (or changes) a delegation.
pub async fn upsert(
    c: &mut impl AsConn,
    instance: InstanceId,
    d: &NewDelegation<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_delegations
             (instance_id, owner_id, delegate_id, access, send_as, granted_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (instance_id, owner_id, delegate_id) DO UPDATE SET access = excluded.access,
             send_as = excluded.send_as, granted_by = excluded.granted_by,
             updated_at = excluded.updated_at")
        .bind(instance.0).bind(d.owner.0).bind(d.delegate.0).bind(d.access).bind(d.send_as)
        .bind(d.granted_by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes a delegation back. Returns whether there was one.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    delegate: UserId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM mail_delegations WHERE instance_id = $1 AND owner_id = $2 AND delegate_id = $3")
        .bind(instance.0).bind(owner.0).bind(delegate.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The delegation from `owner` to `delegate`, if any: the only row an access decision reads.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    delegate: UserId,
) -> Result<Option<DelegationRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(select!(
        "d.owner_id", "d.owner_id = $2 AND d.delegate_id = $3"))
        .bind(instance.0).bind(owner.0).bind(delegate.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Whom the owner gave the mailbox to, with the delegates' names.
pub async fn given_by(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<Vec<DelegationRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(select!(
        "d.delegate_id", "d.owner_id = $2"), " ORDER BY u.login"))
        .bind(instance.0).bind(owner.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The mailboxes given to `delegate` directly, with the owners' names (inactive owners left
/// out). Never follows a delegation further: only rows naming `delegate` are read.
pub async fn given_to(
    c: &mut impl AsConn,
    instance: InstanceId,
    delegate: UserId,
) -> Result<Vec<DelegationRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(select!(
        "d.owner_id", "d.delegate_id = $2 AND u.active"), " ORDER BY u.login"))
        .bind(instance.0).bind(delegate.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Marks a login as a confidential-role account.
pub async fn mark_confidential(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    role: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_confidential (instance_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(instance.0).bind(user.0).bind(role).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The role title if `user` is a confidential-role account.
pub async fn confidential_role(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT role FROM mail_confidential WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| r.0))
}

/// The confidential-role accounts of a school: (id, login, role, mail).
pub async fn confidential_list(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(UserId, String, String, String)>, StoreError> {
    let r: Vec<(Uuid, String, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT u.id, u.login, k.role, u.mail FROM mail_confidential k
           JOIN users u ON u.instance_id = k.instance_id AND u.id = k.user_id
          WHERE k.instance_id = $1 ORDER BY u.login")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| (UserId(r.0), r.1, r.2, r.3))
        .collect())
}

/// Whose mailbox a folder belongs to (within one school).
pub async fn folder_owner(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT owner_id FROM mail_folders WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(folder.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| UserId(r.0)))
}

/// Whose mailbox a message belongs to (within one school).
pub async fn message_owner(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailMessageId,
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT owner_id FROM mail_messages WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| UserId(r.0)))
}

/// One grant or revocation as the owner sees it (from the audit log).
#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor: Option<UserId>,
    pub detail: Option<String>,
}

/// The audited delegation changes of one mailbox, newest first: audit rows of kind "mail"
/// whose object is the owner's id.
pub async fn history(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    limit: i64,
) -> Result<Vec<HistoryRow>, StoreError> {
    let r: Vec<(i64, String, Option<Uuid>, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT at, action, actor_id, detail FROM audit_log
          WHERE instance_id = $1 AND kind = 'mail' AND object = $2 ORDER BY at DESC, id DESC LIMIT $3")
        .bind(instance.0).bind(owner.0.to_string()).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| HistoryRow {
            at: from_us(r.0),
            action: r.1,
            actor: r.2.map(UserId),
            detail: r.3,
        })
        .collect())
}
