//! Assignment and Grade Services 2.0: the tool's line items in a course and the scores it
//! posts, which are the course's grades of the LTI activity; and what the activity's page
//! shows of them (editors all, a participant their own).

use schulhof_authz::lms::sees_work_of;
use schulhof_store::lti::grades::{self, LineItemRow, ScoreRow};
use schulhof_store::to_us;
use schulhof_types::{ActivityId, UserId};
use serde_json::{Value, json};

use super::claims::course_base;
use super::services::{Served, ServiceError};
use super::{MILLI, scope};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

const PROGRESS: &[&str] = &[
    "Initialized",
    "Started",
    "InProgress",
    "Submitted",
    "Completed",
];
const GRADING: &[&str] = &[
    "FullyGraded",
    "Pending",
    "PendingManual",
    "Failed",
    "NotReady",
];

pub(crate) fn item_json(base: &str, i: &LineItemRow) -> Value {
    let mut v = json!({
        "id": format!("{base}/bewertungen/{}", i.id),
        "scoreMaximum": i.score_maximum as f64 / MILLI,
        "label": i.label,
        "resourceId": i.resource_id,
        "tag": i.tag,
    });
    if let Some(a) = i.activity {
        v["resourceLinkId"] = a.0.to_string().into();
    }
    v
}

fn invalid(m: &str) -> ServiceError {
    ServiceError::Invalid(m.into())
}

/// A line item as a tool sends it (POST, PUT): label, maximum, resource id, tag.
pub(crate) fn checked_item(body: &Value) -> Result<(String, f64, String, String), ServiceError> {
    let max = body["scoreMaximum"]
        .as_f64()
        .ok_or_else(|| invalid("scoreMaximum missing"))?;
    let label = body["label"].as_str().map(str::trim).unwrap_or_default();
    if !(max > 0.0 && max <= 100_000.0) || label.is_empty() || label.chars().count() > 200 {
        return Err(invalid(
            "scoreMaximum (0, 100000] and a label of 1 to 200 characters",
        ));
    }
    let text = |k: &str| {
        body[k]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect()
    };
    Ok((label.to_owned(), max, text("resourceId"), text("tag")))
}

impl Platform {
    /// GET line items (the tool's own in the course).
    pub async fn lti_line_items(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let need = [scope::LINEITEM, scope::LINEITEM_READ];
        let s = self.served(bearer, school, course, &need).await?;
        let mut c = self.db.read().await?;
        let items = grades::items(&mut c, s.instance, s.course, s.client.id).await?;
        let base = course_base(issuer, s.instance, s.course);
        Ok(Value::Array(
            items.iter().map(|i| item_json(&base, i)).collect(),
        ))
    }

    /// One line item of the tool in the course.
    pub(crate) async fn line_item(
        &self,
        s: &Served,
        item: &str,
    ) -> Result<LineItemRow, ServiceError> {
        let id: uuid::Uuid = item.parse().map_err(|_| ServiceError::NotFound)?;
        let mut c = self.db.read().await?;
        grades::items(&mut c, s.instance, s.course, s.client.id)
            .await?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or(ServiceError::NotFound)
    }

    pub async fn lti_get_line_item(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        item: &str,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let need = [scope::LINEITEM, scope::LINEITEM_READ];
        let s = self.served(bearer, school, course, &need).await?;
        let i = self.line_item(&s, item).await?;
        Ok(item_json(&course_base(issuer, s.instance, s.course), &i))
    }

    /// POST a line item (a gradebook column not tied to an activity).
    pub async fn lti_add_line_item(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        body: &Value,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let s = self
            .served(bearer, school, course, &[scope::LINEITEM])
            .await?;
        let (label, max, resource_id, tag) = checked_item(body)?;
        let row = LineItemRow {
            id: uuid::Uuid::now_v7(),
            course: s.course,
            client_ref: s.client.id,
            activity: None,
            label,
            score_maximum: (max * MILLI).round() as i64,
            resource_id,
            tag,
        };
        let mut tx = self.db.begin().await?;
        grades::insert_item(&mut tx, s.instance, &row, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(item_json(&course_base(issuer, s.instance, s.course), &row))
    }

    /// POST a score: the person is named by their pairwise subject, which must be a member
    /// of the course; an older timestamp than the stored score changes nothing.
    pub async fn lti_post_score(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        item: &str,
        body: &Value,
    ) -> Result<(), ServiceError> {
        let s = self.served(bearer, school, course, &[scope::SCORE]).await?;
        let li = self.line_item(&s, item).await?;
        let sub = body["userId"]
            .as_str()
            .ok_or_else(|| invalid("userId missing"))?;
        let roster = self.roster(&s).await?;
        let who = roster
            .iter()
            .find(|m| m.sub == sub)
            .ok_or_else(|| invalid("userId is not a member of the course"))?;
        let progress = body["activityProgress"].as_str().unwrap_or_default();
        let grading = body["gradingProgress"].as_str().unwrap_or_default();
        if !PROGRESS.contains(&progress) || !GRADING.contains(&grading) {
            return Err(invalid("activityProgress or gradingProgress unknown"));
        }
        let given = body["scoreGiven"].as_f64();
        let max = body["scoreMaximum"].as_f64();
        match (given, max) {
            (Some(g), Some(m)) if g >= 0.0 && m > 0.0 && m <= 100_000.0 && g <= 10.0 * m => {}
            (None, _) => {}
            _ => return Err(invalid("scoreGiven needs a positive scoreMaximum")),
        }
        let stamp = body["timestamp"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_micros())
            .ok_or_else(|| invalid("timestamp missing or not ISO 8601"))?;
        let row = ScoreRow {
            line_item: li.id,
            user: who.user,
            score_given: given.map(|g| (g * MILLI).round() as i64),
            score_maximum: max.map(|m| (m * MILLI).round() as i64),
            activity_progress: progress.into(),
            grading_progress: grading.into(),
            comment: body["comment"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(2000)
                .collect(),
            scored_at: stamp,
        };
        let mut tx = self.db.begin().await?;
        grades::put_score(&mut tx, s.instance, &row).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An LTI activity as its page shows it.
#[derive(Clone, Debug)]
pub struct LtiActivityView {
    pub ctx: ActivityCtx,
    /// The grades the tool posted: (person, points given, of maximum, comment). Editors see
    /// every participant's, a participant only their own.
    pub grades: Vec<(crate::lms::PersonRow, Option<f64>, f64, String)>,
}

impl Platform {
    pub async fn lti_activity(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<LtiActivityView, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != super::KIND {
            return Err(DomainError::NotFound);
        }
        let inst = ctx.course.instance;
        let only = (!ctx.is_editor()).then(|| a.token.user());
        let mut c = self.db.read().await?;
        let people =
            schulhof_store::lms::courses::participants(&mut c, inst, ctx.course.id).await?;
        let mut grades_out = Vec::new();
        if let Some(item) = grades::item_of_activity(&mut c, inst, id).await? {
            let scores = grades::scores(&mut c, inst, item.id, only).await?;
            for s in scores {
                sees_work_of(&a.token, &ctx.course, s.user)?;
                let Some(p) = people.iter().find(|p| p.id == s.user) else {
                    continue;
                };
                let max = s.score_maximum.unwrap_or(item.score_maximum) as f64 / MILLI;
                // Scaled to the line item's maximum, as AGS §3.4.5 says.
                let given = s.score_given.map(|g| {
                    let raw = g as f64 / MILLI;
                    raw / max * (item.score_maximum as f64 / MILLI)
                });
                grades_out.push((
                    p.clone(),
                    given,
                    item.score_maximum as f64 / MILLI,
                    s.comment,
                ));
            }
        }
        let _: Option<UserId> = only;
        Ok(LtiActivityView {
            ctx,
            grades: grades_out,
        })
    }
}
