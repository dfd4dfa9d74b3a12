//! Public events of a school's school calendar (start page and feeds), without a login.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::CalObjectId;
use crate::{AsConn, StoreError, on};

/// A public event object with its text.
#[derive(Clone, Debug)]
pub struct PublicObject {
    pub id: CalObjectId,
    pub uid: String,
    pub summary: String,
    /// µs UTC.
    pub first_start: i64,
    pub last_end: Option<i64>,
    pub recurring: bool,
    pub all_day: bool,
    pub updated_at: i64,
    pub raw: String,
}

type Raw = (
    Uuid,
    String,
    String,
    i64,
    Option<i64>,
    bool,
    bool,
    i64,
    String,
);

/// Public VEVENTs of the school calendar with an instance ending at or after `from` (open
/// ends always), in start order.
pub async fn school_public_from(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: i64,
    limit: i64,
) -> Result<Vec<PublicObject>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT o.id, o.uid, o.summary, o.first_start, o.last_end, o.recurring, o.all_day,
                o.updated_at, o.raw
           FROM calendar_objects o JOIN calendars k
             ON k.instance_id = o.instance_id AND k.id = o.calendar_id
          WHERE o.instance_id = $1 AND k.kind = 'school' AND o.public
            AND o.component = 'VEVENT' AND (o.last_end IS NULL OR o.last_end >= $2)
          ORDER BY o.first_start, o.id LIMIT $3")
        .bind(instance.0).bind(from).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| PublicObject {
            id: CalObjectId(r.0),
            uid: r.1,
            summary: r.2,
            first_start: r.3,
            last_end: r.4,
            recurring: r.5,
            all_day: r.6,
            updated_at: r.7,
            raw: r.8,
        })
        .collect())
}

/// The school calendar's modseq (it grows with every change in it), or 0 without one.
pub async fn school_modseq(c: &mut impl AsConn, instance: InstanceId) -> Result<i64, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT modseq FROM calendars WHERE instance_id = $1 AND kind = 'school'")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map_or(0, |(m,)| m))
}
