//! A calendar's settings: a further personal calendar, name and colour, shares of a personal
//! calendar with persons or groups of the school, deleting an own calendar. The domain
//! decides who may; hidden calendars answer 404.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::{CalAccess, CalendarError, CalendarInfo, CalendarKind, ShareWith};
use schulhof_domain::files::Subject;
use schulhof_front::AppState;
use serde::Deserialize;

use super::{kind_label, parse_calendar, safe_colour};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::render;

#[derive(Template)]
#[template(path = "calendar/new_calendar.html")]
struct NewPage {
    c: Chrome,
    form: FormView,
}

pub struct ShareRow {
    pub who: String,
    pub access: &'static str,
    pub kind: &'static str,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "calendar/settings.html")]
struct SettingsPage {
    c: Chrome,
    id: String,
    heading: String,
    colour: String,
    facts: Vec<(&'static str, String)>,
    manage: bool,
    sharing: bool,
    general: FormView,
    shares: Vec<ShareRow>,
    share: FormView,
    delete_href: Option<String>,
    /// A subscription address made just now (shown this once).
    sub_url: Option<String>,
    subs: Vec<SubRow>,
    writable: bool,
    import: FormView,
}

pub struct SubRow {
    pub id: String,
    pub created: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    farbe: String,
    #[serde(default)]
    beschreibung: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShareForm {
    /// A login or a group's name.
    #[serde(default)]
    wer: String,
    /// `lesen` or `schreiben`.
    #[serde(default)]
    recht: String,
    /// For removing: `user` or `group`, and the id.
    #[serde(default)]
    art: String,
}

fn general_fields(tr: Tr, f: &CalendarForm, with_description: bool) -> Vec<Field> {
    let mut v = vec![
        Field::new(tr, "cal-name", "name", "cal.settings.name")
            .value(&f.name)
            .required()
            .answers(&["calendar"]),
        Field::new(tr, "cal-colour", "farbe", "cal.settings.colour")
            .kind("color")
            .value(safe_colour(&f.farbe))
            .answers(&["colour"]),
    ];
    if with_description {
        v.push(
            Field::new(
                tr,
                "cal-description",
                "beschreibung",
                "cal.settings.description",
            )
            .kind("textarea")
            .value(&f.beschreibung),
        );
    }
    v
}

fn new_page(r: &Ready, f: &CalendarForm, failure: Option<&Failure>) -> Response {
    let tr = r.page.tr();
    let view = NewPage {
        c: Chrome::new(&r.page, tr.t("cal.new_calendar")).signed_in(&r.page, &r.actor),
        form: FormView::new("calendar", general_fields(tr, f, false), failure),
    };
    render::html(
        failure.map_or(axum::http::StatusCode::OK, |x| x.status),
        &view,
    )
}

/// `GET /kalender/neu`.
pub async fn new_form(r: Ready) -> Response {
    let f = CalendarForm {
        farbe: "#2e7d32".into(),
        ..Default::default()
    };
    new_page(&r, &f, None)
}

/// `POST /kalender/neu`.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<CalendarForm>,
) -> Response {
    let tr = r.page.tr();
    match state
        .platform
        .calendar_create(&r.actor, &f.name, Some(&f.farbe))
        .await
    {
        Ok(c) => Redirect::to(&format!("/kalender/{}/einstellungen?ok=cal_created", c.id))
            .into_response(),
        Err(e) => {
            let fl = Failure::from_domain("calendar", tr, &e.into());
            new_page(&r, &f, Some(&fl))
        }
    }
}

fn access_label(tr: Tr, a: CalAccess) -> &'static str {
    tr.t(&format!("cal.access.{}", a.as_str()))
}

async fn settings_page(
    state: &AppState,
    r: &Ready,
    id: &str,
    failure: Option<&Failure>,
) -> Response {
    page_with(state, r, id, failure, None).await
}

/// The settings page, after a refusal with its message, or with a new subscription address.
pub(super) async fn page_with(
    state: &AppState,
    r: &Ready,
    id: &str,
    failure: Option<&Failure>,
    sub_url: Option<String>,
) -> Response {
    let tr = r.page.tr();
    let info = match parse_calendar(id) {
        Ok(cal) => match state.platform.calendar(&r.actor, cal).await {
            Ok(i) => i,
            Err(e) => return r.fail(e.into()),
        },
        Err(e) => return r.fail(e),
    };
    let sharing = info.own;
    let shares = if sharing {
        match state.platform.calendar_shares(&r.actor, info.id).await {
            Ok(v) => v,
            Err(e) => return r.fail(e.into()),
        }
    } else {
        Vec::new()
    };
    let shares = shares
        .into_iter()
        .map(|s| {
            let (kind, subject) = match s.with {
                ShareWith::User(u) => ("user", u.to_string()),
                ShareWith::Group(g) => ("group", g.to_string()),
            };
            ShareRow {
                who: s.name,
                access: access_label(tr, s.access),
                kind,
                subject,
            }
        })
        .collect();
    let zone = crate::when::Zone::of(&r.actor);
    let subs = match state.platform.calendar_subscriptions(&r.actor).await {
        Ok(v) => v
            .into_iter()
            .filter(|s| s.calendar == info.id)
            .map(|s| SubRow {
                id: s.id.to_string(),
                created: zone.datetime(tr, s.created_at),
            })
            .collect(),
        Err(e) => return r.fail(e.into()),
    };
    let mut page = view(r, tr, info, shares, failure);
    page.sub_url = sub_url;
    page.subs = subs;
    render::html(
        failure.map_or(axum::http::StatusCode::OK, |x| x.status),
        &page,
    )
}

fn view(
    r: &Ready,
    tr: Tr,
    info: CalendarInfo,
    shares: Vec<ShareRow>,
    failure: Option<&Failure>,
) -> SettingsPage {
    let manage =
        info.own || (info.kind != CalendarKind::Personal && info.access >= CalAccess::Write);
    let f = CalendarForm {
        name: info.name.clone(),
        farbe: info.colour.clone(),
        beschreibung: info.description.clone(),
    };
    let share_fields = vec![
        Field::new(tr, "cal-share-who", "wer", "cal.share.person")
            .required()
            .answers(&["subject", "share"]),
        Field::new(tr, "cal-share-access", "recht", "cal.share.access")
            .value("lesen")
            .options([
                ("lesen".to_owned(), tr.t("cal.access.read").to_owned()),
                ("schreiben".to_owned(), tr.t("cal.access.write").to_owned()),
            ])
            .answers(&["access"]),
    ];
    let heading = tr.t("cal.settings.title").replace("{name}", &info.name);
    SettingsPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        id: info.id.to_string(),
        heading,
        colour: safe_colour(&info.colour).to_owned(),
        facts: vec![
            (
                tr.t("cal.settings.kind"),
                kind_label(tr, info.kind).to_owned(),
            ),
            (
                tr.t("cal.settings.access"),
                access_label(tr, info.access).to_owned(),
            ),
        ],
        manage,
        sharing: info.own,
        general: FormView::new("calendar", general_fields(tr, &f, true), failure),
        shares,
        share: FormView::new("share", share_fields, failure),
        delete_href: (info.own && info.slug != "personal")
            .then(|| format!("/kalender/{}/loeschen", info.id)),
        sub_url: None,
        subs: Vec::new(),
        writable: info.access >= CalAccess::Write || info.may_book,
        import: FormView::new(
            "import",
            vec![
                Field::new(tr, "cal-import-file", "datei", "cal.import.file")
                    .kind("file")
                    .attr("accept", ".ics,text/calendar")
                    .required()
                    .answers(&["ics"]),
            ],
            failure,
        ),
    }
}

/// `GET /kalender/{cal}/einstellungen`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    settings_page(&state, &r, &id, None).await
}

/// `POST /kalender/{cal}/einstellungen`: name, colour, description.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<CalendarForm>,
) -> Response {
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let done = state
        .platform
        .calendar_update(&r.actor, cal, &f.name, &f.farbe, &f.beschreibung)
        .await;
    after(&state, &r, &id, "calendar", done.map(|_| ()), "cal_saved").await
}

/// Back to the settings with `ok`, or the page again with the refusal at its form.
async fn after(
    state: &AppState,
    r: &Ready,
    id: &str,
    form: &'static str,
    done: Result<(), CalendarError>,
    ok: &str,
) -> Response {
    match done {
        Ok(()) => Redirect::to(&format!("/kalender/{id}/einstellungen?ok={ok}")).into_response(),
        Err(CalendarError::NotFound) => r.fail(DomainError::NotFound),
        Err(e) => {
            let fl = Failure::from_domain(form, r.page.tr(), &e.into());
            settings_page(state, r, id, Some(&fl)).await
        }
    }
}

/// `POST /kalender/{cal}/freigaben`: shares with a login or a group (by name).
pub async fn share(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    let tr = r.page.tr();
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    if f.wer.trim().is_empty() {
        let fl = Failure::local("share", "wer", tr.t("cal.share.who_missing"));
        return settings_page(&state, &r, &id, Some(&fl)).await;
    }
    let access = if f.recht == "schreiben" {
        CalAccess::Write
    } else {
        CalAccess::Read
    };
    let done = match state.platform.file_subject_by_name(&r.actor, &f.wer).await {
        Ok(Subject::User(u)) => {
            state
                .platform
                .calendar_share(&r.actor, cal, ShareWith::User(u), access)
                .await
        }
        Ok(Subject::Group(g)) => {
            state
                .platform
                .calendar_share(&r.actor, cal, ShareWith::Group(g), access)
                .await
        }
        Ok(Subject::Kind(_)) | Err(DomainError::NotFound) => {
            let fl = Failure::local("share", "wer", tr.t("cal.share.who_missing"));
            return settings_page(&state, &r, &id, Some(&fl)).await;
        }
        Err(e) => Err(CalendarError::Domain(e)),
    };
    // An unknown subject is the form's mistake, not a missing page.
    let done = done.map_err(|e| match e {
        CalendarError::Domain(DomainError::NotFound) => CalendarError::Domain(
            DomainError::invalid("subject", tr.t("cal.share.who_missing")),
        ),
        other => other,
    });
    after(&state, &r, &id, "share", done, "cal_shared").await
}

/// `POST /kalender/{cal}/freigaben/entfernen`.
pub async fn unshare(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let Ok(subject) = uuid::Uuid::parse_str(f.wer.trim()) else {
        return r.fail(DomainError::NotFound);
    };
    let with = if f.art == "group" {
        ShareWith::Group(schulhof_types::GroupId(subject))
    } else {
        ShareWith::User(schulhof_types::UserId(subject))
    };
    let done = state.platform.calendar_unshare(&r.actor, cal, with).await;
    after(&state, &r, &id, "share", done, "cal_unshared").await
}

/// `GET /kalender/{cal}/loeschen`: "really delete?".
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let info = match parse_calendar(&id) {
        Ok(cal) => match state.platform.calendar(&r.actor, cal).await {
            Ok(i) => i,
            Err(e) => return r.fail(e.into()),
        },
        Err(e) => return r.fail(e),
    };
    let heading = tr.t("cal.settings.delete").to_owned();
    render::ok(&ConfirmPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        text: tr
            .t("cal.settings.delete_text")
            .replace("{name}", &info.name),
        action: format!("/kalender/{id}/loeschen"),
        button: tr.t("cal.settings.delete"),
        cancel_href: format!("/kalender/{id}/einstellungen"),
    })
}

/// `POST /kalender/{cal}/loeschen`.
pub async fn delete(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    match state.platform.calendar_delete(&r.actor, cal).await {
        Ok(()) => Redirect::to("/kalender?ok=cal_deleted").into_response(),
        Err(e) => r.fail(e.into()),
    }
}
