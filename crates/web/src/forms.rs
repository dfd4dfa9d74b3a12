//! Form fields as data, so every input is rendered the same accessible way: a label, an
//! optional hint, and on error `aria-invalid` plus a message tied in with
//! `aria-describedby`.

use axum::http::StatusCode;
use schulhof_domain::DomainError;
use schulhof_front::error_info;

use crate::i18n::Tr;

#[derive(Clone, Debug)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// Unique on the page.
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    pub required_text: &'static str,
    /// `text`, `password`, `email`, `date`, `search`, `select`, `textarea` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub required: bool,
    pub hint: Option<&'static str>,
    pub error: Option<String>,
    pub options: Vec<Opt>,
    /// The domain's names for this input, to place its error messages here.
    pub answers_to: Vec<&'static str>,
    /// More attributes of the input, such as `min`, `max` or `accept`.
    pub extra: Vec<(&'static str, String)>,
}

impl Field {
    /// An input labelled with the text of `label_key`.
    pub fn new(tr: Tr, id: impl Into<String>, name: &'static str, label_key: &str) -> Field {
        Field {
            id: id.into(),
            name,
            label: tr.t(label_key),
            required_text: tr.t("form.required"),
            kind: "text",
            value: String::new(),
            autocomplete: "off",
            required: false,
            hint: None,
            error: None,
            options: Vec::new(),
            answers_to: vec![name],
            extra: Vec::new(),
        }
    }

    pub fn kind(mut self, kind: &'static str) -> Field {
        self.kind = kind;
        self
    }

    pub fn value(mut self, v: impl Into<String>) -> Field {
        self.value = v.into();
        self
    }

    pub fn auto(mut self, autocomplete: &'static str) -> Field {
        self.autocomplete = autocomplete;
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn hint(mut self, tr: Tr, key: &str) -> Field {
        self.hint = Some(tr.t(key));
        self
    }

    /// A select; the option whose value equals the field's value is selected.
    pub fn options(mut self, options: impl IntoIterator<Item = (String, String)>) -> Field {
        self.kind = "select";
        let current = self.value.clone();
        self.options = options
            .into_iter()
            .map(|(value, label)| Opt {
                selected: value == current,
                value,
                label,
            })
            .collect();
        self
    }

    /// One more attribute of the input (`min`, `max`, `accept`, …).
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Field {
        self.extra.push((name, value.into()));
        self
    }

    /// A ticked checkbox (the value a ticked box sends is `ja`).
    pub fn checked(self, on: bool) -> Field {
        self.value(if on { "ja" } else { "" })
    }

    /// Also show domain errors about `names` at this input.
    pub fn answers(mut self, names: &[&'static str]) -> Field {
        self.answers_to.extend_from_slice(names);
        self
    }

    /// The ids of the hint and error, for `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// A group of radio buttons in a fieldset whose legend names the choice.
#[derive(Clone, Debug)]
pub struct Choice {
    pub id: &'static str,
    pub name: &'static str,
    pub legend: &'static str,
    pub hint: Option<&'static str>,
    pub options: Vec<Opt>,
    pub error: Option<String>,
}

impl Choice {
    /// Radio buttons for `options` (value, label); the one equal to `current` is checked.
    pub fn new(
        tr: Tr,
        id: &'static str,
        name: &'static str,
        legend_key: &str,
        current: &str,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Choice {
        Choice {
            id,
            name,
            legend: tr.t(legend_key),
            hint: None,
            options: options
                .into_iter()
                .map(|(value, label)| Opt {
                    selected: value == current,
                    value,
                    label,
                })
                .collect(),
            error: None,
        }
    }

    pub fn hint(mut self, tr: Tr, key: &str) -> Choice {
        self.hint = Some(tr.t(key));
        self
    }

    /// The ids of the hint and error, for the fieldset's `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// A failed form submission: which form, which input (as the domain names it) and the
/// message in the page's language.
#[derive(Clone, Debug)]
pub struct Failure {
    pub form: &'static str,
    pub field: Option<&'static str>,
    pub message: String,
    pub status: StatusCode,
}

impl Failure {
    pub fn from_domain(form: &'static str, tr: Tr, e: &DomainError) -> Failure {
        let info = error_info(e);
        Failure {
            form,
            field: info.field,
            message: tr.error_text(e, &info),
            status: info.status,
        }
    }

    /// A mistake found before asking the domain (say, two different new passwords).
    pub fn local(form: &'static str, field: &'static str, message: &'static str) -> Failure {
        Failure {
            form,
            field: Some(field),
            message: message.to_owned(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// One form's inputs with its error placed: at the input it concerns, or above the form.
#[derive(Clone, Debug)]
pub struct FormView {
    pub fields: Vec<Field>,
    pub error: Option<String>,
}

impl FormView {
    pub fn new(form: &'static str, mut fields: Vec<Field>, failure: Option<&Failure>) -> FormView {
        let Some(f) = failure.filter(|f| f.form == form) else {
            return FormView {
                fields,
                error: None,
            };
        };
        let target = f
            .field
            .and_then(|name| fields.iter_mut().find(|x| x.answers_to.contains(&name)));
        match target {
            Some(input) => {
                input.error = Some(f.message.clone());
                FormView {
                    fields,
                    error: None,
                }
            }
            None => FormView {
                fields,
                error: Some(f.message.clone()),
            },
        }
    }
}

/// A grant or revoke of one right, from the user card or a group page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RightForm {
    #[serde(default)]
    pub right: String,
    /// `ja` grants, anything else revokes.
    #[serde(default)]
    pub on: String,
}
