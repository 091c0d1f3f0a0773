//! The server's one error type, mapped to HTTP in one place.
//!
//! API errors are `application/problem+json` (RFC 9457) with a stable `type`
//! (`https://motcua.dev/problems/{slug}`), a `title` and `detail` in the caller's language,
//! and, for invalid input, `errors: [{field, detail}]`. "Not found" and "not yours" are the
//! same 404, so a dossier's existence is never revealed.

use crate::i18n::{Lang, Tr};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_store::StoreError;
use serde_json::json;

/// One invalid field: the field's API name and a message key (`field-{key}` in the
/// Fluent files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    /// Extra text appended to the message (e.g. the parser's position for bad JSON).
    pub extra: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, key: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), key: key.into(), extra: None }
    }
}

impl From<motcua_core::values::Invalid> for FieldError {
    fn from(e: motcua_core::values::Invalid) -> FieldError {
        FieldError::new(e.field, e.detail)
    }
}

/// Errors of the server layer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Missing, bad or expired credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// A sign-in with a wrong name or password (401, with its own message).
    #[error("bad credentials")]
    BadCredentials,
    /// Absent, or not visible to the caller.
    #[error("not found")]
    NotFound,
    /// A known path with a method it does not take.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A visible resource, and an action the caller's role may not take. The key names why.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The current status does not allow the action, or a concurrent change won.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Invalid input, per field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A body or upload over its limit; the limit in bytes.
    #[error("payload too large")]
    TooLarge(u64),
    /// Too many sign-in attempts; seconds to wait.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// The database does not answer.
    #[error("unavailable")]
    Unavailable,
    /// Anything else; the cause is logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, key: &str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable problem slug.
    pub fn slug(&self) -> &'static str {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => "unauthorized",
            AppError::NotFound => "not-found",
            AppError::Forbidden(_) => "forbidden",
            AppError::MethodNotAllowed => "method-not-allowed",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid-input",
            AppError::TooLarge(_) => "payload-too-large",
            AppError::TooManyRequests(_) => "too-many-requests",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The localised detail sentence.
    pub fn detail(&self, tr: &Tr) -> String {
        match self {
            AppError::Forbidden(k) | AppError::Conflict(k) => tr.t(k),
            AppError::BadCredentials => tr.t("err-bad-credentials"),
            AppError::TooLarge(limit) => {
                tr.t_args("err-payload-too-large", &[("limit", &crate::i18n::group_thousands(*limit as i64))])
            }
            AppError::TooManyRequests(s) => tr.t_args("err-too-many-requests", &[("seconds", &s.to_string())]),
            other => tr.t(&format!("err-{}", other.slug())),
        }
    }

    /// The localised message of one field error.
    pub fn field_message(tr: &Tr, f: &FieldError) -> String {
        let key = format!("field-{}", f.key.replace('_', "-"));
        let mut msg = if tr.has(&key) { tr.t(&key) } else { f.key.clone() };
        if let Some(extra) = &f.extra {
            msg.push_str(": ");
            msg.push_str(extra);
        }
        msg
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> serde_json::Value {
        let tr = Tr::new(lang);
        let mut body = json!({
            "type": format!("https://motcua.dev/problems/{}", self.slug()),
            "title": tr.t(&format!("title-{}", self.slug())),
            "status": self.status().as_u16(),
            "detail": self.detail(&tr),
        });
        if let AppError::Invalid(fields) = self {
            body["errors"] = fields
                .iter()
                .map(|f| json!({"field": f.field, "detail": AppError::field_message(&tr, f), "code": f.key}))
                .collect();
        }
        body
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict("err-lost-race"),
            StoreError::Db(e) if motcua_store::is_unavailable(&e) => AppError::Unavailable,
            StoreError::Db(e) if motcua_store::is_bad_characters(&e) => AppError::invalid("body", "bad_characters"),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Marks a response as an [`AppError`] so the localisation middleware can render it in the
/// request's language.
#[derive(Debug, Clone)]
pub struct ProblemMarker(pub AppError);

/// Renders `e` as problem+json in `lang`, with `Retry-After` where it applies.
pub fn problem_response(e: &AppError, lang: Lang) -> Response {
    if let AppError::Internal(cause) = e {
        tracing::error!(%cause, "internal error");
    }
    let mut res = (e.status(), serde_json::to_string(&e.problem(lang)).unwrap_or_default()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    match e {
        AppError::TooManyRequests(s) => {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*s));
        }
        AppError::Unavailable => {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        AppError::Unauthorized | AppError::BadCredentials => {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        _ => {}
    }
    res.extensions_mut().insert(ProblemMarker(e.clone()));
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Rendered in Vietnamese here; `localise_problems` re-renders it in the caller's
        // language when that differs.
        problem_response(&self, Lang::Vi)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Re-renders problem responses in the request's language (one place for the mapping).
pub async fn localise_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = crate::auth::request_lang(req.uri().query(), req.headers());
    let res = next.run(req).await;
    match res.extensions().get::<ProblemMarker>() {
        Some(ProblemMarker(e)) if lang != Lang::Vi => problem_response(e, lang),
        _ => res,
    }
}
