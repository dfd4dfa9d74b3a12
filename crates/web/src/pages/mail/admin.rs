//! The admin's mail settings: `/verwaltung/benutzer/{login}/adressen` (aliases of a login;
//! the standard address stays) and `/verwaltung/mail` (further domains of the school, and
//! how group lists are addressed). The domain decides who may do what.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::mail::address::list_address;
use schulhof_domain::mail::auth::DomainRecords;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "mail/admin_addresses.html")]
struct AddressesPage {
    c: Chrome,
    login: String,
    standard: String,
    aliases: Vec<String>,
    form: FormView,
}

#[derive(Template)]
#[template(path = "mail/admin_domains.html")]
struct DomainsPage {
    c: Chrome,
    standard: String,
    domains: Vec<String>,
    form: FormView,
    lists_lead: String,
    quotas: FormView,
    /// The DNS records each mail domain publishes (MX, SPF, DKIM, DMARC).
    dns: Vec<DomainRecords>,
    /// Spam filter and virus scanner: (name, state, on).
    filters: Vec<(&'static str, &'static str, bool)>,
    /// Outgoing limits per account type.
    limits: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct AliasForm {
    #[serde(default)]
    lokal: String,
    #[serde(default)]
    domain: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AddressForm {
    #[serde(default)]
    adresse: String,
}

/// Mailbox sizes in MB per account type; empty: the installation's default.
#[derive(Debug, Default, Deserialize)]
pub struct QuotaForm {
    #[serde(default)]
    lehrer: String,
    #[serde(default)]
    personal: String,
    #[serde(default)]
    extern_: String,
    #[serde(default)]
    schueler: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

async fn addresses_page(
    state: &AppState,
    r: &Ready,
    login: &str,
    typed: &AliasForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let a = match state.platform.mail_addresses_of(&r.actor, login).await {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let chosen = if typed.domain.is_empty() {
        a.domains[0].clone()
    } else {
        typed.domain.clone()
    };
    let fields = vec![
        Field::new(tr, "alias-local", "lokal", "mailadm.local")
            .value(typed.lokal.clone())
            .hint(tr, "mailadm.local_hint")
            .required()
            .answers(&["lokal", "address"]),
        Field::new(tr, "alias-domain", "domain", "mailadm.domain")
            .value(chosen)
            .options(a.domains.iter().map(|d| (d.clone(), format!("@{d}")))),
    ];
    let title = tr.t("mailadm.addresses_title").replace("{name}", login);
    let view = AddressesPage {
        c: Chrome::new(&r.page, title).signed_in(&r.page, &r.actor),
        login: login.to_owned(),
        standard: a.standard,
        aliases: a.aliases,
        form: FormView::new("alias", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /verwaltung/benutzer/{login}/adressen`.
pub async fn addresses(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
) -> Response {
    addresses_page(&state, &r, &login, &AliasForm::default(), None).await
}

/// `POST /verwaltung/benutzer/{login}/adressen`: adds an alias.
pub async fn add_alias(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<AliasForm>,
) -> Response {
    let address = format!("{}@{}", f.lokal.trim(), f.domain.trim());
    match state
        .platform
        .mail_add_alias(&r.actor, &login, &address)
        .await
    {
        Ok(()) => redirect_to_addresses(&login, "alias_added"),
        Err(e) => {
            let failure = Failure::from_domain("alias", r.page.tr(), &e);
            addresses_page(&state, &r, &login, &f, Some(&failure)).await
        }
    }
}

/// `POST /verwaltung/benutzer/{login}/adressen/entfernen`.
pub async fn remove_alias(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<AddressForm>,
) -> Response {
    match state
        .platform
        .mail_remove_alias(&r.actor, &login, &f.adresse)
        .await
    {
        Ok(()) => redirect_to_addresses(&login, "alias_removed"),
        Err(e) => r.fail(e),
    }
}

fn redirect_to_addresses(login: &str, ok: &str) -> Response {
    let login: String = url_path(login);
    Redirect::to(&format!("/verwaltung/benutzer/{login}/adressen?ok={ok}")).into_response()
}

/// A login in a path: logins are lower-case ASCII, anything else is percent-encoded.
fn url_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn domains_page(
    state: &AppState,
    r: &Ready,
    typed: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let domains = match state.platform.mail_domains(&r.actor).await {
        Ok(d) => d,
        Err(e) => return r.fail(e),
    };
    let standard = r
        .actor
        .user
        .mail
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    let quotas = match state.platform.mail_quotas(&r.actor).await {
        Ok(q) => q,
        Err(e) => return r.fail(e),
    };
    let dns = match state.platform.mail_dns_records(&r.actor).await {
        Ok(d) => d,
        Err(e) => return r.fail(e),
    };
    let quota_fields = quotas
        .into_iter()
        .map(|(t, mb, _)| {
            let name: &'static str = if t.as_str() == "extern" {
                "extern_"
            } else {
                t.as_str()
            };
            Field::new(
                tr,
                format!("quota-{}", t.as_str()),
                name,
                &format!("type.{}", t.as_str()),
            )
            .kind("number")
            .value(mb.to_string())
            .attr("min", "1")
            .answers(&[name, "quota"])
        })
        .collect();
    let limits = match super::filter_web::limit_fields(state, &r.actor, tr).await {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let field = Field::new(tr, "mail-domain", "domain", "mailadm.domain_name")
        .value(typed)
        .required()
        .answers(&["domain"]);
    let view = DomainsPage {
        c: Chrome::new(&r.page, tr.t("mailadm.domains_title")).signed_in(&r.page, &r.actor),
        lists_lead: tr
            .t("mailadm.lists_lead")
            .replace("{example}", &list_address("5a", &standard)),
        standard,
        domains,
        form: FormView::new("domain", vec![field], failure),
        quotas: FormView::new("quota", quota_fields, failure),
        dns,
        filters: super::filter_web::filter_state(state, tr),
        limits: FormView::new("limit", limits, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /verwaltung/mail`.
pub async fn domains(State(state): State<AppState>, r: Ready) -> Response {
    domains_page(&state, &r, "", None).await
}

/// `POST /verwaltung/mail/domains`.
pub async fn add_domain(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<DomainForm>,
) -> Response {
    match state.platform.mail_add_domain(&r.actor, &f.domain).await {
        Ok(()) => Redirect::to("/verwaltung/mail?ok=domain_added").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("domain", r.page.tr(), &e);
            domains_page(&state, &r, &f.domain, Some(&failure)).await
        }
    }
}

/// `POST /verwaltung/mail/domains/entfernen`.
pub async fn remove_domain(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<DomainForm>,
) -> Response {
    match state.platform.mail_remove_domain(&r.actor, &f.domain).await {
        Ok(()) => Redirect::to("/verwaltung/mail?ok=domain_removed").into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /verwaltung/mail/kontingente`: the mailbox size per account type, in MB.
pub async fn set_quotas(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<QuotaForm>,
) -> Response {
    let tr = r.page.tr();
    for (kind, typed) in [
        ("lehrer", &f.lehrer),
        ("personal", &f.personal),
        ("extern", &f.extern_),
        ("schueler", &f.schueler),
    ] {
        let typed = typed.trim();
        let mb = if typed.is_empty() {
            None
        } else {
            match typed.parse::<u64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    let failure = Failure::local(
                        "quota",
                        if kind == "extern" { "extern_" } else { kind },
                        "Bitte eine ganze Zahl (MB) eingeben.",
                    );
                    return domains_page(&state, &r, "", Some(&failure)).await;
                }
            }
        };
        if let Err(e) = state.platform.mail_set_quota(&r.actor, kind, mb).await {
            let failure = Failure::from_domain("quota", tr, &e);
            return domains_page(&state, &r, "", Some(&failure)).await;
        }
    }
    Redirect::to("/verwaltung/mail?ok=quota_saved").into_response()
}
