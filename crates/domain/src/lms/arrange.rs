//! Editors arrange a course: a section within its course, an activity within its section,
//! one place up or down (the buttons without JavaScript) or straight to a place (drag and
//! drop, keyboard). One read of the order and one statement for the new positions, however
//! long the list. Only the course's editors (the policy's `EditCourse`); everyone else,
//! participants included, learns nothing: *not found*.

use schulhof_store::lms::order;
use schulhof_types::{ActivityId, CourseId, SectionId};

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Where an item goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    /// To this index (0 is the top); past the end means the end.
    To(usize),
}

impl Move {
    /// The form's fields: `richtung` `hoch`/`runter` (the buttons) or `position` (a number,
    /// from the script). Anything else is bad input.
    pub fn from_form(richtung: &str, position: &str) -> Result<Move, DomainError> {
        match (richtung.trim(), position.trim()) {
            ("hoch", "") => Ok(Move::Up),
            ("runter", "") => Ok(Move::Down),
            ("", p) if !p.is_empty() => p.parse().map(Move::To).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

fn bad() -> DomainError {
    DomainError::invalid(
        "position",
        "Bitte „nach oben“, „nach unten“ oder eine Position angeben.",
    )
}

/// Participants may see what they cannot arrange; the arranging itself stays unknown to them.
fn hidden(e: DomainError) -> DomainError {
    match e {
        DomainError::Forbidden => DomainError::NotFound,
        e => e,
    }
}

/// The new index of the item at `i` in a list of `len`, if it moves.
fn target(mv: Move, i: usize, len: usize) -> Option<usize> {
    let j = match mv {
        Move::Up => i.checked_sub(1)?,
        Move::Down => i + 1,
        Move::To(j) => j.min(len.saturating_sub(1)),
    };
    (j < len && j != i).then_some(j)
}

/// The rows whose stored position differs from their index once `id` is at its new place
/// (renumbering from the order also heals equal positions).
fn moves<T: Copy + Eq>(mut rows: Vec<(T, i64)>, id: T, mv: Move) -> Option<Vec<(T, i64)>> {
    let i = rows.iter().position(|r| r.0 == id)?;
    if let Some(j) = target(mv, i, rows.len()) {
        let item = rows.remove(i);
        rows.insert(j, item);
    }
    Some(
        rows.into_iter()
            .enumerate()
            .filter(|(k, r)| r.1 != *k as i64)
            .map(|(k, r)| (r.0, k as i64))
            .collect(),
    )
}

impl Platform {
    /// Moves a section within its course; returns the course.
    pub async fn lms_move_section(
        &self,
        a: &Actor,
        id: SectionId,
        mv: Move,
    ) -> Result<CourseId, DomainError> {
        let (row, ctx) = self.lms_section_for_edit(a, id).await.map_err(hidden)?;
        let inst = ctx.facts.instance;
        let mut tx = self.db.begin().await?;
        let rows = order::sections_of_course(&mut tx, inst, row.course_id).await?;
        let changed = moves(rows, id, mv).ok_or(DomainError::NotFound)?;
        order::sections(&mut tx, inst, row.course_id, &changed).await?;
        tx.commit().await?;
        Ok(row.course_id)
    }

    /// Moves an activity within its section; returns the course.
    pub async fn lms_move_activity(
        &self,
        a: &Actor,
        id: ActivityId,
        mv: Move,
    ) -> Result<CourseId, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await.map_err(hidden)?;
        let (inst, sec) = (ctx.course.instance, ctx.activity.section_id);
        let mut tx = self.db.begin().await?;
        let rows = order::activities_of_section(&mut tx, inst, sec).await?;
        let changed = moves(rows, id, mv).ok_or(DomainError::NotFound)?;
        order::activities(&mut tx, inst, sec, &changed).await?;
        tx.commit().await?;
        Ok(ctx.course.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(rows: &[(char, i64)], id: char, mv: Move) -> Vec<(char, i64)> {
        moves(rows.to_vec(), id, mv).expect("present")
    }

    #[test]
    fn only_changed_positions_are_written() {
        let rows = [('a', 0), ('b', 1), ('c', 2), ('d', 3)];
        assert_eq!(ids(&rows, 'c', Move::Up), [('c', 1), ('b', 2)]);
        assert_eq!(ids(&rows, 'a', Move::Up), []);
        assert_eq!(ids(&rows, 'd', Move::Down), []);
        assert_eq!(
            ids(&rows, 'a', Move::To(3)),
            [('b', 0), ('c', 1), ('d', 2), ('a', 3)]
        );
        assert_eq!(ids(&rows, 'd', Move::To(99)), []);
        assert_eq!(ids(&rows, 'd', Move::To(0))[0], ('d', 0));
        // Equal positions (older data) are healed by the renumbering.
        assert_eq!(ids(&[('a', 0), ('b', 0)], 'a', Move::To(0)), [('b', 1)]);
        assert!(moves(rows.to_vec(), 'x', Move::Up).is_none());
    }

    #[test]
    fn the_form_names_one_move() {
        assert_eq!(Move::from_form("hoch", "").ok(), Some(Move::Up));
        assert_eq!(Move::from_form("runter", "").ok(), Some(Move::Down));
        assert_eq!(Move::from_form("", "2").ok(), Some(Move::To(2)));
        for (r, p) in [
            ("", ""),
            ("seitwärts", ""),
            ("", "-1"),
            ("hoch", "2"),
            ("", "x"),
        ] {
            assert!(Move::from_form(r, p).is_err(), "{r:?} {p:?}");
        }
    }
}
