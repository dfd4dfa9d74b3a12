//! Plain value types shared by every layer: identifiers, validated values,
//! account types, function roles and the right identifiers of the matrix.
//! No I/O lives here.

mod account;
mod ids;
mod mail;
mod rights;
mod values;

pub use account::{AccountType, FunctionRole, GroupKind};
pub use ids::{
    ActivityId, AddressBookId, ContactId, CourseId, GroupId, InstanceId, MailFolderId,
    MailMessageId, NodeId, SectionId, UserId,
};
pub use mail::{MailLocalPart, mail_local_part, name_sort_key};
pub use rights::{RightCategory, RightId};
pub use values::{Login, SchoolNumber, ValueError};
