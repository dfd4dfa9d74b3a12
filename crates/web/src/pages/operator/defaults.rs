//! `/betrieb/vorgaben`: the state-wide defaults new schools take.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::operators::StateDefaults;
use schulhof_domain::operators::defaults::QUOTA_TYPES;
use schulhof_front::AppState;
use serde::Deserialize;

use super::Operator;
use crate::forms::{Failure, Field, FormView};
use crate::render;

#[derive(Template)]
#[template(path = "operator/defaults.html")]
struct DefaultsPage {
    c: crate::layout::Chrome,
    form: FormView,
    texts: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct DefaultsForm {
    #[serde(default)]
    maildomain: String,
    #[serde(default)]
    quota_lehrer: String,
    #[serde(default)]
    quota_personal: String,
    #[serde(default)]
    quota_schueler: String,
    #[serde(default)]
    quota_extern: String,
    #[serde(default)]
    nutzungsbedingungen: String,
    #[serde(default)]
    datenschutz: String,
}

impl DefaultsForm {
    fn of(d: &StateDefaults) -> DefaultsForm {
        let q = |i: usize| {
            d.mail_quota_mb[i]
                .map(|m| m.to_string())
                .unwrap_or_default()
        };
        DefaultsForm {
            maildomain: d.mail_domain.clone().unwrap_or_default(),
            quota_lehrer: q(0),
            quota_personal: q(1),
            quota_schueler: q(2),
            quota_extern: q(3),
            nutzungsbedingungen: d.terms.clone().unwrap_or_default(),
            datenschutz: d.privacy.clone().unwrap_or_default(),
        }
    }

    fn quotas(&self) -> [&str; 4] {
        [
            &self.quota_lehrer,
            &self.quota_personal,
            &self.quota_schueler,
            &self.quota_extern,
        ]
    }
}

const QUOTA_NAMES: [&str; 4] = [
    "quota_lehrer",
    "quota_personal",
    "quota_schueler",
    "quota_extern",
];

fn render_page(
    state: &AppState,
    o: &Operator,
    f: &DefaultsForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let mut fields = vec![
        Field::new(tr, "def-domain", "maildomain", "op.defaults.domain")
            .value(f.maildomain.clone())
            .attr(
                "placeholder",
                state.platform.installation_state_domain().to_owned(),
            )
            .hint(tr, "op.defaults.domain_hint")
            .answers(&["mail_domain"]),
    ];
    for ((kind, name), value) in QUOTA_TYPES.iter().zip(QUOTA_NAMES).zip(f.quotas()) {
        fields.push(
            Field::new(
                tr,
                format!("def-{name}"),
                name,
                &format!("op.defaults.quota.{kind}"),
            )
            .value(value)
            .attr("inputmode", "numeric")
            .hint(tr, "op.defaults.quota_hint")
            .answers(&["mail_quota"]),
        );
    }
    let texts = vec![
        Field::new(tr, "def-terms", "nutzungsbedingungen", "op.defaults.terms")
            .kind("textarea")
            .value(f.nutzungsbedingungen.clone())
            .hint(tr, "op.defaults.texts_hint")
            .answers(&["terms"]),
        Field::new(tr, "def-privacy", "datenschutz", "op.defaults.privacy")
            .kind("textarea")
            .value(f.datenschutz.clone())
            .answers(&["privacy"]),
    ];
    // Errors go to the field they concern, in whichever part of the form it is.
    let view = DefaultsPage {
        c: o.chrome(tr.t("op.defaults.title")),
        form: FormView::new(
            "defaults",
            fields,
            failure.filter(|f| f.field.is_some_and(|n| !["terms", "privacy"].contains(&n))),
        ),
        texts: FormView::new(
            "defaults",
            texts,
            failure.filter(|f| f.field.is_some_and(|n| ["terms", "privacy"].contains(&n))),
        ),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/vorgaben`.
pub async fn show(State(state): State<AppState>, o: Operator) -> Response {
    match state.platform.operator_defaults(&o.actor).await {
        Ok(d) => render_page(&state, &o, &DefaultsForm::of(&d), None),
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/vorgaben`.
pub async fn save(
    State(state): State<AppState>,
    o: Operator,
    Form(f): Form<DefaultsForm>,
) -> Response {
    let parsed = StateDefaults::parse(
        &f.maildomain,
        f.quotas(),
        &f.nutzungsbedingungen,
        &f.datenschutz,
    );
    let result = match parsed {
        Ok(d) => {
            state
                .platform
                .operator_set_defaults(&o.actor, &d, &o.addr)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/betrieb/vorgaben?ok=op_defaults_saved").into_response(),
        Err(e @ schulhof_domain::DomainError::Invalid { .. }) => {
            let failure = Failure::from_domain("defaults", o.page.tr(), &e);
            render_page(&state, &o, &f, Some(&failure))
        }
        Err(e) => o.fail(e),
    }
}
