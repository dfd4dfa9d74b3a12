//! `/`: the start page with the login form for visitors; for the signed-in a dashboard of
//! cards above the tiles of their areas.
//!
//! A module shows something on the dashboard by adding one card source to [`SOURCES`]: an
//! async function that gets the request's [`Ctx`] and answers a [`Card`], or `None` when it
//! has nothing real to show (no empty placeholders). Sources ask their domain services, which
//! decide rights; each costs a statement or two, however much data there is.

mod files;
mod notes;
mod school;

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;

use crate::auth::{gate_path, optional_session};
use crate::i18n::Tr;
use crate::layout::{Area, Chrome, Page, areas, display_name};
use crate::pages::login;
use crate::render;
use crate::when::Zone;

/// What a card source may use: the platform, who asks, in which language and time zone.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub actor: &'a Actor,
    pub tr: Tr,
    pub zone: Zone,
    pub now: DateTime<Utc>,
}

/// One card of the dashboard.
pub struct Card {
    /// Unique on the page: names the heading's id and a CSS hook (`home-card-<id>`).
    pub id: &'static str,
    pub title: String,
    /// A sprite symbol (`i-folder`) shown before the title.
    pub icon: &'static str,
    /// Something that needs attention is shown as a warning.
    pub urgent: bool,
    pub lead: Option<String>,
    pub items: Vec<CardItem>,
    /// A link below the list (to the whole list, or to act).
    pub more: Option<(String, String)>,
}

/// One line of a card.
pub struct CardItem {
    pub label: String,
    pub href: Option<String>,
    pub icon: Option<&'static str>,
    /// A detail in small print (who shared it, where it lies).
    pub meta: Option<String>,
    /// (machine-readable, shown) for a `<time>` element.
    pub time: Option<(String, String)>,
}

impl CardItem {
    pub fn text(label: impl Into<String>) -> CardItem {
        CardItem {
            label: label.into(),
            href: None,
            icon: None,
            meta: None,
            time: None,
        }
    }

    /// The time `at` in the school's zone, as a `<time>`.
    pub fn at(mut self, cx: &Ctx<'_>, at: DateTime<Utc>) -> CardItem {
        self.time = Some((at.to_rfc3339(), cx.zone.datetime(cx.tr, at)));
        self
    }
}

/// A card source's answer, boxed so sources of every module fit in one list.
pub type CardFuture<'a> = Pin<Box<dyn Future<Output = Option<Card>> + Send + 'a>>;

/// A card source: see the module's documentation.
pub type Source = for<'a> fn(&'a Ctx<'a>) -> CardFuture<'a>;

/// Every card source, in the order the cards appear. Later modules (news, today's dates,
/// unread mail, what is due) add their line here.
const SOURCES: &[Source] = &[
    notes::unread,
    notes::requests,
    crate::pages::news::card::unread,
    crate::pages::mail::card::unread,
    crate::pages::lms::course::card::due,
    crate::pages::oidc::card,
    files::recent,
    files::shared,
    school::settings,
];

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    c: Chrome,
    welcome: String,
    cards: Vec<Card>,
    tiles: Vec<Area>,
}

pub async fn index(State(state): State<AppState>, page: Page, headers: HeaderMap) -> Response {
    match optional_session(&state, &headers).await {
        None => login::form_page(&state, &page).await,
        Some(s) => match s.gate {
            Some(gate) => Redirect::to(gate_path(gate)).into_response(),
            None => home(&state, &page.for_actor(&s.actor), &s.actor).await,
        },
    }
}

/// The cards of every source that has something to show, in the order of [`SOURCES`].
async fn cards(cx: &Ctx<'_>) -> Vec<Card> {
    let mut out = Vec::new();
    for source in SOURCES {
        if let Some(card) = source(cx).await {
            out.push(card);
        }
    }
    out
}

async fn home(state: &AppState, page: &Page, actor: &Actor) -> Response {
    let tr = page.tr();
    let cx = Ctx {
        state,
        actor,
        tr,
        zone: Zone::of(actor),
        now: state.platform.now(),
    };
    let view = HomePage {
        c: Chrome::new(page, tr.t("home.title")).signed_in(page, actor),
        welcome: tr
            .t("home.welcome")
            .replace("{name}", &display_name(tr, actor)),
        cards: cards(&cx).await,
        tiles: areas(tr, actor, ""),
    };
    render::ok(&view)
}
