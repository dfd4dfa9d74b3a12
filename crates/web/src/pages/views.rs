//! Views several pages share: a plain message, a confirmation step, a password shown once,
//! and rows of rights with their descriptions.

use askama::Template;
use schulhof_authz::matrix;
use schulhof_types::{AccountType, RightId};

use crate::i18n::Tr;
use crate::layout::Chrome;

/// A heading, some text, an optional link and an optional logout button.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub c: Chrome,
    pub heading: &'static str,
    pub paragraphs: Vec<String>,
    pub link: Option<(&'static str, &'static str)>,
    pub logout: bool,
}

/// "Are you sure?" before something that cannot be undone.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub c: Chrome,
    pub heading: String,
    pub text: String,
    pub action: String,
    pub button: &'static str,
    pub cancel_href: String,
}

/// A password set for someone else, shown this once.
#[derive(Template)]
#[template(path = "password_shown.html")]
pub struct PasswordShown {
    pub c: Chrome,
    pub heading: String,
    pub login: String,
    pub password: String,
    pub back_href: String,
    pub back_label: &'static str,
}

/// Splits a stored text into paragraphs at blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// One right as shown in a table.
#[derive(Clone, Debug)]
pub struct RightRow {
    pub id: &'static str,
    pub description: &'static str,
    /// Why the account holds it (default, granted, through a group), if known.
    pub source: &'static str,
}

pub fn right_row(tr: Tr, right: RightId, source: &'static str) -> RightRow {
    RightRow {
        id: right.as_str(),
        description: tr.right(right),
        source,
    }
}

/// The rights of an account with where each comes from: the matrix default, a direct
/// grant, or a group. Without `direct`, grants are not told apart.
pub fn effective_rows(
    tr: Tr,
    rights: &[RightId],
    kind: &str,
    direct: Option<&[RightId]>,
) -> Vec<RightRow> {
    let account_type = AccountType::parse(kind);
    rights
        .iter()
        .map(|r| {
            let source = match account_type {
                None => tr.t("rights.source.function"),
                Some(t) if matrix::mark(*r, t) == matrix::Mark::Default => {
                    tr.t("rights.source.default")
                }
                Some(_) => match direct {
                    None => tr.t("rights.source.granted"),
                    Some(d) if d.contains(r) => tr.t("rights.source.direct"),
                    Some(_) => tr.t("rights.source.group"),
                },
            };
            right_row(tr, *r, source)
        })
        .collect()
}
