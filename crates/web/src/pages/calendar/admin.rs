//! `/verwaltung/ressourcen`: the admin's rooms and equipment (name, capacity, who may book,
//! whether bookings need confirming) and the booking requests waiting for a decision.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::{BookingId, NewResource};
use schulhof_front::AppState;
use schulhof_types::{AccountType, GroupId};

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

pub struct ResourceRow {
    pub name: String,
    pub capacity: u32,
    pub who: String,
    pub approval: &'static str,
}

pub struct PendingRow {
    pub id: String,
    pub title: String,
    pub resource: String,
    pub when: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "calendar/admin_resources.html")]
struct AdminPage {
    c: Chrome,
    rows: Vec<ResourceRow>,
    pending: Vec<PendingRow>,
    form: FormView,
    form_action: &'static str,
    form_button: &'static str,
    types: Vec<(String, &'static str, bool)>,
    groups: Vec<(String, String, bool)>,
}

/// What the form sent, kept for showing it again after a refusal.
#[derive(Debug, Default)]
struct Sent {
    name: String,
    description: String,
    capacity: String,
    needs_approval: bool,
    types: Vec<String>,
    groups: Vec<String>,
}

impl Sent {
    fn parse(body: &str) -> Sent {
        let one = |k: &str| {
            url::all_values(Some(body), k)
                .into_iter()
                .next()
                .unwrap_or_default()
        };
        Sent {
            name: one("name"),
            description: one("beschreibung"),
            capacity: one("kapazitaet"),
            needs_approval: one("bestaetigung") == "ja",
            types: url::all_values(Some(body), "kontoart"),
            groups: url::all_values(Some(body), "gruppe"),
        }
    }
}

fn fields(tr: Tr, s: &Sent) -> Vec<Field> {
    vec![
        Field::new(tr, "res-name", "name", "cal.admin.name")
            .value(&s.name)
            .required(),
        Field::new(tr, "res-desc", "beschreibung", "cal.admin.description")
            .kind("textarea")
            .value(&s.description)
            .answers(&["description"]),
        Field::new(tr, "res-cap", "kapazitaet", "cal.admin.capacity")
            .kind("number")
            .value(&s.capacity)
            .attr("min", "0")
            .answers(&["capacity"]),
        Field::new(
            tr,
            "res-approval",
            "bestaetigung",
            "cal.admin.needs_approval",
        )
        .kind("checkbox")
        .checked(s.needs_approval),
    ]
}

async fn page(state: &AppState, r: &Ready, sent: &Sent, failure: Option<&Failure>) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let p = &state.platform;
    let (resources, pending) = match (
        p.resources(&r.actor).await,
        p.bookings_pending(&r.actor).await,
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return r.fail(e.into()),
    };
    let groups = match p.list_groups(&r.actor, "").await {
        Ok(g) => g,
        Err(e) => return r.fail(e),
    };
    let group_name = |g: &GroupId| {
        groups
            .iter()
            .find(|x| x.id == *g)
            .map_or_else(String::new, |x| x.name.clone())
    };
    let rows = resources
        .iter()
        .map(|res| {
            let mut who: Vec<String> = res
                .account_types
                .iter()
                .map(|t| tr.account_type(t.as_str()).to_owned())
                .collect();
            who.extend(res.groups.iter().map(group_name));
            ResourceRow {
                name: res.name.clone(),
                capacity: res.capacity,
                who: who.join(", "),
                approval: tr.t(if res.needs_approval {
                    "cal.admin.yes"
                } else {
                    "cal.admin.no"
                }),
            }
        })
        .collect();
    let pending = pending
        .into_iter()
        .map(|b| PendingRow {
            id: b.id.to_string(),
            title: b.title,
            resource: resources
                .iter()
                .find(|x| x.id == b.resource)
                .map_or_else(String::new, |x| x.name.clone()),
            when: tr
                .t("cal.time_range")
                .replace("{from}", &zone.datetime(tr, b.start))
                .replace("{to}", &zone.datetime(tr, b.end)),
            by: b.booked_by.unwrap_or_default(),
        })
        .collect();
    let view = AdminPage {
        c: Chrome::new(&r.page, tr.t("cal.admin.title")).signed_in(&r.page, &r.actor),
        rows,
        pending,
        form: FormView::new("resource", fields(tr, sent), failure),
        form_action: "/verwaltung/ressourcen",
        form_button: tr.t("cal.admin.create"),
        types: AccountType::ALL
            .iter()
            .map(|t| {
                let v = t.as_str().to_owned();
                let on = sent.types.contains(&v);
                (v, tr.account_type(t.as_str()), on)
            })
            .collect(),
        groups: groups
            .iter()
            .map(|g| {
                let v = g.id.to_string();
                let on = sent.groups.contains(&v);
                (v, g.name.clone(), on)
            })
            .collect(),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /verwaltung/ressourcen`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    page(&state, &r, &Sent::default(), None).await
}

/// `POST /verwaltung/ressourcen`: a new room or piece of equipment.
pub async fn create(State(state): State<AppState>, r: Ready, body: String) -> Response {
    let tr = r.page.tr();
    let sent = Sent::parse(&body);
    let capacity = match sent.capacity.trim() {
        "" => Some(0),
        s => s.parse::<u32>().ok(),
    };
    let Some(capacity) = capacity else {
        let fl = Failure::local("resource", "kapazitaet", tr.t("cal.err.count"));
        return page(&state, &r, &sent, Some(&fl)).await;
    };
    let n = NewResource {
        name: sent.name.trim().to_owned(),
        description: sent.description.trim().to_owned(),
        capacity,
        needs_approval: sent.needs_approval,
        account_types: sent
            .types
            .iter()
            .filter_map(|t| AccountType::parse(t))
            .collect(),
        groups: sent
            .groups
            .iter()
            .filter_map(|g| uuid::Uuid::parse_str(g).ok().map(GroupId))
            .collect(),
    };
    match state.platform.resource_create(&r.actor, &n).await {
        Ok(_) => Redirect::to("/verwaltung/ressourcen?ok=resource_saved").into_response(),
        Err(e) => {
            let d: DomainError = e.into();
            if matches!(
                d,
                DomainError::Forbidden | DomainError::NotFound | DomainError::Denied(_)
            ) {
                return r.fail(d);
            }
            let fl = Failure::from_domain("resource", tr, &d);
            page(&state, &r, &sent, Some(&fl)).await
        }
    }
}

/// `POST /verwaltung/buchungen/{id}`: `entscheidung=bestaetigen` or `ablehnen`.
pub async fn decide(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id).map(BookingId) else {
        return r.fail(DomainError::NotFound);
    };
    let approve = url::query_param(Some(&body), "entscheidung").as_deref() == Some("bestaetigen");
    match state.platform.booking_decide(&r.actor, id, approve).await {
        Ok(()) => {
            let ok = if approve {
                "booking_approved"
            } else {
                "booking_declined"
            };
            Redirect::to(&format!("/verwaltung/ressourcen?ok={ok}")).into_response()
        }
        Err(e) => r.fail(e.into()),
    }
}
