//! Editors arrange a course: a section within its course, an activity within its section,
//! one place up or down (the buttons without JavaScript) or straight to a place (drag and
//! drop, keyboard), or an activity into another section of the same course. One read of
//! the order and one statement for the new positions, however long the list. Only the
//! course's editors (the policy's `EditCourse`); everyone else, participants included,
//! learns nothing: *not found*.

use schulhof_store::lms::{order, sections};
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

/// The rows whose stored position differs from their index once `id` leaves `from` for
/// index `to` of `into` (past the end: the end); `None` when `id` is not in `from`.
fn moves_across<T: Copy + Eq>(
    mut from: Vec<(T, i64)>,
    mut into: Vec<(T, i64)>,
    id: T,
    to: usize,
) -> Option<Vec<(T, i64)>> {
    let i = from.iter().position(|r| r.0 == id)?;
    let (item, _) = from.remove(i);
    // The moved row always changes (its section), whatever its old position.
    into.insert(to.min(into.len()), (item, -1));
    let renumbered = |rows: Vec<(T, i64)>| {
        rows.into_iter()
            .enumerate()
            .filter(|(k, r)| r.1 != *k as i64)
            .map(|(k, r)| (r.0, k as i64))
            .collect::<Vec<_>>()
    };
    let mut out = renumbered(into);
    out.extend(renumbered(from));
    Some(out)
}

fn no_section() -> DomainError {
    DomainError::invalid(
        "abschnitt",
        "Diesen Abschnitt gibt es in diesem Kurs nicht.",
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

    /// Moves an activity to index `to` (past the end: the end) of section `into` of the same
    /// course; within its own section this is [`Move::To`]. Returns the course. A section
    /// of another course, or none, is bad input and changes nothing.
    pub async fn lms_move_activity_to_section(
        &self,
        a: &Actor,
        id: ActivityId,
        into: SectionId,
        to: usize,
    ) -> Result<CourseId, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await.map_err(hidden)?;
        let (inst, from) = (ctx.course.instance, ctx.activity.section_id);
        if into == from {
            return self.lms_move_activity(a, id, Move::To(to)).await;
        }
        let mut tx = self.db.begin().await?;
        let target = sections::get(&mut tx, inst, into).await?;
        if target.is_none_or(|s| s.course_id != ctx.course.id) {
            return Err(no_section());
        }
        let here = order::activities_of_section(&mut tx, inst, from).await?;
        let there = order::activities_of_section(&mut tx, inst, into).await?;
        let changed = moves_across(here, there, id, to).ok_or(DomainError::NotFound)?;
        order::activity_to_section(&mut tx, inst, ctx.course.id, id, into, &changed).await?;
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
    fn a_move_across_sections_renumbers_both_and_always_writes_the_item() {
        let from = vec![('a', 0), ('b', 1), ('c', 2)];
        let into = vec![('x', 0), ('y', 1)];
        let out = |id, to| moves_across(from.clone(), into.clone(), id, to).expect("present");
        assert_eq!(out('b', 1), [('b', 1), ('y', 2), ('c', 1)]);
        assert_eq!(out('c', 99), [('c', 2)]);
        assert_eq!(
            out('a', 0),
            [('a', 0), ('x', 1), ('y', 2), ('b', 0), ('c', 1)]
        );
        assert_eq!(
            moves_across(vec![('a', 0)], Vec::new(), 'a', 5),
            Some(vec![('a', 0)])
        );
        assert!(moves_across(from.clone(), into.clone(), 'x', 0).is_none());
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
