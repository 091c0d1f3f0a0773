//! Form handling for pages: reading url-encoded bodies, and what a form needs to be shown
//! again after bad input (the values typed, an error per field, the summary at the top).

use super::render_error;
use crate::auth::request_lang;
use crate::error::{AppError, FieldError};
use crate::i18n::Tr;
use crate::AppState;
use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

/// An url-encoded form as a map (the last value of a repeated name wins). A malformed or
/// oversized body is an error page.
#[derive(Debug, Clone, Default)]
pub struct PageForm(pub HashMap<String, String>);

impl FromRequest<AppState> for PageForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let PageFormList(pairs) = PageFormList::from_request(req, state).await?;
        Ok(PageForm(pairs.into_iter().collect()))
    }
}

/// An url-encoded form as its list of pairs, in order (for repeated names such as the desk's
/// checkboxes).
#[derive(Debug, Clone, Default)]
pub struct PageFormList(pub Vec<(String, String)>);

impl FromRequest<AppState> for PageFormList {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(req.uri().query(), req.headers());
        match Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(Form(pairs)) => Ok(PageFormList(pairs)),
            Err(rej) => {
                // A body that is not a form cannot carry the CSRF token our forms send: it
                // is refused as a cross-site request would be.
                let e = if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge(state.config.max_body_bytes as u64)
                } else {
                    AppError::Forbidden("err-csrf")
                };
                Err(render_error(&e, Tr::new(lang)))
            }
        }
    }
}

/// One error in the summary: the element it links to (when on the page) and the message.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub target: Option<String>,
    pub message: String,
}

/// The state of a form being shown: the values typed and the errors per field.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    /// Errors in the summary, in order.
    pub summary: Vec<SummaryItem>,
}

impl FormState {
    /// A form showing `values`.
    pub fn with_values(values: HashMap<String, String>) -> FormState {
        FormState { values, ..FormState::default() }
    }

    /// Sets a value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    /// Removes a value (passwords are never shown again).
    pub fn forget(&mut self, name: &str) {
        self.values.remove(name);
    }

    /// Adds the field errors of `e`; `id_of` maps a service field name to the id of the
    /// element on the page (`None` when the page has no such element). Other errors go to
    /// the summary only.
    pub fn add_error(&mut self, tr: &Tr, e: &AppError, id_of: impl Fn(&str) -> Option<String>) {
        match e {
            AppError::Invalid(fields) => {
                for f in fields {
                    self.add_field_error(tr, f, &id_of);
                }
            }
            other => self.summary.push(SummaryItem { target: None, message: other.detail(tr) }),
        }
    }

    fn add_field_error(&mut self, tr: &Tr, f: &FieldError, id_of: &impl Fn(&str) -> Option<String>) {
        let message = AppError::field_message(tr, f);
        let target = id_of(&f.field);
        if let Some(id) = &target {
            if !self.errors.iter().any(|(i, _)| i == id) {
                self.errors.push((id.clone(), message.clone()));
            }
        }
        self.summary.push(SummaryItem { target, message });
    }

    /// Adds a message for an element directly.
    pub fn add(&mut self, id: &str, message: String) {
        self.errors.push((id.to_string(), message.clone()));
        self.summary.push(SummaryItem { target: Some(id.to_string()), message });
    }

    /// The value typed in `name` (empty when none).
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// True when `name` holds `value` (for radios and selects).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }

    /// The error of the element `id`.
    pub fn err(&self, id: &str) -> Option<&str> {
        self.errors.iter().find(|(i, _)| i == id).map(|(_, m)| m.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.summary.is_empty()
    }
}

/// A new dossier for procedure `code` through `channel` (empty: online) from a page's fields
/// as `get` gives them (`agency_code`, `full_name`, `id_number`, `phone`, `address`,
/// `delivery`; a missing one empty, for the service to name).
pub fn dossier_input(code: &str, channel: &str, get: impl Fn(&str) -> String) -> crate::service::DossierInput {
    crate::service::DossierInput {
        procedure_code: code.to_string(),
        agency_code: get("agency_code"),
        applicant: crate::service::ApplicantInput {
            full_name: get("full_name"),
            id_number: get("id_number"),
            phone: get("phone"),
            address: get("address"),
        },
        delivery: get("delivery"),
        form: None,
        channel: channel.to_string(),
    }
}
