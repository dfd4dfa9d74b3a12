//! Every text of the pages, German and English, in one table; plus the names of account
//! types, roles, group kinds and rights, and domain errors in the page's language.

use std::collections::HashMap;
use std::sync::LazyLock;

use schulhof_authz::Denied;
use schulhof_domain::DomainError;
use schulhof_front::{ErrorInfo, Lang};
use schulhof_types::RightId;

mod messages;
mod table;
mod table_absence;
mod table_admin;
mod table_calendar;
mod table_calendar_invite;
mod table_chat;
mod table_conference;
mod table_contacts;
mod table_du;
mod table_files;
mod table_four_eyes;
mod table_handin;
mod table_help;
mod table_home;
mod table_homepage;
mod table_lms;
mod table_lms_assign;
mod table_lms_import;
mod table_lms_messages;
mod table_lms_quiz;
mod table_lti;
mod table_mail;
mod table_mail_abuse;
mod table_mail_admin;
mod table_mail_control;
mod table_mail_filter;
mod table_mail_governance;
mod table_manager;
mod table_news;
mod table_notify;
mod table_oidc;
mod table_operator;
mod table_preview;
mod table_safe;
mod table_shell;

/// The translator for one request: its language, and whether German texts address the
/// viewer with "du" (a student, where the school keeps that setting on) rather than "Sie".
/// Built with [`Tr::new`]; the page's frame sets the form of address once it knows who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr(pub Lang, bool);

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| table::all().map(|(k, de, en)| (*k, (*de, *en))).collect());

/// The "du" variants of German texts, by the key of their "Sie" text.
static DU: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| table_du::DU_TEXTS.iter().copied().collect());

impl Tr {
    /// The translator for `lang`, addressing the viewer with "Sie".
    pub const fn new(lang: Lang) -> Tr {
        Tr(lang, false)
    }

    /// The same, addressing the viewer with "du" where a text has a "du" variant and `du`
    /// holds. Only German distinguishes the two.
    pub const fn with_du(self, du: bool) -> Tr {
        Tr(self.0, du)
    }

    /// Whether German texts say "du" to the viewer.
    pub fn du(self) -> bool {
        self.1 && self.0 == Lang::De
    }

    /// The text for `key`, if the table has it: its "du" variant where that applies.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        if self.du()
            && let Some(du) = DU.get(key)
        {
            return Some(du);
        }
        INDEX.get(key).map(|(de, en)| match self.0 {
            Lang::De => *de,
            Lang::En => *en,
        })
    }

    /// The text for `key`. A missing key is a bug the tests catch; the page then shows
    /// the key rather than failing.
    pub fn t(self, key: &str) -> &'static str {
        self.lookup(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing translation");
            "[?]"
        })
    }

    pub fn account_type(self, kind: &str) -> &'static str {
        self.lookup(&format!("type.{kind}")).unwrap_or("?")
    }

    pub fn function_role(self, role: &str) -> &'static str {
        self.lookup(&format!("role.{role}")).unwrap_or("?")
    }

    pub fn group_kind(self, kind: &str) -> &'static str {
        self.lookup(&format!("kind.{kind}")).unwrap_or("?")
    }

    /// "Lehrkraft", or for a function account "Funktionskonto: Admin".
    pub fn kind_label(self, kind: &str, role: Option<&str>) -> String {
        match role {
            Some(r) => format!("{}: {}", self.t("account.function"), self.function_role(r)),
            None => self.account_type(kind).to_owned(),
        }
    }

    /// The description of a right from the rights matrix.
    pub fn right(self, right: RightId) -> &'static str {
        let (de, en) = schulhof_authz::matrix::describe(right);
        match self.0 {
            Lang::De => de,
            Lang::En => en,
        }
    }

    /// A message of the domain (English) in this language, where it is known.
    pub fn message(self, text: &str) -> String {
        messages::translate(self.0, text)
    }

    /// A place in an import file (`line 3, column 5, /enterprise/person[2]`).
    pub fn position(self, text: &str) -> String {
        messages::position(self.0, text)
    }

    /// A domain error as a sentence for the user, in this language.
    pub fn error_text(self, e: &DomainError, info: &ErrorInfo) -> String {
        match e {
            DomainError::Denied(d) => self.denied_text(d),
            DomainError::Invalid { field, message } | DomainError::Conflict { field, message } => {
                let msg = messages::translate(self.0, message);
                match self.lookup(&format!("field.{field}")) {
                    Some(label) => format!("{label}: {msg}"),
                    None => msg,
                }
            }
            DomainError::Throttled { retry_after_secs } => self
                .t("error.throttled")
                .replace("{n}", &retry_after_secs.to_string()),
            DomainError::Busy { .. } => self.t("error.busy").to_owned(),
            DomainError::RateLimited { retry_after_secs } => self
                .t("error.rate_limited")
                .replace("{n}", &retry_after_secs.to_string()),
            // The domain says which quota; the page adds what one can do about it.
            DomainError::QuotaExceeded(m) => format!(
                "{} {}",
                messages::translate(self.0, m),
                self.t("error.quota_hint")
            ),
            DomainError::Internal(_) => {
                // The message carries the id under which the cause was logged.
                let id = info
                    .message
                    .split("error ")
                    .nth(1)
                    .unwrap_or("")
                    .trim_end_matches(").");
                self.t("error.internal").replace("{id}", id)
            }
            _ => self.t(&format!("error.code.{}", info.code)).to_owned(),
        }
    }

    fn denied_text(self, d: &Denied) -> String {
        match d {
            Denied::NotGrantable { right, to } => {
                let to = self.lookup(&format!("to.{to}")).unwrap_or(to);
                self.t("error.not_grantable")
                    .replace("{right}", self.right(*right))
                    .replace("{id}", right.as_str())
                    .replace("{to}", to)
            }
            Denied::IsDefault(right) => self
                .t("error.is_default")
                .replace("{right}", self.right(*right))
                .replace("{id}", right.as_str()),
            Denied::SafeRightsBySchulleitung => self.t("error.safe_rights").to_owned(),
            Denied::OwnLogin => self.t("error.own_login").to_owned(),
            Denied::PrivateAreasOnHold => self.t("error.private_areas_on_hold").to_owned(),
            Denied::SamePerson => self.t("error.same_person").to_owned(),
            Denied::NotFound => self.t("error.code.not_found").to_owned(),
            Denied::Forbidden => self.t("error.code.forbidden").to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
