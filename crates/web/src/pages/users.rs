//! `/verwaltung/benutzer`: the user list with search, type filter and paging, and creating
//! users. The admin edits; the principal reads only.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::admin::{NewUser, SortBy, UserSummary};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::{AccountType, FunctionRole, RightId};
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::errors;
use crate::render;
use crate::url;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    typ: String,
    #[serde(default)]
    seite: String,
    /// `name`, `klasse`, `typ` or `login`.
    #[serde(default)]
    sort: String,
    /// `ab` for descending; ascending otherwise.
    #[serde(default)]
    richtung: String,
}

impl ListQuery {
    fn sort(&self) -> (SortBy, bool) {
        let by = match self.sort.as_str() {
            "klasse" => SortBy::Class,
            "typ" => SortBy::Kind,
            "login" => SortBy::Login,
            _ => SortBy::Name,
        };
        (by, self.richtung == "ab")
    }
}

/// The sortable columns: (query value, order, label key).
const COLUMNS: &[(&str, SortBy, &str)] = &[
    ("name", SortBy::Name, "field.name"),
    ("klasse", SortBy::Class, "admin.users.class"),
    ("login", SortBy::Login, "field.login"),
    ("typ", SortBy::Kind, "field.account_type"),
];

/// A column head: its label, the link that sorts by it (or flips the order), and its
/// `aria-sort` when the list is sorted by it.
pub struct Head {
    pub label: &'static str,
    pub href: String,
    pub aria_sort: Option<&'static str>,
}

fn heads(tr: Tr, q: &ListQuery) -> Vec<Head> {
    let (by, desc) = q.sort();
    COLUMNS
        .iter()
        .map(|(key, col, label)| {
            let current = *col == by;
            let dir = if current && !desc { "ab" } else { "auf" };
            Head {
                label: tr.t(label),
                href: format!(
                    "/verwaltung/benutzer?q={}&typ={}&sort={key}&richtung={dir}",
                    url::encode(&q.q),
                    url::encode(&q.typ)
                ),
                aria_sort: current.then_some(if desc { "descending" } else { "ascending" }),
            }
        })
        .collect()
}

/// One line of the table.
pub struct Row {
    pub name: String,
    pub login: String,
    pub href: String,
    pub kind: String,
    pub class: String,
    pub mail: String,
    pub status: &'static str,
    pub active: bool,
}

pub fn row(tr: Tr, u: &UserSummary) -> Row {
    Row {
        name: format!("{} {}", u.first_name, u.last_name),
        href: format!("/verwaltung/benutzer/{}", url::encode(&u.login)),
        login: u.login.clone(),
        kind: tr.kind_label(&u.account_type, u.function_role.as_deref()),
        class: u.class.clone().unwrap_or_default(),
        mail: u.mail.clone(),
        status: if u.active {
            tr.t("status.active")
        } else {
            tr.t("status.inactive")
        },
        active: u.active,
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    c: Chrome,
    search: Vec<Field>,
    heads: Vec<Head>,
    sort: String,
    richtung: String,
    rows: Vec<Row>,
    editable: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    page_no: i64,
}

/// The filter choices: every account type and the function accounts.
fn kind_options(tr: Tr) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), tr.t("users.all_types").to_owned())];
    v.extend(AccountType::ALL.iter().map(|t| {
        (
            t.as_str().to_owned(),
            tr.account_type(t.as_str()).to_owned(),
        )
    }));
    v.push((
        "function".into(),
        tr.t("account.function_plural").to_owned(),
    ));
    v
}

fn page_href(q: &ListQuery, page_no: i64) -> String {
    format!(
        "/verwaltung/benutzer?q={}&typ={}&sort={}&richtung={}&seite={page_no}",
        url::encode(&q.q),
        url::encode(&q.typ),
        url::encode(&q.sort),
        url::encode(&q.richtung)
    )
}

pub async fn list(State(state): State<AppState>, r: Ready, Query(q): Query<ListQuery>) -> Response {
    let tr = r.page.tr();
    let page_no = q.seite.trim().parse::<i64>().unwrap_or(1).max(1);
    let offset = (page_no - 1) * PAGE_SIZE;
    let kind = Some(q.typ.as_str()).filter(|k| !k.is_empty());
    let list = match state
        .platform
        .list_users_sorted(&r.actor, q.q.trim(), kind, q.sort(), PAGE_SIZE, offset)
        .await
    {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let search = vec![
        Field::new(tr, "q", "q", "users.search")
            .kind("search")
            .value(q.q.clone()),
        Field::new(tr, "typ", "typ", "field.account_type")
            .value(q.typ.clone())
            .options(kind_options(tr)),
    ];
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("users.title")).signed_in(&r.page, &r.actor),
        search,
        heads: heads(tr, &q),
        sort: q.sort.clone(),
        richtung: q.richtung.clone(),
        rows: list.users.iter().map(|u| row(tr, u)).collect(),
        editable: list.editable,
        prev_href: (page_no > 1).then(|| page_href(&q, page_no - 1)),
        next_href: list.more.then(|| page_href(&q, page_no + 1)),
        page_no,
    };
    render::ok(&view)
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewPage {
    c: Chrome,
    form: FormView,
}

#[derive(Template)]
#[template(path = "user_created.html")]
struct CreatedPage {
    c: Chrome,
    login: String,
    mail: String,
    password: Option<String>,
    card_href: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    art: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    external_mail: String,
    #[serde(default)]
    groups: String,
}

/// Persons by account type, then the function accounts as `funktion:<role>`.
fn art_options(tr: Tr) -> Vec<(String, String)> {
    let persons = AccountType::ALL.iter().map(|t| {
        (
            t.as_str().to_owned(),
            tr.account_type(t.as_str()).to_owned(),
        )
    });
    let functions = FunctionRole::ALL.iter().map(|r| {
        let label = format!(
            "{}: {}",
            tr.t("account.function"),
            tr.function_role(r.as_str())
        );
        (format!("funktion:{}", r.as_str()), label)
    });
    persons.chain(functions).collect()
}

fn new_fields(tr: Tr, f: &NewForm, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "art", "art", "users.kind")
            .value(f.art.clone())
            .options(art_options(tr))
            .required()
            .answers(&["account_type", "function_role"]),
        Field::new(tr, "first_name", "first_name", "field.first_name")
            .value(f.first_name.clone())
            .required(),
        Field::new(tr, "last_name", "last_name", "field.last_name")
            .value(f.last_name.clone())
            .required(),
        Field::new(tr, "login", "login", "field.login")
            .value(f.login.clone())
            .hint(tr, "users.login_hint"),
        Field::new(tr, "holder", "holder", "field.holder")
            .value(f.holder.clone())
            .hint(tr, "users.holder_hint"),
        Field::new(tr, "external_mail", "external_mail", "field.external_mail")
            .kind("email")
            .value(f.external_mail.clone()),
        Field::new(tr, "groups", "groups", "field.groups")
            .value(f.groups.clone())
            .hint(tr, "users.groups_hint"),
    ];
    FormView::new("new", fields, failure)
}

fn render_new(r: &Ready, f: &NewForm, failure: Option<&Failure>) -> Response {
    let tr = r.page.tr();
    let view = NewPage {
        c: Chrome::new(&r.page, tr.t("users.new_title")).signed_in(&r.page, &r.actor),
        form: new_fields(tr, f, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// Only the admin gets the form; the domain refuses everyone else on submit anyway.
fn may_create(r: &Ready) -> Option<Response> {
    (!r.actor.token.has(RightId::AdminUsers)).then(|| {
        let msg = r.page.tr().t("error.forbidden_text").to_owned();
        errors::error_page(&r.page, Some(&r.actor), StatusCode::FORBIDDEN, msg)
    })
}

pub async fn new_form(r: Ready) -> Response {
    may_create(&r).unwrap_or_else(|| render_new(&r, &NewForm::default(), None))
}

fn to_new_user(f: &NewForm) -> NewUser {
    let (account_type, function_role) = match f.art.strip_prefix("funktion:") {
        Some(role) => (None, Some(role.to_owned())),
        None => (Some(f.art.clone()), None),
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    NewUser {
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        account_type,
        function_role,
        login: opt(&f.login),
        password: None,
        external_mail: opt(&f.external_mail),
        holder: opt(&f.holder),
        groups: f
            .groups
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect(),
    }
}

pub async fn create(State(state): State<AppState>, r: Ready, Form(f): Form<NewForm>) -> Response {
    match state.platform.create_user(&r.actor, to_new_user(&f)).await {
        Ok(created) => created_page(&r, &r.actor, created),
        Err(e) => {
            let failure = Failure::from_domain("new", r.page.tr(), &e);
            render_new(&r, &f, Some(&failure))
        }
    }
}

/// Shown once: the generated initial password is not stored in readable form anywhere.
fn created_page(
    r: &Ready,
    actor: &Actor,
    created: schulhof_domain::admin::CreatedUser,
) -> Response {
    let tr = r.page.tr();
    let view = CreatedPage {
        c: Chrome::new(&r.page, tr.t("users.created_title")).signed_in(&r.page, actor),
        card_href: format!("/verwaltung/benutzer/{}", url::encode(&created.login)),
        login: created.login,
        mail: created.mail,
        password: created.initial_password,
    };
    render::ok(&view)
}
