//! Abuse control, stage 2 (Nutzungsbedingungen 7, "Kontrollstufe 2"): only if the suspicion
//! of an approved stage-1 case persists, the Schulleitung asks with a purpose, a named scope
//! of logins (never all of them) and a period; a staff council member takes part (with their
//! own login, never the one who asked); the data-protection officer decides, and a refusal
//! ends it. Approved, the Schulleitung sees the traffic data of just those logins and that
//! period; holds keep those data from the 7-day deletion while the case is open. Closing it
//! (or its end, [`SCOPE_DAYS`] after the decision) drops the holds and the scope, and each
//! person concerned gets a written notice they can answer. Every step is audited.
//!
//! The state machine: requested → (council takes part) → approved | refused (officer);
//! approved → closed (Schulleitung, or the retention job when it ends).

use chrono::{DateTime, Duration, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use schulhof_authz::check;
use schulhof_authz::mail_control::{
    ReadAbuseScope, RequestAbuseScope, ScopeCase, TakePartInAbuseCase,
};
use schulhof_authz::mail_governance::RequestAbuseAnalysis;
use schulhof_store::audit::{Hold, insert_hold};
use schulhof_store::mail::abuse::{self as cases, CaseRow};
use schulhof_store::mail::abuse_scope as store;
use schulhof_store::mail::inspections::{council, is_council};
use schulhof_store::mail::traffic::TrafficRow;
use schulhof_store::{to_us, users};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::abuse::{CaseView, checked_period};
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::notify::{Kind, notify};
use crate::{DomainError, Platform};

/// An approved stage-2 case ends on its own this long after the officer's decision.
pub const SCOPE_DAYS: i64 = 30;

/// The traffic data of one login of the scope.
#[derive(Clone, Debug)]
pub struct PersonTraffic {
    pub login: String,
    pub rows: Vec<TrafficRow>,
}

/// The reason of the holds a case places (how they are found again).
fn hold_reason(id: Uuid) -> String {
    format!("mail abuse case {id}")
}

fn notice(purpose: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let (f, u) = (
        from.format("%d.%m.%Y %H:%M"),
        until.format("%d.%m.%Y %H:%M"),
    );
    format!(
        "Guten Tag,\r\n\r\nim Rahmen einer Missbrauchskontrolle (Nutzungsbedingungen 7, Stufe 2) \
         wurden die Verkehrsdaten Ihres Postfachs (Zeit, Absender, Empfänger, Größe, Betreff; \
         keine Inhalte) für den Zeitraum {f} bis {u} UTC eingesehen. Die Personalvertretung war \
         beteiligt, der Datenschutzbeauftragte hat zugestimmt. Der Vorgang ist abgeschlossen; \
         die dafür aufbewahrten Daten werden nach den üblichen 7 Tagen gelöscht.\r\n\r\nZweck: \
         {purpose}\r\n\r\nSie können auf diese Nachricht antworten; die Antwort erreicht die \
         Schulleitung.\r\n\r\n---\r\n\r\nDuring an abuse check (terms of use 7, stage 2) the \
         traffic data of your mailbox (time, sender, recipient, size, subject; no content) from \
         {f} to {u} UTC were examined, with the staff council taking part and the approval of \
         the data-protection officer. The case is closed. You can reply to this message.\r\n"
    )
}

impl Platform {
    /// Stage 2: the Schulleitung asks for the traffic data of `logins` in `[from, until)`,
    /// following the approved stage-1 case `follows`.
    pub async fn mail_abuse_scope_request(
        &self,
        a: &Actor,
        follows: Uuid,
        purpose: &str,
        logins: &[String],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Uuid, DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let now = self.now();
        let purpose = checked_period(purpose, from, until, now)?;
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let first = cases::get(&mut tx, instance, follows).await?;
        if !first.is_some_and(|c| c.stage == 1 && matches!(c.state.as_str(), "approved" | "closed"))
        {
            return Err(DomainError::invalid(
                "case",
                "stage 2 follows an approved stage-1 case of the school",
            ));
        }
        let mut scope: Vec<UserId> = Vec::with_capacity(logins.len());
        for login in logins {
            let u = users::find_by_login(&mut tx, instance, login.trim())
                .await?
                .filter(|u| u.active && u.kind != "function")
                .ok_or_else(|| DomainError::invalid("scope", format!("no such person: {login}")))?;
            if !scope.contains(&u.id) {
                scope.push(u.id);
            }
        }
        let persons = store::persons(&mut tx, instance).await?.max(0) as usize;
        check(
            &a.token,
            RequestAbuseScope {
                scope: scope.len(),
                persons,
            },
        )
        .map_err(|_| {
            DomainError::invalid(
                "scope",
                "name between one and twenty logins, never all of the school",
            )
        })?;
        let row = CaseRow {
            instance,
            id: Uuid::now_v7(),
            stage: 2,
            state: "requested".into(),
            requester: a.user.id,
            reason: purpose,
            from,
            until,
            officer: None,
            decision_reason: None,
            notice_at: None,
            created_at: now,
            school: String::new(),
        };
        store::insert(&mut tx, &row, &scope).await?;
        self.tell_council(&mut tx, a, row.id).await?;
        let detail = serde_json::json!({
            "case": row.id, "stage": 2, "follows": follows, "scope": scope.len(),
        });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.scope.request",
            "stage2",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Tells the staff council, in the request's transaction, that a stage-2 case waits for
    /// one of them: every active member who may take part (never the asker nor the person
    /// holding the asking account), through the notification centre.
    async fn tell_council(
        &self,
        tx: &mut schulhof_store::Tx,
        a: &Actor,
        id: Uuid,
    ) -> Result<(), DomainError> {
        let (instance, now) = (a.token.instance(), self.now());
        let params = serde_json::json!({ "case": id.to_string(), "stage": "2" });
        for (member, _) in council(&mut *tx, instance).await? {
            if member == a.user.id || a.user.holder_id == Some(member) {
                continue;
            }
            let Some(row) = users::get(&mut *tx, instance, member)
                .await?
                .filter(|u| u.active)
            else {
                continue;
            };
            notify(&mut *tx, &row, Kind::MailAbuseCouncil, params.clone(), now).await?;
        }
        Ok(())
    }

    /// A staff council member takes part in a waiting stage-2 case; only then does it
    /// reach the data-protection officer.
    pub async fn mail_abuse_scope_join(&self, a: &Actor, id: Uuid) -> Result<(), DomainError> {
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let case = cases::get(&mut tx, instance, id)
            .await?
            .filter(|c| c.stage == 2)
            .ok_or(DomainError::NotFound)?;
        let member = is_council(&mut tx, instance, a.user.id).await?;
        let requester_holder = users::get(&mut tx, instance, case.requester)
            .await?
            .and_then(|u| u.holder_id);
        check(
            &a.token,
            TakePartInAbuseCase {
                is_council: member,
                requester: case.requester,
                requester_holder,
            },
        )?;
        if !store::join_council(&mut tx, instance, id, a.user.id).await? {
            return Err(DomainError::conflict(
                "case",
                "is not waiting for the staff council",
            ));
        }
        let detail = serde_json::json!({ "case": id });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.scope.join",
            "stage2",
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// After the officer approved a stage-2 case: holds keep the scope's traffic data of
    /// the period while the case is open. Runs in the decision's transaction.
    pub(crate) async fn abuse_scope_hold(
        &self,
        tx: &mut schulhof_store::Tx,
        instance: InstanceId,
        id: Uuid,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let Some(case) = cases::get(&mut *tx, instance, id)
            .await?
            .filter(|c| c.stage == 2)
        else {
            return Ok(());
        };
        let scope = store::scope(&mut *tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        for user in scope.logins {
            let h = Hold {
                instance_id: instance,
                id: Uuid::now_v7(),
                subject_id: Some(user),
                from: case.from,
                until: case.until,
                reason: hold_reason(id),
                created_by: case.requester,
            };
            insert_hold(&mut *tx, &h, now).await?;
        }
        store::set_hold(&mut *tx, instance, id).await?;
        Ok(())
    }

    /// The person-specific traffic data of an approved stage-2 case (its requester, until
    /// it ends); each viewing is audited.
    pub async fn mail_abuse_scope_data(
        &self,
        a: &Actor,
        id: Uuid,
    ) -> Result<(CaseView, Vec<PersonTraffic>), DomainError> {
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let row = cases::get(&mut tx, instance, id)
            .await?
            .filter(|c| c.stage == 2);
        let scope = store::scope(&mut tx, instance, id).await?;
        let case = row.as_ref().zip(scope.as_ref()).map(|(r, s)| ScopeCase {
            requester: r.requester,
            approved: r.state == "approved",
            ends_us: s
                .decided_at
                .map_or(i64::MIN, |d| to_us(d + Duration::days(SCOPE_DAYS))),
            now_us: to_us(now),
        });
        check(&a.token, ReadAbuseScope(case))?;
        let (row, scope) = row.zip(scope).ok_or(DomainError::NotFound)?;
        let mut out = Vec::with_capacity(scope.logins.len());
        for user in scope.logins {
            let login = users::get(&mut tx, instance, user)
                .await?
                .map(|u| u.login)
                .unwrap_or_default();
            let rows = store::person_traffic(&mut tx, instance, user, row.from, row.until).await?;
            out.push(PersonTraffic { login, rows });
        }
        let detail = serde_json::json!({ "case": id });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.scope.read",
            "stage2",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok((row.into(), out))
    }

    /// The Schulleitung closes an approved stage-2 case.
    pub async fn mail_abuse_scope_close(&self, a: &Actor, id: Uuid) -> Result<(), DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let told = self.close_scope(&mut tx, instance, id).await?;
        let detail = serde_json::json!({ "case": id, "notified": told.1.len() });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.scope.close",
            "stage2",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        self.scope_notices(instance, id, told).await;
        Ok(())
    }

    /// Retention job: closes approved stage-2 cases that have ended. Returns how many.
    pub(crate) async fn system_close_ended_scopes(&self) -> Result<u64, DomainError> {
        let now = self.now();
        let ended = {
            let mut c = self.db.read().await?;
            store::system_expired(&mut c, now - Duration::days(SCOPE_DAYS)).await?
        };
        let mut n = 0;
        for (instance, id) in ended {
            let mut tx = self.db.begin().await?;
            let told = match self.close_scope(&mut tx, instance, id).await {
                Ok(t) => t,
                // Closed meanwhile by its requester or another node.
                Err(DomainError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let detail = serde_json::json!({ "case": id, "notified": told.1.len(), "ended": true });
            let event = crate::audit::Event {
                kind: "admin",
                actor: None,
                holder: None,
                action: "mail.abuse.scope.close",
                object: Some("stage2"),
                client_addr: None,
                detail: Some(detail),
            };
            crate::audit::record(&mut tx, instance, now, event).await?;
            tx.commit().await?;
            self.scope_notices(instance, id, told).await;
            n += 1;
        }
        Ok(n)
    }

    /// Closes the case, drops its holds and scope; returns who is to be told, and the case.
    async fn close_scope(
        &self,
        tx: &mut schulhof_store::Tx,
        instance: InstanceId,
        id: Uuid,
    ) -> Result<(CaseRow, Vec<UserId>), DomainError> {
        let now = self.now();
        let case = cases::get(&mut *tx, instance, id)
            .await?
            .filter(|c| c.stage == 2)
            .ok_or(DomainError::NotFound)?;
        let scope = store::scope(&mut *tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if !store::close(&mut *tx, instance, id, now).await? {
            return Err(DomainError::NotFound);
        }
        store::drop_holds(&mut *tx, instance, &hold_reason(id)).await?;
        Ok((case, scope.logins))
    }

    /// The written notice to each person concerned, from the Schulleitung's address so
    /// that a reply reaches it. A notice that cannot be filed is logged.
    async fn scope_notices(&self, instance: InstanceId, id: Uuid, told: (CaseRow, Vec<UserId>)) {
        let (case, people) = told;
        let (sender, mails) = {
            let Ok(mut c) = self.db.read().await else {
                return;
            };
            let sender = users::get(&mut c, instance, case.requester)
                .await
                .ok()
                .flatten()
                .map(|u| u.mail)
                .unwrap_or_default();
            let mut mails = Vec::new();
            for u in &people {
                if let Ok(Some(row)) = users::get(&mut c, instance, *u).await {
                    mails.push((*u, row.mail));
                }
            }
            (sender, mails)
        };
        let text = notice(&case.reason, case.from, case.until);
        for (user, to) in mails {
            let raw = MessageBuilder::new()
                .from(("Schulleitung".to_owned(), sender.clone()))
                .reply_to(sender.clone())
                .to(to)
                .subject("Hinweis: Einsicht in Verkehrsdaten / Notice: traffic data examined")
                .date(self.now().timestamp())
                .header("Auto-Submitted", Raw::new("auto-generated"))
                .text_body(text.clone())
                .write_to_vec();
            let sent = match raw {
                Ok(raw) => self.mail_system_deliver(instance, user, &raw).await,
                Err(e) => Err(DomainError::Internal(format!("building a notice: {e}"))),
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, case = %id, "notice of an abuse case");
            }
        }
    }
}
