//! Calendars: collections (personal, group, school, resource), their iCalendar objects with
//! indexed time bounds, tombstones for sync-collection, shares, bookable resources with their
//! bookings, and ICS subscription tokens.

pub mod attachments;
pub mod attendees;
pub mod bookings;
pub mod calendars;
pub mod objects;
pub mod occurrences;
pub mod public;
pub mod reindex;
pub mod resources;
pub mod shares;
pub mod subscriptions;
pub mod texts;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! cal_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

cal_id!(
    /// A calendar collection.
    CalendarId
);
cal_id!(
    /// One iCalendar object resource in a calendar.
    CalObjectId
);
cal_id!(
    /// A bookable room or piece of equipment.
    ResourceId
);
cal_id!(
    /// One booked occurrence of a resource.
    BookingId
);
cal_id!(
    /// A private ICS subscription URL.
    SubscriptionId
);
