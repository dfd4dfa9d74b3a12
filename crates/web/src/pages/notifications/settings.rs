//! `/benachrichtigungen/einstellungen`: per kind how it reaches me, quiet hours and the hour
//! of the daily digest. Security kinds are listed with why they cannot be switched off.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::notify::quiet::{Quiet, hhmm, parse_hhmm};
use schulhof_domain::notify::{Kind, Mode};
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub const PATH: &str = "/benachrichtigungen/einstellungen";

struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

struct KindRow {
    code: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    c: Chrome,
    kinds: Vec<KindRow>,
    security: Vec<String>,
    quiet_from: String,
    quiet_to: String,
    hours: Vec<(u32, String, bool)>,
}

/// `GET /benachrichtigungen/einstellungen`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    let p = match state.platform.notification_preferences(&r.actor).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let kinds = p
        .modes
        .iter()
        .filter(|(k, _)| !k.is_security())
        .map(|(k, m)| KindRow {
            code: k.as_str(),
            label: tr.t(&format!("notify.kind.{}", k.as_str())),
            choices: Mode::ALL
                .iter()
                .map(|mode| Choice {
                    value: mode.as_str(),
                    label: tr.t(&format!("notify.mode.{}", mode.as_str())),
                    checked: mode == m,
                })
                .collect(),
        })
        .collect();
    let security = Kind::ALL
        .iter()
        .filter(|k| k.is_security())
        .map(|k| tr.t(&format!("notify.kind.{}", k.as_str())).to_owned())
        .collect();
    let view = SettingsPage {
        c: Chrome::new(&r.page, tr.t("notify.settings.title")).signed_in(&r.page, &r.actor),
        kinds,
        security,
        quiet_from: p.quiet.map(|q| hhmm(q.from)).unwrap_or_default(),
        quiet_to: p.quiet.map(|q| hhmm(q.to)).unwrap_or_default(),
        hours: (0..24)
            .map(|h| (h, format!("{h:02}:00"), h == p.digest_hour))
            .collect(),
    };
    render::ok(&view)
}

/// The modes per kind, the quiet hours and the digest hour of a settings form.
type Choices = (Vec<(Kind, Mode)>, Option<Quiet>, u32);

/// Reads the form: `mode.<kind>`, `quiet_from`, `quiet_to` (HH:MM, both empty: none) and
/// `digest_hour`.
fn read(form: &[(String, String)]) -> Result<Choices, DomainError> {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let mut modes = Vec::new();
    for (k, v) in form {
        if let Some(("mode", code)) = k.split_once('.') {
            let kind =
                Kind::parse(code).ok_or_else(|| DomainError::invalid("mode", "unknown kind"))?;
            let mode =
                Mode::parse(v).ok_or_else(|| DomainError::invalid("mode", "unknown mode"))?;
            modes.push((kind, mode));
        }
    }
    let quiet = match (
        get("quiet_from").unwrap_or(""),
        get("quiet_to").unwrap_or(""),
    ) {
        ("", "") => None,
        (f, t) => {
            let bad =
                || DomainError::invalid("quiet", "Ruhezeiten brauchen Beginn und Ende (HH:MM).");
            Some(Quiet {
                from: parse_hhmm(f).ok_or_else(bad)?,
                to: parse_hhmm(t).ok_or_else(bad)?,
            })
        }
    };
    let hour = get("digest_hour")
        .unwrap_or("7")
        .parse()
        .map_err(|_| DomainError::invalid("digest_hour", "Eine Stunde von 0 bis 23."))?;
    Ok((modes, quiet, hour))
}

/// `POST /benachrichtigungen/einstellungen`.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (modes, quiet, hour) = match read(&form) {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    match state
        .platform
        .set_notification_preferences(&r.actor, &modes, quiet, hour)
        .await
    {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=notify_settings")).into_response(),
        Err(e) => r.fail(e),
    }
}
