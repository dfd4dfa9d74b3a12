//! Support tickets and their messages. A person's list is scoped by school and login in the
//! query; support's list spans the schools and carries the school's name.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A ticket as lists and its page show it (times µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub number: String,
    pub user: UserId,
    pub user_name: String,
    pub school_name: String,
    pub school_number: String,
    pub subject: String,
    pub client: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One message; `from_support` when an operator wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub id: Uuid,
    pub from_support: bool,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

macro_rules! columns {
    () => {
        "SELECT t.instance_id, t.id, t.number, t.user_id, \
         COALESCE(u.first_name || ' ' || u.last_name, ''), i.name, i.school_number, t.subject, \
         t.client, t.status, t.created_at, t.updated_at FROM help_tickets t \
         JOIN instances i ON i.id = t.instance_id \
         LEFT JOIN users u ON u.instance_id = t.instance_id AND u.id = t.user_id "
    };
}

type Raw = (
    Uuid,
    Uuid,
    String,
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

fn row(r: Raw) -> TicketRow {
    TicketRow {
        instance: InstanceId(r.0),
        id: r.1,
        number: r.2,
        user: UserId(r.3),
        user_name: r.4,
        school_name: r.5,
        school_number: r.6,
        subject: r.7,
        client: r.8,
        status: r.9,
        created_at: r.10,
        updated_at: r.11,
    }
}

/// What a new ticket holds.
pub struct NewTicket<'a> {
    pub instance: InstanceId,
    pub user: UserId,
    pub number: &'a str,
    pub subject: &'a str,
    pub client: &'a str,
    pub body: &'a str,
}

/// Stores a ticket with its first message; returns its id.
pub async fn insert(c: &mut impl AsConn, t: &NewTicket<'_>, now: i64) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO help_tickets (instance_id, id, number, user_id, subject, client, status,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)")
        .bind(t.instance.0).bind(id).bind(t.number).bind(t.user.0).bind(t.subject)
        .bind(t.client).bind(now).execute(&mut *c).await.map(|_| ()))?;
    add_message(c, t.instance, id, Some(t.user), None, t.body, now).await?;
    Ok(id)
}

/// Adds a message from the person (`user`) or from support (`operator`).
pub async fn add_message(
    c: &mut impl AsConn,
    instance: InstanceId,
    ticket: Uuid,
    user: Option<UserId>,
    operator: Option<Uuid>,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO help_ticket_messages (instance_id, ticket_id, id, user_id, operator_id,
             body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(instance.0).bind(ticket).bind(Uuid::now_v7()).bind(user.map(|u| u.0))
        .bind(operator).bind(body).bind(now).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Sets the status (open, answered, closed); whether the ticket exists.
pub async fn set_status(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    status: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE help_tickets SET status = $3, updated_at = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(status).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A person's own tickets, latest change first.
pub async fn list_own(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    limit: i64,
) -> Result<Vec<TicketRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(),
        "WHERE t.instance_id = $1 AND t.user_id = $2
         ORDER BY t.updated_at DESC, t.id DESC LIMIT $3"))
        .bind(instance.0).bind(user.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every school's tickets for support, optionally of one status, latest change first.
pub async fn list_all(
    c: &mut impl AsConn,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<TicketRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(),
        "WHERE (CAST($1 AS TEXT) IS NULL OR t.status = $1)
         ORDER BY t.updated_at DESC, t.id DESC LIMIT $2"))
        .bind(status).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// How many tickets (of every school) are in a status: the console's count of new ones.
pub async fn count_status(c: &mut impl AsConn, status: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM help_tickets WHERE status = $1")
        .bind(status).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// One ticket by its id (any school: the caller's policy decides who sees it).
pub async fn get(c: &mut impl AsConn, id: Uuid) -> Result<Option<TicketRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), "WHERE t.id = $1"))
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The messages of a ticket, oldest first, with the writer's name (support: "Support").
pub async fn messages(
    c: &mut impl AsConn,
    instance: InstanceId,
    ticket: Uuid,
) -> Result<Vec<MessageRow>, StoreError> {
    type M = (Uuid, bool, String, String, i64);
    let r: Vec<M> = on!(c, c => sqlx::query_as(
        "SELECT m.id, m.operator_id IS NOT NULL,
                COALESCE(u.first_name || ' ' || u.last_name, ''), m.body, m.created_at
         FROM help_ticket_messages m
         LEFT JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id
         WHERE m.instance_id = $1 AND m.ticket_id = $2 ORDER BY m.created_at, m.id")
        .bind(instance.0).bind(ticket).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|m| MessageRow {
            id: m.0,
            from_support: m.1,
            author_name: m.2,
            body: m.3,
            created_at: m.4,
        })
        .collect())
}
