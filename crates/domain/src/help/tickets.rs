//! Support tickets: a person with help.tickets writes to support (subject, problem, and the
//! browser and operating system the form recorded), gets a ticket number, follows the
//! state (open, answered, closed), answers and closes. Support and operator-admins see
//! every school's tickets, answer (the state becomes "answered") and close; each such
//! step is audited. Another person's ticket is unknown to a person (404), in the same
//! school as in another.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::help::{OpenTicket, OwnTicket, SupportTickets, TicketFacts};
use schulhof_authz::operator::check_operator;
use schulhof_store::help::tickets::{self as store, MessageRow, NewTicket, TicketRow};
use schulhof_store::users;
use schulhof_store::{from_us, to_us};
use serde_json::json;
use uuid::Uuid;

use super::forum::text;
use crate::identity::Actor;
use crate::notify::{Kind, notify};
use crate::operators::{OperatorActor, audit};
use crate::{DomainError, Platform};

const LISTED: i64 = 200;
const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 20_000;
const CLIENT_MAX: usize = 500;

/// The state of a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    Answered,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Answered => "answered",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<TicketStatus> {
        match s {
            "open" => Some(TicketStatus::Open),
            "answered" => Some(TicketStatus::Answered),
            "closed" => Some(TicketStatus::Closed),
            _ => None,
        }
    }
}

/// A ticket as lists and its page show it.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub id: Uuid,
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    /// Browser and operating system, as the form recorded them.
    pub client: String,
    pub user_name: String,
    pub school_name: String,
    pub school_number: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// One message of a ticket.
#[derive(Clone, Debug)]
pub struct TicketMessage {
    pub from_support: bool,
    pub author_name: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

fn ticket_of(t: TicketRow) -> Ticket {
    Ticket {
        id: t.id,
        number: t.number,
        subject: t.subject,
        status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Open),
        client: t.client,
        user_name: t.user_name,
        school_name: t.school_name,
        school_number: t.school_number,
        created: from_us(t.created_at),
        updated: from_us(t.updated_at),
    }
}

fn message_of(m: MessageRow) -> TicketMessage {
    TicketMessage {
        from_support: m.from_support,
        author_name: m.author_name,
        body: m.body,
        at: from_us(m.created_at),
    }
}

/// A number to quote: short, unique state-wide (the column is UNIQUE), not guessable in
/// sequence (it reveals nothing about how many tickets there are).
fn new_number() -> String {
    let hex = Uuid::now_v7().simple().to_string();
    format!("T-{}", hex[hex.len() - 8..].to_uppercase())
}

impl Platform {
    /// Whether the caller may write to support (the pages offer the ticket form).
    pub fn help_may_open_ticket(&self, a: &Actor) -> bool {
        check(&a.token, OpenTicket).is_ok()
    }

    /// Opens a ticket; returns its id and number.
    pub async fn help_open_ticket(
        &self,
        a: &Actor,
        subject: &str,
        body: &str,
        client: &str,
    ) -> Result<(Uuid, String), DomainError> {
        check(&a.token, OpenTicket)?;
        let subject = text("subject", subject, SUBJECT_MAX)?;
        let body = text("body", body, BODY_MAX)?;
        let client: String = client.trim().chars().take(CLIENT_MAX).collect();
        let number = new_number();
        let t = NewTicket {
            instance: a.token.instance(),
            user: a.token.user(),
            number: &number,
            subject: &subject,
            client: &client,
            body: &body,
        };
        let mut tx = self.db.begin().await?;
        let id = store::insert(&mut tx, &t, to_us(self.now())).await?;
        tx.commit().await?;
        Ok((id, number))
    }

    /// The caller's own tickets, latest change first.
    pub async fn help_tickets(&self, a: &Actor) -> Result<Vec<Ticket>, DomainError> {
        check(&a.token, OpenTicket)?;
        let mut c = self.db.read().await?;
        let rows = store::list_own(&mut c, a.token.instance(), a.token.user(), LISTED).await?;
        Ok(rows.into_iter().map(ticket_of).collect())
    }

    /// The caller's ticket with its messages; anyone else's is not found.
    pub async fn help_ticket(
        &self,
        a: &Actor,
        id: Uuid,
    ) -> Result<(Ticket, Vec<TicketMessage>), DomainError> {
        let mut c = self.db.read().await?;
        let t = own(a, store::get(&mut c, id).await?)?;
        let msgs = store::messages(&mut c, t.instance, id).await?;
        Ok((ticket_of(t), msgs.into_iter().map(message_of).collect()))
    }

    /// Adds to one's own ticket; it is open again (also after closing).
    pub async fn help_ticket_reply(
        &self,
        a: &Actor,
        id: Uuid,
        body: &str,
    ) -> Result<(), DomainError> {
        let body = text("body", body, BODY_MAX)?;
        let mut tx = self.db.begin().await?;
        let t = own(a, store::get(&mut tx, id).await?)?;
        let now = to_us(self.now());
        store::add_message(&mut tx, t.instance, id, Some(t.user), None, &body, now).await?;
        store::set_status(&mut tx, t.instance, id, TicketStatus::Open.as_str(), now).await?;
        Ok(tx.commit().await?)
    }

    /// Closes one's own ticket.
    pub async fn help_ticket_close(&self, a: &Actor, id: Uuid) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let t = own(a, store::get(&mut tx, id).await?)?;
        store::set_status(
            &mut tx,
            t.instance,
            id,
            TicketStatus::Closed.as_str(),
            to_us(self.now()),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Every school's tickets for support, optionally of one state.
    pub async fn operator_tickets(
        &self,
        op: &OperatorActor,
        status: Option<TicketStatus>,
    ) -> Result<Vec<Ticket>, DomainError> {
        check_operator(&op.token, SupportTickets)?;
        let mut c = self.db.read().await?;
        let rows = store::list_all(&mut c, status.map(TicketStatus::as_str), LISTED).await?;
        Ok(rows.into_iter().map(ticket_of).collect())
    }

    /// How many tickets wait for support (open: new or answered by their person again).
    pub async fn operator_open_ticket_count(&self, op: &OperatorActor) -> Result<i64, DomainError> {
        check_operator(&op.token, SupportTickets)?;
        let mut c = self.db.read().await?;
        Ok(store::count_status(&mut c, TicketStatus::Open.as_str()).await?)
    }

    /// A ticket with its messages, for support.
    pub async fn operator_ticket(
        &self,
        op: &OperatorActor,
        id: Uuid,
    ) -> Result<(Ticket, Vec<TicketMessage>), DomainError> {
        check_operator(&op.token, SupportTickets)?;
        let mut c = self.db.read().await?;
        let t = store::get(&mut c, id).await?.ok_or(DomainError::NotFound)?;
        let msgs = store::messages(&mut c, t.instance, id).await?;
        Ok((ticket_of(t), msgs.into_iter().map(message_of).collect()))
    }

    /// Support answers (the ticket becomes "answered") and may close it in the same step;
    /// audited.
    pub async fn operator_ticket_reply(
        &self,
        op: &OperatorActor,
        id: Uuid,
        body: &str,
        close: bool,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&op.token, SupportTickets)?;
        let body = body.trim();
        if body.is_empty() && !close {
            return Err(DomainError::invalid("body", "Bitte ausfüllen."));
        }
        let body = if body.is_empty() {
            String::new()
        } else {
            text("body", body, BODY_MAX)?
        };
        let mut tx = self.db.begin().await?;
        let t = store::get(&mut tx, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let now = to_us(self.now());
        if !body.is_empty() {
            store::add_message(
                &mut tx,
                t.instance,
                id,
                None,
                Some(grant.operator()),
                &body,
                now,
            )
            .await?;
        }
        let status = if close {
            TicketStatus::Closed
        } else {
            TicketStatus::Answered
        };
        store::set_status(&mut tx, t.instance, id, status.as_str(), now).await?;
        // The asker learns of it through the notification centre, in this transaction.
        if let Some(asker) = users::get(&mut tx, t.instance, t.user)
            .await?
            .filter(|u| u.active)
        {
            let params = json!({"ticket_id": id.to_string(), "number": t.number,
                                "subject": t.subject, "status": status.as_str()});
            notify(
                &mut tx,
                &asker,
                Kind::HelpTicketAnswered,
                params,
                self.now(),
            )
            .await?;
        }
        let detail = json!({ "school": t.school_number, "status": status.as_str(), "answered": !body.is_empty() });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "ticket.reply",
            Some(&t.number),
            client_addr,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}

/// The row if it is the caller's ticket; otherwise not found.
fn own(a: &Actor, row: Option<TicketRow>) -> Result<TicketRow, DomainError> {
    let t = row.ok_or(DomainError::NotFound)?;
    check(
        &a.token,
        OwnTicket(TicketFacts {
            instance: t.instance,
            user: t.user,
        }),
    )?;
    Ok(t)
}
