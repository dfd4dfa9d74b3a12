//! Identifiers as newtypes, so a user id can never be passed where a group id is meant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), made in Rust so no database sequence is needed.
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

id_type!(
    /// A school (instance).
    InstanceId
);
id_type!(
    /// A login: a personal account or a function account.
    UserId
);
id_type!(
    /// A group: class, course, working group, staff group.
    GroupId
);
id_type!(
    /// A folder or file of the cloud file manager.
    NodeId
);
id_type!(
    /// A folder of a mailbox.
    MailFolderId
);
id_type!(
    /// One message in one mail folder.
    MailMessageId
);
id_type!(
    /// An address book: a login's personal one or a further, shareable one.
    AddressBookId
);
id_type!(
    /// One contact (vCard) in an address book.
    ContactId
);
id_type!(
    /// A course of the learning management.
    CourseId
);
id_type!(
    /// A section (topic or week) of a course.
    SectionId
);
id_type!(
    /// An activity of a course: material, assignment or quiz.
    ActivityId
);
