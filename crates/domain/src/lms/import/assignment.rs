//! An archive's assignment as settings of this platform's assignments: dates in µs, points
//! within 1–1000 (passed from half), text and file hand-ins. Dates that contradict each other
//! (a cut-off before the due date) are dropped with a remark rather than refused.

use schulhof_course_import::{ImportedItem, ReportLine};
use schulhof_store::lms::assignments::AssignmentRow;
use schulhof_types::ActivityId;

use super::plan::note;

/// Most points an assignment can give here.
const MAX_POINTS: i64 = 1000;

fn us(secs: Option<i64>) -> Option<i64> {
    secs.and_then(|s| s.checked_mul(1_000_000))
}

/// The settings row and the due date (µs) of an archive assignment.
pub(crate) fn settings(
    id: ActivityId,
    item: &ImportedItem,
    notes: &mut Vec<ReportLine>,
) -> (AssignmentRow, Option<i64>) {
    let ImportedItem::Assignment {
        title,
        due_at,
        cutoff_at,
        allow_from,
        max_points,
        ..
    } = item
    else {
        return (row(id, None, None, None), None);
    };
    let (mut from, due, mut cut) = (us(*allow_from), us(*due_at), us(*cutoff_at));
    if matches!((from, due), (Some(f), Some(d)) if d < f) {
        from = None;
        notes.push(note(
            title,
            "lms_import.allow_from_dropped",
            "Der Abgabebeginn lag nach der Frist und wird nicht übernommen.".into(),
            "The start of submissions was after the due date and is not brought over.".into(),
        ));
    }
    if matches!((due.or(from), cut), (Some(d), Some(c)) if c < d) {
        cut = None;
        notes.push(note(
            title,
            "lms_import.cutoff_dropped",
            "Der Annahmeschluss lag vor der Frist und wird nicht übernommen.".into(),
            "The cut-off was before the due date and is not brought over.".into(),
        ));
    }
    let points = max_points.filter(|p| p.is_finite() && *p > 0.0).map(|p| {
        let max = (p.round() as i64).clamp(1, MAX_POINTS);
        if (max as f64 - p).abs() > f64::EPSILON {
            notes.push(note(
                title,
                "lms_import.points_rounded",
                format!("Die Höchstpunktzahl {p} wird als {max} übernommen."),
                format!("The maximum of {p} points becomes {max}."),
            ));
        }
        max
    });
    (row(id, from, cut, points), due)
}

fn row(id: ActivityId, from: Option<i64>, cut: Option<i64>, points: Option<i64>) -> AssignmentRow {
    let (grading, max, pass) = match points {
        Some(max) => ("points", max, (max + 1) / 2),
        None => ("passfail", 0, 0),
    };
    AssignmentRow {
        activity_id: id,
        allow_from: from,
        cutoff_at: cut,
        types: "text,files".into(),
        group_mode: false,
        grading: grading.into(),
        max_points: max,
        pass_points: pass,
        scale: String::new(),
    }
}
