//! `POST /mail/ordner/{id}/auswahl`: the folder page's checkboxes (`id`, repeated) with the
//! button that names the action (`aktion`: gelesen, ungelesen, markiert, unmarkiert,
//! verschieben with `ziel`, loeschen). One plain form, no script needed; the domain changes
//! all chosen messages in a few statements, or none (an id not of this folder is 404).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::mail::bulk::{BulkAction, BulkOutcome};
use schulhof_front::AppState;
use schulhof_types::MailMessageId;

use super::{back_to, folder_href, parse_folder, parse_message};
use crate::auth::Ready;

/// What the bulk form sends.
#[derive(Debug, Default)]
struct Selection {
    ids: Vec<String>,
    aktion: String,
    ziel: String,
    /// The page of the folder to go back to.
    seite: String,
}

impl Selection {
    fn from_pairs(pairs: Vec<(String, String)>) -> Selection {
        let mut s = Selection::default();
        for (k, v) in pairs {
            match k.as_str() {
                "id" => s.ids.push(v),
                "aktion" => s.aktion = v,
                "ziel" => s.ziel = v,
                "seite" => s.seite = v,
                _ => {}
            }
        }
        s
    }

    fn action(&self) -> Result<BulkAction, DomainError> {
        Ok(match self.aktion.as_str() {
            "gelesen" => BulkAction::Read,
            "ungelesen" => BulkAction::Unread,
            "markiert" => BulkAction::Flag,
            "unmarkiert" => BulkAction::Unflag,
            "verschieben" => BulkAction::Move(parse_folder(&self.ziel)?),
            "loeschen" => BulkAction::Delete,
            _ => return Err(DomainError::NotFound),
        })
    }

    fn messages(&self) -> Result<Vec<MailMessageId>, DomainError> {
        self.ids.iter().map(|i| parse_message(i)).collect()
    }
}

/// The `ok.` message after an action.
fn ok_key(action: BulkAction, done: BulkOutcome) -> &'static str {
    match action {
        BulkAction::Read | BulkAction::Unread | BulkAction::Flag | BulkAction::Unflag => {
            "mail_bulk_marked"
        }
        BulkAction::Move(_) => "mail_bulk_moved",
        BulkAction::Delete if done.purged => "mail_bulk_purged",
        BulkAction::Delete => "mail_bulk_deleted",
    }
}

/// `POST /mail/ordner/{id}/auswahl`.
pub async fn apply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let sel = Selection::from_pairs(pairs);
    let result: Result<Response, DomainError> = async {
        let folder = parse_folder(&id)?;
        let action = sel.action()?;
        let ids = sel.messages()?;
        let mut back = folder_href(folder);
        if let Ok(page) = sel.seite.parse::<u32>()
            && page > 1
        {
            back = format!("{back}?seite={page}");
        }
        if ids.is_empty() {
            return Ok(back_to(&back, "mail_bulk_none"));
        }
        let done = state
            .platform
            .mail_bulk(&r.actor, folder, &ids, action)
            .await?;
        Ok(back_to(&back, ok_key(action, done)))
    }
    .await;
    result.unwrap_or_else(|e| r.fail(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buttons_name_the_actions() {
        let sel = |a: &str, ziel: &str| Selection {
            aktion: a.into(),
            ziel: ziel.into(),
            ..Selection::default()
        };
        assert_eq!(sel("gelesen", "").action().ok(), Some(BulkAction::Read));
        assert_eq!(sel("loeschen", "").action().ok(), Some(BulkAction::Delete));
        assert!(sel("verschieben", "").action().is_err());
        assert!(sel("anders", "").action().is_err());
        let s = Selection::from_pairs(vec![
            ("id".into(), "a".into()),
            ("id".into(), "b".into()),
            ("aktion".into(), "markiert".into()),
        ]);
        assert_eq!(s.ids, ["a", "b"]);
        assert!(s.messages().is_err());
    }
}
