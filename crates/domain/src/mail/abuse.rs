//! Abuse control, stage 1 (Nutzungsbedingungen 7, "Kontrollstufe 1"): on a suspicion the
//! Schulleitung asks, with a written reason and a period within the seven days traffic data
//! is kept, for a domain analysis; the data-protection officer (an operator) approves or
//! refuses; approved, the Schulleitung sees anonymised traffic data only — messages and
//! volume per external domain and day, never a local part, subject or person. A state
//! machine: requested → approved | refused; approved → closed. Every step is audited.
//!
//! After an approved analysis the affected circle is told in general terms (once per case).
//! If the suspicion persists, a *further* analysis is asked for, following that case: it
//! looks only at traffic after the notice ("bei anhaltendem Verdacht auf Missbrauch durch
//! weitere Domänenanalyse") and goes to the officer like any other. Only such a further
//! analysis, once approved, opens the way to stage 2.
//!
//! Stage 2 (person-specific data of a named scope, with the staff council) is in
//! [`super::abuse_scope`]; the officer decides both stages here.

use chrono::{DateTime, Duration, Utc};
use schulhof_authz::check;
use schulhof_authz::mail_governance::{
    AbuseCase, DecideAbuseCase, ReadAbuseAnalysis, RequestAbuseAnalysis,
};
use schulhof_authz::operator::check_operator;
use schulhof_store::mail::abuse::{self as store, CaseRow, DomainDay};
use schulhof_types::AccountType;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::admin_action;
use crate::identity::Actor;
use crate::notify::{Kind, notify};
use crate::operators::OperatorActor;
use crate::{DomainError, Platform};

/// How far back traffic data reaches (the retention job deletes older rows).
const KEPT_DAYS: i64 = 7;

/// A case as the Schulleitung and the officer see it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub id: Uuid,
    pub school: String,
    pub stage: i64,
    pub state: String,
    pub reason: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// The officer's written reason for the decision, once decided with one.
    pub decision_reason: Option<String>,
    /// When the general notice to the affected circle was given (stage 1).
    pub notice_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// A further analysis: the case whose notice it follows; stage 2: the further analysis
    /// it rests on.
    pub follows: Option<Uuid>,
}

impl CaseView {
    /// An approved (or since closed) further analysis: what a stage-2 request may follow.
    pub fn opens_stage_two(&self) -> bool {
        self.stage == 1
            && self.follows.is_some()
            && matches!(self.state.as_str(), "approved" | "closed")
    }

    /// An approved (or since closed) stage-1 case whose general notice was given: what a
    /// further analysis may follow.
    pub fn allows_further_analysis(&self) -> bool {
        self.stage == 1
            && self.notice_at.is_some()
            && matches!(self.state.as_str(), "approved" | "closed")
    }
}

impl From<CaseRow> for CaseView {
    fn from(r: CaseRow) -> Self {
        CaseView {
            id: r.id,
            school: r.school,
            stage: r.stage,
            state: r.state,
            reason: r.reason,
            from: r.from,
            until: r.until,
            decision_reason: r.decision_reason,
            notice_at: r.notice_at,
            created_at: r.created_at,
            follows: r.follows,
        }
    }
}

pub(super) fn checked_period(
    reason: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.chars().count() < 20 {
        return Err(DomainError::invalid(
            "reason",
            "a written reason of at least 20 characters is required",
        ));
    }
    if from >= until || until > now || from < now - Duration::days(KEPT_DAYS) {
        return Err(DomainError::invalid(
            "period",
            format!("the period must lie within the last {KEPT_DAYS} days"),
        ));
    }
    Ok(reason.to_owned())
}

/// The smallest circle a general notice may reach: a circle, never a single person.
pub const MIN_CIRCLE: i64 = 2;

/// The officer's answer to a waiting case, with the written reason where one is given.
struct Decision<'a> {
    approve: bool,
    reason: Option<&'a str>,
}

/// The officer's reason: a few words at least, not a novel.
fn checked_decision_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    match reason.chars().count() {
        0..10 => Err(DomainError::invalid(
            "reason",
            "a written reason of at least 10 characters is required",
        )),
        2001.. => Err(DomainError::invalid(
            "reason",
            "must have at most 2000 characters",
        )),
        _ => Ok(reason.to_owned()),
    }
}

impl Platform {
    /// Stage 1: the Schulleitung asks for a domain analysis of `[from, until)`.
    pub async fn mail_abuse_request(
        &self,
        a: &Actor,
        reason: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Uuid, DomainError> {
        self.open_analysis(a, None, reason, from, until).await
    }

    /// Stage 1 again, when the suspicion persists: a further domain analysis following the
    /// case `follows`, whose general notice was given. Its period begins at that notice at
    /// the earliest (an earlier start is cut to it): only what happened after the notice
    /// shows that the use goes on. A period wholly before the notice is refused.
    pub async fn mail_abuse_request_further(
        &self,
        a: &Actor,
        follows: Uuid,
        reason: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Uuid, DomainError> {
        self.open_analysis(a, Some(follows), reason, from, until)
            .await
    }

    async fn open_analysis(
        &self,
        a: &Actor,
        follows: Option<Uuid>,
        reason: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Uuid, DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let now = self.now();
        let mut from = from;
        let mut tx = self.db.begin().await?;
        if let Some(earlier) = follows {
            let earlier = store::get(&mut tx, a.token.instance(), earlier)
                .await?
                .map(CaseView::from)
                .filter(CaseView::allows_further_analysis)
                .ok_or_else(|| {
                    DomainError::invalid(
                        "case",
                        "a further analysis follows an approved stage-1 case whose general notice was given",
                    )
                })?;
            let noticed = earlier.notice_at.unwrap_or(from);
            if until <= noticed {
                return Err(DomainError::invalid(
                    "period",
                    "a further analysis looks only at the time after the general notice",
                ));
            }
            from = from.max(noticed);
        }
        let reason = checked_period(reason, from, until, now)?;
        let row = CaseRow {
            instance: a.token.instance(),
            id: Uuid::now_v7(),
            stage: 1,
            state: "requested".into(),
            requester: a.user.id,
            reason,
            from,
            until,
            officer: None,
            decision_reason: None,
            notice_at: None,
            created_at: now,
            school: String::new(),
            follows,
        };
        store::insert(&mut tx, &row).await?;
        let mut detail = serde_json::json!({ "case": row.id, "stage": 1 });
        if let Some(earlier) = follows {
            detail["follows"] = earlier.to_string().into();
        }
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.request",
            "stage1",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// The school's cases (the Schulleitung's page).
    pub async fn mail_abuse_cases(&self, a: &Actor) -> Result<Vec<CaseView>, DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let mut c = self.db.read().await?;
        let rows = store::of_instance(&mut c, a.token.instance()).await?;
        Ok(rows.into_iter().map(|(r, _)| r.into()).collect())
    }

    /// The cases of every school waiting for the data-protection officer.
    pub async fn operator_abuse_requests(
        &self,
        op: &OperatorActor,
    ) -> Result<Vec<CaseView>, DomainError> {
        check_operator(&op.token, DecideAbuseCase)?;
        let mut c = self.db.read().await?;
        let rows = store::system_requested(&mut c).await?;
        Ok(rows.into_iter().map(|(r, _)| r.into()).collect())
    }

    /// The officer approves or refuses a waiting case; audited in the operators' log.
    pub async fn operator_abuse_decide(
        &self,
        op: &OperatorActor,
        school: &str,
        id: Uuid,
        approve: bool,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let decision = Decision {
            approve,
            reason: None,
        };
        self.operator_abuse_rule(op, school, id, decision, client_addr)
            .await
    }

    /// The same with the officer's written reason (the console requires one); the reason
    /// goes into the operators' log with the decision.
    pub async fn operator_abuse_decide_with_reason(
        &self,
        op: &OperatorActor,
        school: &str,
        id: Uuid,
        approve: bool,
        reason: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let decision = Decision {
            approve,
            reason: Some(reason),
        };
        self.operator_abuse_rule(op, school, id, decision, client_addr)
            .await
    }

    async fn operator_abuse_rule(
        &self,
        op: &OperatorActor,
        school: &str,
        id: Uuid,
        decision: Decision<'_>,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&op.token, DecideAbuseCase)?;
        let reason = decision.reason.map(checked_decision_reason).transpose()?;
        let approve = decision.approve;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let instance = schulhof_store::instances::find_by_number(&mut tx, school)
            .await?
            .ok_or(DomainError::NotFound)?
            .id;
        let state = if approve { "approved" } else { "refused" };
        let officer = grant.operator();
        let shown = reason.as_deref();
        if !store::system_decide(&mut tx, instance, id, state, officer, shown, now).await? {
            return Err(DomainError::conflict(
                "case",
                "is not waiting for a decision",
            ));
        }
        // The Schulleitung learns of the decision through the notification centre; the
        // result and the reason are on its page, not in the notice.
        if let Some(case) = store::get(&mut tx, instance, id).await?
            && let Some(asker) = schulhof_store::users::get(&mut tx, instance, case.requester)
                .await?
                .filter(|u| u.active)
        {
            let params =
                serde_json::json!({ "case": id.to_string(), "stage": case.stage.to_string() });
            notify(&mut tx, &asker, Kind::MailAbuseDecided, params, now).await?;
        }
        if approve {
            // Stage 2: the scope's traffic data are kept while the case is open.
            self.abuse_scope_hold(&mut tx, instance, id).await?;
        }
        let mut detail = serde_json::json!({ "case": id, "school": school, "state": state });
        if let Some(reason) = reason {
            detail["reason"] = reason.into();
        }
        let action = "mail.abuse.decide";
        crate::operators::audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            action,
            Some(school),
            client_addr,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// The anonymised analysis of an approved case; each viewing is audited.
    pub async fn mail_abuse_analysis(
        &self,
        a: &Actor,
        id: Uuid,
    ) -> Result<(CaseView, Vec<DomainDay>), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row = store::get(&mut tx, a.token.instance(), id).await?;
        let case = row.as_ref().map(|r| AbuseCase {
            requester: r.requester,
            approved: r.state == "approved" && r.stage == 1,
        });
        check(&a.token, ReadAbuseAnalysis(case))?;
        let row = row.ok_or(DomainError::NotFound)?;
        let days = store::domain_report(&mut tx, row.instance, row.from, row.until).await?;
        let detail = serde_json::json!({ "case": id });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.abuse.analysis",
            "stage1",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok((row.into(), days))
    }

    /// The next step after an approved analysis (Nutzungsbedingungen 7): the Schulleitung
    /// tells the affected circle of users — persons of the chosen account types, at least
    /// [`MIN_CIRCLE`], never one person — in general terms that the use may be improper and
    /// that a person-specific control (stage 2) may follow. Once per case, through the
    /// notification centre (a notice about the account: never switched off). Returns how
    /// many persons it reached.
    pub async fn mail_abuse_notice(
        &self,
        a: &Actor,
        id: Uuid,
        circle: &[String],
        text: &str,
    ) -> Result<u64, DomainError> {
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let row = store::get(&mut tx, instance, id).await?;
        let case = row.as_ref().map(|r| AbuseCase {
            requester: r.requester,
            approved: r.state == "approved" && r.stage == 1,
        });
        // Whoever may see the analysis may give its notice; anyone else finds nothing.
        check(&a.token, ReadAbuseAnalysis(case))?;
        let text = text.trim();
        if !(20..=2000).contains(&text.chars().count()) {
            return Err(DomainError::invalid(
                "notice",
                "a notice of 20 to 2000 characters is required",
            ));
        }
        let mut kinds: Vec<&str> = Vec::new();
        for k in circle {
            let kind = AccountType::parse(k.trim()).ok_or_else(|| {
                DomainError::invalid("circle", "choose the circle among the account types")
            })?;
            if !kinds.contains(&kind.as_str()) {
                kinds.push(kind.as_str());
            }
        }
        let kinds = kinds.join(",");
        let size = store::circle_size(&mut tx, instance, &kinds, a.user.id).await?;
        if size < MIN_CIRCLE {
            return Err(DomainError::invalid(
                "circle",
                "the notice goes to a circle of at least 2 persons, never to one",
            ));
        }
        if !store::claim_notice(&mut tx, instance, id, &kinds, now).await? {
            return Err(DomainError::conflict(
                "case",
                "the notice was given already",
            ));
        }
        let params = serde_json::json!({ "text": text }).to_string();
        let kind = Kind::MailAbuseNotice.as_str();
        let n =
            store::notify_circle(&mut tx, instance, &kinds, a.user.id, kind, &params, now).await?;
        let detail = serde_json::json!({ "case": id, "circle": kinds, "reached": n });
        admin_action(&mut tx, a, now, "mail.abuse.notice", "stage1", Some(detail)).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Ends an approved case: its analysis can no longer be seen.
    pub async fn mail_abuse_close(&self, a: &Actor, id: Uuid) -> Result<(), DomainError> {
        check(&a.token, RequestAbuseAnalysis)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !store::close(&mut tx, a.token.instance(), id, now).await? {
            return Err(DomainError::NotFound);
        }
        let detail = serde_json::json!({ "case": id });
        admin_action(&mut tx, a, now, "mail.abuse.close", "stage1", Some(detail)).await?;
        Ok(tx.commit().await?)
    }
}
