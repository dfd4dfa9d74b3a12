//! The rights matrix of `rights-matrix.md`, as data. This table is the law of the system:
//! `/api/v1/me`, the pages and every module read it from here.

use schulhof_types::{AccountType, FunctionRole, RightCategory, RightId};

/// The state of a right for one account type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// X: granted by default.
    Default,
    /// O: not granted by default, can be granted.
    Grantable,
    /// —: can never be granted, by anyone.
    Never,
}

/// Who may grant an O-right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granter {
    Admin,
    Schulleitung,
}

use Mark::{Default as X, Grantable as O, Never as N};

/// Marks per account type in the matrix column order: Lehrer, Personal, Extern, Schüler.
const fn marks(right: RightId) -> [Mark; 4] {
    use RightId::*;
    match right {
        NewsRead | DatesRead => [X, X, X, X],
        HomepageAdmin => [O, O, O, O],
        NewsAdmin => [O, O, N, N],
        NewsAuthor => [O, O, O, O],
        MailInternal => [X, X, X, X],
        MailExternal => [X, X, O, O],
        MailClients => [X, X, X, X],
        MailGroup => [X, X, O, O],
        MailDelegate => [O, O, N, N],
        MailForward => [N, N, N, N],
        ContactsPersonal | ContactsSchool => [X, X, X, X],
        CalendarPersonal => [X, X, X, X],
        CalendarGroup => [X, X, O, O],
        CalendarSchoolRead | CalendarClients => [X, X, X, X],
        AccountPassword | AccountExternalMail | AccountReadSelf => [X, X, X, X],
        GroupsReadOwn => [X, X, N, N],
        GroupsReadStudents | GroupsResetStudentPassword => [X, O, N, N],
        FilesOwnCoordinate => [X, X, X, X],
        FilesOwnShareInternal => [X, X, O, O],
        FilesOwnShareCross | FilesOwnLicense => [O, O, O, O],
        FilesTeachingRead => [X, X, X, X],
        FilesTeachingShareInternal => [X, X, O, O],
        FilesTeachingShareCross | FilesTeachingLicense => [O, O, O, O],
        FilesStaffRead => [X, O, O, N],
        FilesStaffShareInternal | FilesStaffShareCross => [O, O, O, N],
        MediaAccess | MediaShared | MediaFavourites => [X, X, X, X],
        SafeOwnCoordinate => [X, O, N, N],
        SafeOwnShare => [N, N, N, N],
        SafeCommonRead | SafeCommonContribute => [O, O, N, N],
        SafeShareCross => [N, N, N, N],
        SafeEditor => [X, O, N, N],
        HelpDocs => [X, X, X, X],
        HelpForumRead | HelpForumPost => [X, X, N, N],
        HelpBlogRead => [X, X, X, X],
        HelpBlogPost => [N, N, N, N],
        HelpTickets => [X, X, N, N],
        ChatUse => [X, X, X, X],
        ChatStudentsPrivate => [N, N, N, O],
        ChatRoomsCreate => [X, X, O, O],
        // Function-account capabilities are never granted to persons.
        AdminUsers
        | AdminGroups
        | AdminRights
        | AdminAuditLog
        | AdminSafePasswordReset
        | AdminSharedAreas
        | UsersReadOnly
        | SafeAdmin
        | SafeDelegate
        | SchoolCalendarEdit
        | NewsPublish
        | FunctionDelegate => [N, N, N, N],
    }
}

/// The mark of `right` for `account_type`.
pub fn mark(right: RightId, account_type: AccountType) -> Mark {
    let m = marks(right);
    match account_type {
        AccountType::Lehrer => m[0],
        AccountType::Personal => m[1],
        AccountType::Extern => m[2],
        AccountType::Schueler => m[3],
    }
}

/// Who grants an O-right: Safe rights are the principal's, everything else the admin's.
pub fn granter(right: RightId) -> Granter {
    if right.category() == RightCategory::Safe {
        Granter::Schulleitung
    } else {
        Granter::Admin
    }
}

/// The fixed rights of a function account. Besides their capabilities they may manage their
/// own login (password, consent) like every account.
pub fn function_rights(role: FunctionRole) -> &'static [RightId] {
    use RightId::*;
    match role {
        FunctionRole::Admin => &[
            AccountPassword,
            AccountReadSelf,
            AdminAuditLog,
            AdminGroups,
            AdminRights,
            AdminSafePasswordReset,
            AdminSharedAreas,
            AdminUsers,
            HelpDocs,
        ],
        FunctionRole::Schulleitung => &[
            AccountPassword,
            AccountReadSelf,
            HelpDocs,
            SafeAdmin,
            SafeDelegate,
            UsersReadOnly,
        ],
        FunctionRole::Sekretariat => &[
            AccountPassword,
            AccountReadSelf,
            FunctionDelegate,
            HelpDocs,
            NewsAuthor,
            NewsPublish,
            SchoolCalendarEdit,
        ],
    }
}

/// Short German and English descriptions, for the rights pages.
pub fn describe(right: RightId) -> (&'static str, &'static str) {
    use RightId::*;
    match right {
        NewsRead => ("Neuigkeiten lesen", "Read news"),
        DatesRead => ("Termine lesen", "Read dates"),
        HomepageAdmin => ("Startseite bearbeiten", "Edit the start page"),
        NewsAdmin => ("Neuigkeiten verwalten", "Manage everyone's news"),
        NewsAuthor => ("Neuigkeiten schreiben", "Write news"),
        MailInternal => ("E-Mail innerhalb der Schule", "Mail within the school"),
        MailExternal => ("E-Mail nach außen", "Mail to and from outside"),
        MailClients => ("E-Mail in externen Programmen", "Mail in external clients"),
        MailGroup => ("An Gruppenverteiler senden", "Send to group lists"),
        MailDelegate => ("Postfach delegieren", "Delegate own mailbox"),
        MailForward => ("Automatische Weiterleitung", "Automatic forwarding"),
        ContactsPersonal => ("Persönliches Adressbuch", "Personal address book"),
        ContactsSchool => ("Schuladressbuch lesen", "Read school address book"),
        CalendarPersonal => ("Persönlicher Kalender", "Personal calendar"),
        CalendarGroup => ("Gruppenkalender bearbeiten", "Edit group calendars"),
        CalendarSchoolRead => ("Schulkalender lesen", "Read school calendar"),
        CalendarClients => (
            "Kalender in externen Programmen",
            "Calendars in external clients",
        ),
        AccountPassword => ("Eigenes Passwort ändern", "Change own password"),
        AccountExternalMail => ("Externe E-Mail-Adresse", "External mail address"),
        AccountReadSelf => ("Eigene Daten lesen", "Read own data"),
        GroupsReadOwn => ("Eigene Gruppen lesen", "Read own groups"),
        GroupsReadStudents => (
            "Schüler eigener Gruppen lesen",
            "Read students of own groups",
        ),
        GroupsResetStudentPassword => (
            "Passwörter von Schülern eigener Gruppen zurücksetzen",
            "Reset passwords of students in own groups",
        ),
        FilesOwnCoordinate => ("Koordinator eigener Bereich", "Coordinator of own area"),
        FilesOwnShareInternal => (
            "Eigene Dateien schulintern teilen",
            "Share own files in school",
        ),
        FilesOwnShareCross => (
            "Eigene Dateien schulübergreifend teilen",
            "Share own files across schools",
        ),
        FilesOwnLicense => ("Eigene Dateien lizenzieren", "License own files"),
        FilesTeachingRead => ("Unterricht lesen", "Read teaching area"),
        FilesTeachingShareInternal => (
            "Unterricht schulintern teilen",
            "Share teaching area in school",
        ),
        FilesTeachingShareCross => (
            "Unterricht schulübergreifend teilen",
            "Share teaching area across schools",
        ),
        FilesTeachingLicense => ("Unterricht lizenzieren", "License teaching material"),
        FilesStaffRead => ("Lehrerbereich lesen", "Read staff area"),
        FilesStaffShareInternal => (
            "Lehrerbereich schulintern teilen",
            "Share staff area in school",
        ),
        FilesStaffShareCross => (
            "Lehrerbereich schulübergreifend teilen",
            "Share staff area across schools",
        ),
        MediaAccess => ("Mediathek durchsuchen", "Search the media library"),
        MediaShared => ("Geteilte Medien", "Media shared with me"),
        MediaFavourites => ("Favoriten", "Favourites"),
        SafeOwnCoordinate => ("Eigener Safe-Bereich", "Own Safe area"),
        SafeOwnShare => ("Aus eigenem Safe teilen", "Share out of own Safe"),
        SafeCommonRead => ("Gemeinsamen Safe lesen", "Read common Safe"),
        SafeCommonContribute => (
            "Im gemeinsamen Safe mitarbeiten",
            "Contribute to common Safe",
        ),
        SafeShareCross => ("Safe schulübergreifend teilen", "Share Safe across schools"),
        SafeEditor => ("Safe-Editor", "Safe editor"),
        HelpDocs => ("Dokumentation lesen", "Read documentation"),
        HelpForumRead => ("Foren lesen", "Read forums"),
        HelpForumPost => ("In Foren schreiben", "Post in forums"),
        HelpBlogRead => ("Blog lesen", "Read the blog"),
        HelpBlogPost => ("Blog schreiben", "Write the blog"),
        HelpTickets => ("Support-Tickets", "Support tickets"),
        ChatUse => ("Chat nutzen", "Use the chat"),
        ChatStudentsPrivate => (
            "Privat mit anderen Schülerinnen und Schülern chatten",
            "Chat privately with other students",
        ),
        ChatRoomsCreate => ("Eigene Chaträume anlegen", "Create own chat rooms"),
        AdminUsers => ("Benutzerverwaltung", "User administration"),
        AdminGroups => ("Gruppenverwaltung", "Group administration"),
        AdminRights => ("Rechteverwaltung", "Rights administration"),
        AdminAuditLog => ("Protokoll der Verwaltung", "Administration log"),
        AdminSafePasswordReset => ("Safe-Passwörter zurücksetzen", "Reset Safe passwords"),
        AdminSharedAreas => (
            "Gemeinsame Bereiche koordinieren",
            "Coordinate shared areas",
        ),
        UsersReadOnly => ("Benutzerverwaltung lesen", "Read user administration"),
        SafeAdmin => ("Safe verwalten", "Administer the Safe"),
        SafeDelegate => ("Safe-Verwaltung delegieren", "Delegate Safe administration"),
        SchoolCalendarEdit => ("Schulkalender bearbeiten", "Edit the school calendar"),
        NewsPublish => ("Neuigkeiten veröffentlichen", "Publish news"),
        FunctionDelegate => ("Funktionsrechte delegieren", "Delegate function rights"),
    }
}

/// Rights of the matrix that no policy code reads, each with the reason. A test
/// (`tests/rights_enforced.rs`) fails when a right is neither read by the policy nor listed
/// here, or listed although the policy reads it.
pub const NOT_IN_POLICY: &[(RightId, &str)] = {
    use RightId::*;
    const NO_MODULE: &str = "its module (news, mail, help network) does not exist yet; the matrix row stays so grants are kept for it";
    const NEVER: &str =
        "— for every account type: effective_rights never contains it, so nothing can use it";
    const MEDIA: &str = "checked by the media service (domain/src/media) until media decisions move into the policy";
    &[
        (DatesRead, NO_MODULE),
        (MailForward, NEVER),
        (
            FilesOwnCoordinate,
            "X for every account type and never revocable: the own area's root carries a Coordinator grant for its owner",
        ),
        (FilesOwnLicense, MEDIA),
        (FilesTeachingLicense, MEDIA),
        (MediaAccess, MEDIA),
        (MediaShared, MEDIA),
        (MediaFavourites, MEDIA),
        (
            SafeOwnShare,
            "— for every account type; files::may_share refuses any share out of the own Safe area",
        ),
        (
            SafeShareCross,
            "— for every account type; the Safe areas have no share_cross right, so FileOp::ShareCross refuses",
        ),
        (HelpBlogPost, NEVER),
        (
            AdminSharedAreas,
            "the Admin function role itself coordinates the shared areas (files::area_open, files::may_share)",
        ),
        (
            SafeDelegate,
            "delegating is making someone Coordinator of a common Safe folder, decided by FileOp::Share",
        ),
        (
            FunctionDelegate,
            "a function account's rights are delegated by making a person its holder (admin/users); the holder then acts as the account",
        ),
    ]
};
