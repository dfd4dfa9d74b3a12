//! The right identifiers of `rights-matrix.md`, plus the capabilities of the function
//! accounts. Which account type holds which right is data in the authz layer; this is only
//! the vocabulary.

use serde::{Deserialize, Serialize};

/// Groups rights the way the matrix does, for display and for deciding who grants them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightCategory {
    News,
    Mail,
    Contacts,
    Calendar,
    Account,
    Groups,
    FilesOwn,
    FilesTeaching,
    FilesStaff,
    Media,
    Safe,
    Help,
    Chat,
    /// Capabilities of the function accounts (Admin, Schulleitung, Sekretariat).
    Function,
}

macro_rules! rights {
    ($($variant:ident => $id:literal, $cat:ident;)+) => {
        /// One right of the matrix (or one function-account capability).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RightId { $($variant),+ }

        impl RightId {
            /// Every right, in matrix order.
            pub const ALL: &'static [RightId] = &[$(RightId::$variant),+];

            /// The stable identifier used in the API, the database and the UI.
            pub fn as_str(self) -> &'static str {
                match self { $(RightId::$variant => $id),+ }
            }

            pub fn category(self) -> RightCategory {
                match self { $(RightId::$variant => RightCategory::$cat),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($id => Some(RightId::$variant),)+ _ => None }
            }
        }
    };
}

rights! {
    NewsRead => "news.read", News;
    DatesRead => "dates.read", News;
    HomepageAdmin => "homepage.admin", News;
    NewsAdmin => "news.admin", News;
    NewsAuthor => "news.author", News;
    MailInternal => "mail.internal", Mail;
    MailExternal => "mail.external", Mail;
    MailClients => "mail.clients", Mail;
    MailGroup => "mail.group", Mail;
    MailDelegate => "mail.delegate", Mail;
    MailForward => "mail.forward", Mail;
    ContactsPersonal => "contacts.personal", Contacts;
    ContactsSchool => "contacts.school", Contacts;
    CalendarPersonal => "calendar.personal", Calendar;
    CalendarGroup => "calendar.group", Calendar;
    CalendarSchoolRead => "calendar.school.read", Calendar;
    CalendarClients => "calendar.clients", Calendar;
    AccountPassword => "account.password", Account;
    AccountExternalMail => "account.external_mail", Account;
    AccountReadSelf => "account.read_self", Account;
    GroupsReadOwn => "groups.read_own", Groups;
    GroupsReadStudents => "groups.read_students", Groups;
    GroupsResetStudentPassword => "groups.reset_student_password", Groups;
    FilesOwnCoordinate => "files.own.coordinate", FilesOwn;
    FilesOwnShareInternal => "files.own.share_internal", FilesOwn;
    FilesOwnShareCross => "files.own.share_cross", FilesOwn;
    FilesOwnLicense => "files.own.license", FilesOwn;
    FilesTeachingRead => "files.teaching.read", FilesTeaching;
    FilesTeachingShareInternal => "files.teaching.share_internal", FilesTeaching;
    FilesTeachingShareCross => "files.teaching.share_cross", FilesTeaching;
    FilesTeachingLicense => "files.teaching.license", FilesTeaching;
    FilesStaffRead => "files.staff.read", FilesStaff;
    FilesStaffShareInternal => "files.staff.share_internal", FilesStaff;
    FilesStaffShareCross => "files.staff.share_cross", FilesStaff;
    MediaAccess => "media.access", Media;
    MediaShared => "media.shared", Media;
    MediaFavourites => "media.favourites", Media;
    SafeOwnCoordinate => "safe.own.coordinate", Safe;
    SafeOwnShare => "safe.own.share", Safe;
    SafeCommonRead => "safe.common.read", Safe;
    SafeCommonContribute => "safe.common.contribute", Safe;
    SafeShareCross => "safe.share_cross", Safe;
    SafeEditor => "safe.editor", Safe;
    HelpDocs => "help.docs", Help;
    HelpForumRead => "help.forum.read", Help;
    HelpForumPost => "help.forum.post", Help;
    HelpBlogRead => "help.blog.read", Help;
    HelpBlogPost => "help.blog.post", Help;
    HelpTickets => "help.tickets", Help;
    ChatUse => "chat.use", Chat;
    ChatStudentsPrivate => "chat.students.private", Chat;
    ChatRoomsCreate => "chat.rooms.create", Chat;
    AdminUsers => "admin.users", Function;
    AdminGroups => "admin.groups", Function;
    AdminRights => "admin.rights", Function;
    AdminAuditLog => "admin.audit_log", Function;
    AdminSafePasswordReset => "admin.safe_password_reset", Function;
    AdminSharedAreas => "admin.shared_areas", Function;
    UsersReadOnly => "users.read_only", Function;
    SafeAdmin => "safe.admin", Function;
    SafeDelegate => "safe.delegate", Function;
    SchoolCalendarEdit => "calendar.school.edit", Function;
    NewsPublish => "news.publish", Function;
    FunctionDelegate => "function.delegate", Function;
}

impl std::fmt::Display for RightId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RightId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RightId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RightId::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown right {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in RightId::ALL {
            assert!(seen.insert(r.as_str()), "duplicate id {r}");
            assert_eq!(RightId::parse(r.as_str()), Some(*r));
        }
        assert_eq!(RightId::parse("safe.everything"), None);
    }
}
