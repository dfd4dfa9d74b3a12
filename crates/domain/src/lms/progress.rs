//! Progress: the students × activities overview of a course for its editors (teachers are
//! never monitored: only participants appear), and the dashboard of due activities across
//! the caller's courses.

use std::collections::HashMap;

use schulhof_store::lms::courses;
use schulhof_store::lms::outline::{self, DueRow};
use schulhof_store::to_us;
use schulhof_types::{ActivityId, CourseId, UserId};

use super::context::member;
use super::{ActivityRow, CourseCtx, PersonRow};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One participant's state of one activity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub viewed: bool,
    pub completed: bool,
    /// The score an LTI tool posted (AGS), scaled to the line item's maximum: (points
    /// given, maximum), in thousandths of a point.
    pub score: Option<(i64, i64)>,
}

/// The overview: activities that track completion, and per participant one cell each.
#[derive(Clone, Debug)]
pub struct Progress {
    pub course: CourseCtx,
    pub activities: Vec<ActivityRow>,
    pub rows: Vec<(PersonRow, Vec<Cell>)>,
}

impl Platform {
    /// The progress of every participant of a course the caller edits (also archived).
    pub async fn lms_progress(&self, a: &Actor, id: CourseId) -> Result<Progress, DomainError> {
        let course = self.lms_course(a, id).await?;
        if !course.is_editor() {
            return Err(DomainError::Forbidden);
        }
        let inst = course.facts.instance;
        let mut c = self.db.read().await?;
        let acts: Vec<ActivityRow> =
            outline::activities_of(&mut c, inst, id, a.token.user(), true, 0)
                .await?
                .into_iter()
                .map(|o| o.activity)
                // LTI activities show the tool's score even without completion tracking.
                .filter(|a| a.completion != "none" || a.kind == crate::lti::KIND)
                .collect();
        let people = courses::participants(&mut c, inst, id).await?;
        let scores: HashMap<(ActivityId, UserId), (i64, i64)> =
            schulhof_store::lti::grades::course_scores(&mut c, inst, id)
                .await?
                .into_iter()
                .filter_map(|(act, user, given, max, item_max)| {
                    let g = given? as f64;
                    let m = max.unwrap_or(item_max).max(1) as f64;
                    let scaled = (g / m * item_max as f64).round() as i64;
                    Some(((act, user), (scaled, item_max)))
                })
                .collect();
        let done: HashMap<(ActivityId, UserId), Cell> =
            outline::completion_of_course(&mut c, inst, id)
                .await?
                .into_iter()
                .map(|(act, user, v, d)| {
                    let cell = Cell {
                        viewed: v.is_some(),
                        completed: d.is_some(),
                        score: None,
                    };
                    ((act, user), cell)
                })
                .collect();
        let rows = people
            .into_iter()
            .map(|p| {
                let cells = acts
                    .iter()
                    .map(|x| Cell {
                        score: scores.get(&(x.id, p.id)).copied(),
                        ..done.get(&(x.id, p.id)).copied().unwrap_or_default()
                    })
                    .collect();
                (p, cells)
            })
            .collect();
        Ok(Progress {
            course,
            activities: acts,
            rows,
        })
    }

    /// Activities with a due date across the caller's open courses, by due date, with the
    /// caller's completion. One statement.
    pub async fn lms_due(&self, a: &Actor) -> Result<Vec<DueRow>, DomainError> {
        if a.token.principal().account_type().is_none() {
            return Ok(Vec::new());
        }
        let m = member(a);
        let mut c = self.db.read().await?;
        Ok(outline::due_for(
            &mut c,
            a.token.instance(),
            m.user,
            m.edits_by_group,
            to_us(self.now()),
        )
        .await?)
    }
}
