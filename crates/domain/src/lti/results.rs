//! Assignment and Grade Services 2.0, the rest of the line item service and the result
//! service: a tool changes (PUT) and deletes (DELETE) its line items, and reads the results
//! (GET `…/results`, AGS §3.5) — the latest score per person, named by the pairwise subject
//! the tool knows, scaled to the line item's maximum.

use schulhof_store::lti::grades::{self, LineItemRow};
use serde_json::{Value, json};

use super::MILLI;
use super::claims::course_base;
use super::grades::{checked_item, item_json};
use super::scope;
use super::services::ServiceError;
use crate::Platform;

fn invalid(m: &str) -> ServiceError {
    ServiceError::Invalid(m.into())
}

impl Platform {
    /// PUT a line item: label, scoreMaximum, resourceId and tag change; the activity it
    /// belongs to does not (AGS §3.2.9: the platform keeps the resource link).
    pub async fn lti_update_line_item(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        item: &str,
        body: &Value,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let s = self
            .served(bearer, school, course, &[scope::LINEITEM])
            .await?;
        let old = self.line_item(&s, item).await?;
        let (label, max, resource_id, tag) = checked_item(body)?;
        let row = LineItemRow {
            label,
            score_maximum: (max * MILLI).round() as i64,
            resource_id,
            tag,
            ..old
        };
        let mut tx = self.db.begin().await?;
        if !grades::update_item(&mut tx, s.instance, &row).await? {
            return Err(ServiceError::NotFound);
        }
        tx.commit().await?;
        Ok(item_json(&course_base(issuer, s.instance, s.course), &row))
    }

    /// DELETE a line item with its scores. The column of a placed activity stays while the
    /// activity exists (the teacher removes the activity in the course instead).
    pub async fn lti_delete_line_item(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        item: &str,
    ) -> Result<(), ServiceError> {
        let s = self
            .served(bearer, school, course, &[scope::LINEITEM])
            .await?;
        let li = self.line_item(&s, item).await?;
        if li.activity.is_some() {
            return Err(invalid(
                "the line item of a placed activity is removed with the activity",
            ));
        }
        let mut tx = self.db.begin().await?;
        if !grades::delete_item(&mut tx, s.instance, li.id).await? {
            return Err(ServiceError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// GET the results of a line item (all, or one person's with `user_id`).
    pub async fn lti_results(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        item: &str,
        user_id: Option<&str>,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let s = self
            .served(bearer, school, course, &[scope::RESULT_READ])
            .await?;
        let li = self.line_item(&s, item).await?;
        let roster = self.roster(&s).await?;
        let mut c = self.db.read().await?;
        let scores = grades::scores(&mut c, s.instance, li.id, None).await?;
        drop(c);
        let item_url = format!(
            "{}/bewertungen/{}",
            course_base(issuer, s.instance, s.course),
            li.id
        );
        let item_max = li.score_maximum as f64 / MILLI;
        let mut out = Vec::new();
        for sc in scores {
            // Only current members: a person who left the course is no longer the tool's.
            let Some(m) = roster.iter().find(|m| m.user == sc.user) else {
                continue;
            };
            if user_id.is_some_and(|u| u != m.sub) {
                continue;
            }
            let mut r = json!({
                "id": format!("{item_url}/results/{}", m.sub),
                "scoreOf": item_url,
                "userId": m.sub,
                "resultMaximum": item_max,
            });
            if let Some(g) = sc.score_given {
                let max = sc.score_maximum.unwrap_or(li.score_maximum) as f64 / MILLI;
                r["resultScore"] = json!(g as f64 / MILLI / max * item_max);
            }
            if !sc.comment.is_empty() {
                r["comment"] = sc.comment.into();
            }
            out.push(r);
        }
        Ok(Value::Array(out))
    }
}
