//! Abuse control, stage 2 (Nutzungsbedingungen 7, "Kontrollstufe 2"): only if the suspicion
//! persists after the general notice to the affected circle (the rules: the circle is
//! "zunächst pauschal" told that a person-specific control may follow "bei Fortdauer der
//! Verstöße") and a further domain analysis made after that notice was approved ("bei
//! anhaltendem Verdacht auf Missbrauch durch weitere Domänenanalyse"), the Schulleitung asks
//! with a purpose, a named scope of logins of the circle told (never all of them) and a
//! period; a staff council member takes part (with their
//! own login, never the one who asked nor a person the case is about); the data-protection
//! officer decides, and a refusal ends it. Approved, the Schulleitung sees the traffic data
//! of just those logins and that period; holds keep those data from the 7-day deletion while
//! the case is open. Closing it (or its end, [`SCOPE_DAYS`] after the decision) drops the
//! holds and the scope, and each person concerned gets a written notice they can answer
//! ("Über das Ergebnis der Auswertung … schriftlich in Kenntnis gesetzt … Gelegenheit zur
//! Stellungnahme"). The Schulleitung closes with a written result for each person; that
//! text is about the person and goes only into that person's notice — the case keeps none
//! of it (what the case produced is deleted on closing) and the audit log notes only that
//! results were given. A case that reaches its end untouched tells each person that it
//! ended without a result. The notice is a notice about the
//! account through the notification centre, in the closing transaction — shown at once,
//! never switched off, mailed to the external address if set, else to the school mailbox —
//! leading to a reply to the Schulleitung. Every step is audited.
//!
//! The state machine: requested → (council takes part) → approved | refused (officer);
//! approved → closed (Schulleitung, or the retention job when it ends).

use chrono::{DateTime, Duration, Utc};
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
use schulhof_store::{instances, to_us, users};
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

impl Platform {
    /// Stage 2: the Schulleitung asks for the traffic data of `logins` in `[from, until)`,
    /// following `follows`: an approved further analysis, made after the general notice of
    /// an earlier case. The logins must belong to the circle that notice reached.
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
        let further = cases::get(&mut tx, instance, follows)
            .await?
            .map(CaseView::from)
            .filter(|c| c.stage == 1 && matches!(c.state.as_str(), "approved" | "closed"))
            .ok_or_else(|| {
                DomainError::invalid(
                    "case",
                    "stage 2 follows an approved stage-1 case of the school",
                )
            })?;
        // Nutzungsbedingungen 7: the affected circle is first told in general terms
        // ("zunächst pauschal … hinzuweisen") that a person-specific control may follow if
        // the violations continue, and the suspicion must persist in a further domain
        // analysis after that; only then may one be asked for.
        let noticed = match further.follows {
            Some(noticed) if further.opens_stage_two() => noticed,
            _ => {
                return Err(DomainError::invalid(
                    "case",
                    "stage 2 follows only a further domain analysis, approved after the general notice to the affected circle",
                ));
            }
        };
        let circle = cases::notice_circle(&mut tx, instance, noticed).await?;
        let mut scope: Vec<UserId> = Vec::with_capacity(logins.len());
        for login in logins {
            let u = users::find_by_login(&mut tx, instance, login.trim())
                .await?
                .filter(|u| u.active && u.kind != "function")
                .ok_or_else(|| DomainError::invalid("scope", format!("no such person: {login}")))?;
            // Only those told that a person-specific control may follow can be its subject.
            if circle
                .as_deref()
                .is_some_and(|c| !c.split(',').any(|k| k == u.kind))
            {
                return Err(DomainError::invalid(
                    "scope",
                    format!("{login} is not of the circle the general notice reached"),
                ));
            }
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
            follows: Some(follows),
        };
        store::insert(&mut tx, &row, &scope).await?;
        self.tell_council(&mut tx, a, row.id, &scope).await?;
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
    /// one of them: every active member the policy lets take part (never the asker, the
    /// person holding the asking account, nor a person the case is about), through the
    /// notification centre.
    async fn tell_council(
        &self,
        tx: &mut schulhof_store::Tx,
        a: &Actor,
        id: Uuid,
        scope: &[UserId],
    ) -> Result<(), DomainError> {
        let (instance, now) = (a.token.instance(), self.now());
        let params = serde_json::json!({ "case": id.to_string(), "stage": "2" });
        let part = TakePartInAbuseCase {
            is_council: true,
            requester: a.user.id,
            requester_holder: a.user.holder_id,
            scope,
        };
        for (member, _) in council(&mut *tx, instance).await? {
            if part.for_member(member).is_err() {
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
        let scope = store::scope(&mut tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(
            &a.token,
            TakePartInAbuseCase {
                is_council: member,
                requester: case.requester,
                requester_holder,
                scope: &scope.logins,
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

    /// The Schulleitung closes an approved stage-2 case with the written result of the
    /// evaluation for each person concerned: `results` pairs each login of the scope with
    /// its text (every one required, [`RESULT_CHARS`] at most).
    pub async fn mail_abuse_scope_close(
        &self,
        a: &Actor,
        id: Uuid,
        results: &[(String, String)],
    ) -> Result<(), DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let told = self
            .close_scope(&mut tx, instance, id, Some(results))
            .await?;
        // Only that results were given: their text is the persons' own.
        let detail = serde_json::json!({ "case": id, "notified": told, "result": "written" });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.scope.close",
            "stage2",
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
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
            let told = match self.close_scope(&mut tx, instance, id, None).await {
                Ok(t) => t,
                // Closed meanwhile by its requester or another node.
                Err(DomainError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let detail = serde_json::json!({
                "case": id, "notified": told, "ended": true, "result": "none",
            });
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
            n += 1;
        }
        Ok(n)
    }

    /// Closes the case, drops its holds and scope, and tells each person concerned — with
    /// the written result for them, or (`None`: the case reached its end) that it ended
    /// without one; returns how many were told. Nothing changes when a result is missing.
    async fn close_scope(
        &self,
        tx: &mut schulhof_store::Tx,
        instance: InstanceId,
        id: Uuid,
        results: Option<&[(String, String)]>,
    ) -> Result<usize, DomainError> {
        let now = self.now();
        let case = cases::get(&mut *tx, instance, id)
            .await?
            .filter(|c| c.stage == 2 && c.state == "approved")
            .ok_or(DomainError::NotFound)?;
        let scope = store::scope(&mut *tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let mut people = Vec::with_capacity(scope.logins.len());
        for user in &scope.logins {
            if let Some(row) = users::get(&mut *tx, instance, *user).await? {
                people.push(row);
            }
        }
        let told: Vec<(users::UserRow, Option<String>)> = match results {
            Some(results) => checked_results(people, results)?
                .into_iter()
                .map(|(u, r)| (u, Some(r)))
                .collect(),
            None => people.into_iter().map(|u| (u, None)).collect(),
        };
        if !store::close(&mut *tx, instance, id, now).await? {
            return Err(DomainError::NotFound);
        }
        store::drop_holds(&mut *tx, instance, &hold_reason(id)).await?;
        self.tell_concerned(tx, &case, told).await
    }

    /// The written notice to each person concerned (Nutzungsbedingungen 7: "schriftlich in
    /// Kenntnis gesetzt", "Gelegenheit zur Stellungnahme"), by the path of the stage-1
    /// notice: the notification centre, in the closing transaction, as a notice about the
    /// account — never switched off, mailed at once (to the external address if set, else to
    /// the school mailbox). It names purpose and period in the school's time and the address
    /// of the Schulleitung, to which its link opens a reply. Returns how many were told.
    async fn tell_concerned(
        &self,
        tx: &mut schulhof_store::Tx,
        case: &CaseRow,
        people: Vec<(users::UserRow, Option<String>)>,
    ) -> Result<usize, DomainError> {
        let (instance, now) = (case.instance, self.now());
        let zone = instances::get(&mut *tx, instance)
            .await?
            .map_or(chrono_tz::Europe::Berlin, |i| {
                crate::school_settings::stored_time_zone(&i.time_zone)
            });
        let at = |t: DateTime<Utc>| t.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string();
        let reply = users::get(&mut *tx, instance, case.requester)
            .await?
            .map(|u| u.mail)
            .unwrap_or_default();
        let params = serde_json::json!({
            "case": case.id.to_string(),
            "purpose": case.reason,
            "from": at(case.from),
            "until": at(case.until),
            "reply": reply,
        });
        let mut told = 0;
        for (row, result) in people {
            let mut params = params.clone();
            match result {
                Some(result) => params["result"] = result.into(),
                None => params["variant"] = "ended".into(),
            }
            notify(&mut *tx, &row, Kind::MailAbuseConcerned, params, now).await?;
            told += 1;
        }
        Ok(told)
    }
}

/// The longest written result for one person.
pub const RESULT_CHARS: usize = 2000;

/// Pairs each person of the scope with the written result for them: every one needs a text
/// of 10 to [`RESULT_CHARS`] characters, and a result for anyone else is refused.
fn checked_results(
    people: Vec<users::UserRow>,
    results: &[(String, String)],
) -> Result<Vec<(users::UserRow, String)>, DomainError> {
    for (login, _) in results {
        if !people.iter().any(|u| u.login == login.trim()) {
            return Err(DomainError::invalid(
                "result",
                format!("{} is not a person of this case", login.trim()),
            ));
        }
    }
    let mut out = Vec::with_capacity(people.len());
    for u in people {
        let text = results
            .iter()
            .rev()
            .find(|(login, _)| login.trim() == u.login)
            .map(|(_, t)| t.trim())
            .unwrap_or_default();
        if !(10..=RESULT_CHARS).contains(&text.chars().count()) {
            return Err(DomainError::invalid(
                "result",
                format!(
                    "a written result of 10 to {RESULT_CHARS} characters is required for {}",
                    u.login
                ),
            ));
        }
        let text = text.to_owned();
        out.push((u, text));
    }
    Ok(out)
}
