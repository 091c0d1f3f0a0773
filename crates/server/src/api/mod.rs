//! The JSON API under `/api/v1`, described by `openapi.json`.

mod calendar;
pub(crate) mod catalogue;
pub(crate) mod dossiers;
mod idempotency;

use crate::auth::sign_in;
use crate::error::{AppError, AppResult, FieldError};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

const OPENAPI: &str = include_str!("openapi.json");

/// The API routes.
pub fn router(state: &AppState, upload_limit: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/v1/dossiers/{reference}/documents", post(dossiers::upload).get(dossiers::documents))
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/auth/token", post(token))
        .route("/api/v1/accounts", post(register))
        .route("/api/v1/procedures", get(catalogue::search))
        .route("/api/v1/procedures/{code}", get(catalogue::procedure))
        .route("/api/v1/procedures/{code}/online-level", axum::routing::put(catalogue::set_online_level))
        .route("/api/v1/agencies", get(catalogue::agencies))
        .route("/api/v1/agencies/{code}/working-hours", axum::routing::put(calendar::set_hours))
        .route("/api/v1/calendar/due", get(calendar::due_at))
        .route("/api/v1/calendar/decisions", post(calendar::load_decisions).get(calendar::decision_loads))
        .route("/api/v1/calendar/{year}", get(calendar::year))
        .route("/api/v1/dossiers", post(dossiers::create).get(dossiers::mine))
        .route("/api/v1/dossiers/claim", post(dossiers::claim).get(dossiers::get_claim))
        .route("/api/v1/dossiers/{reference}", get(dossiers::get))
        .route("/api/v1/dossiers/{reference}/submit", post(dossiers::submit))
        .route("/api/v1/dossiers/{reference}/actions", post(dossiers::action))
        .route("/api/v1/dossiers/{reference}/documents/{id}", get(dossiers::download))
        .route("/api/v1/desk/dossiers", get(dossiers::desk_queue))
        .route("/api/v1/desk/bulk", post(dossiers::desk_bulk))
        .merge(uploads)
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency::layer))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        AppError::Unavailable.into_response()
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// A JSON body whose rejections are our 422/413 problems (naming the field where serde can).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(&rej, state.config.max_body_bytes as u64)),
        }
    }
}

/// Query parameters whose rejections (a repeated parameter, a wrong type) are our 422.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::Invalid(vec![FieldError {
                field: "query".into(),
                key: "query_format".into(),
                extra: Some(e.body_text()),
            }])),
        }
    }
}

/// Unknown API paths and methods: problem+json too.
async fn api_not_found() -> AppError {
    AppError::NotFound
}

fn json_rejection(rej: &JsonRejection, limit: u64) -> AppError {
    match rej {
        JsonRejection::MissingJsonContentType(_) => AppError::invalid("body", "json_content_type"),
        JsonRejection::JsonDataError(e) => {
            // serde_path_to_error's message: "applicant.full_name: invalid type: …".
            let text = std::error::Error::source(e).map(ToString::to_string).unwrap_or_else(|| e.body_text());
            AppError::Invalid(vec![json_data_error(&text)])
        }
        JsonRejection::JsonSyntaxError(e) => AppError::Invalid(vec![FieldError {
            field: "body".into(),
            key: "json_syntax".into(),
            extra: std::error::Error::source(e).and_then(|e| json_position(&e.to_string())),
        }]),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(limit),
        // A body cut off or malformed in transit is the client's, not ours.
        JsonRejection::BytesRejection(_) => AppError::invalid("body", "body_read"),
        other => AppError::Internal(other.body_text()),
    }
}

/// A field error for serde's message about a body of the wrong shape, in words of our own (the
/// key is localised; serde's English never reaches the user): the field's path, and what was
/// wrong with it: a missing field (`required`), an unknown field or value, or the kind of
/// value expected (text, number, yes/no, list, object).
fn json_data_error(text: &str) -> FieldError {
    let (path, detail) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_string(), rest),
        _ => (String::new(), text),
    };
    let join = |name: &str| if path.is_empty() || path == "." { name.to_string() } else { format!("{path}.{name}") };
    let quoted = |after: &str| detail.split_once(after).and_then(|(_, r)| r.split('`').nth(1)).map(str::to_string);
    let field = |f: String| if f.is_empty() || f == "." { "body".to_string() } else { f };
    if let Some(name) = detail.strip_prefix("missing field ").and_then(|_| quoted("missing field ")) {
        return FieldError::new(field(join(&name)), "required");
    }
    if let Some(name) = detail.strip_prefix("unknown field ").and_then(|_| quoted("unknown field ")) {
        return FieldError::new(field(join(&name)), "json_unknown_field");
    }
    if detail.starts_with("unknown variant") {
        return FieldError::new(field(path), "json_unknown_value");
    }
    let expected = detail.split_once("expected ").map_or("", |(_, e)| e);
    let key = if expected.starts_with("a string") || expected.starts_with("a borrowed string") {
        "json_expected_text"
    } else if expected.starts_with("a boolean") {
        "json_expected_boolean"
    } else if expected.starts_with("a sequence") || expected.starts_with("a list") {
        "json_expected_list"
    } else if expected.starts_with("a map") || expected.starts_with("struct ") || expected.starts_with("an object") {
        "json_expected_object"
    } else if ["i", "u", "f"]
        .iter()
        .any(|p| expected.starts_with(p) && expected[1..].starts_with(|c: char| c.is_ascii_digit()))
        || expected.starts_with("an integer")
        || expected.starts_with("a number")
        || expected.starts_with("usize")
    {
        "json_expected_number"
    } else {
        "json_type"
    };
    FieldError::new(field(path), key)
}

/// "line L column C" of a serde message as "L:C" (numbers need no translation).
fn json_position(text: &str) -> Option<String> {
    let rest = text.rsplit_once(" at line ")?.1;
    let (line, col) = rest.split_once(" column ")?;
    let col: String = col.chars().take_while(char::is_ascii_digit).collect();
    (line.chars().all(|c| c.is_ascii_digit()) && !col.is_empty()).then(|| format!("{line}:{col}"))
}

/// `POST /api/v1/accounts`: register a citizen account (201).
async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<crate::service::RegistrationInput>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let u = crate::service::register(&state, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role})),
    ))
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /api/v1/auth/token`: a bearer token for a username, phone or email and password.
async fn token(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Json<serde_json::Value>> {
    let mut errors = vec![];
    if req.username.trim().is_empty() {
        errors.push(FieldError::new("username", "required"));
    }
    if req.password.is_empty() {
        errors.push(FieldError::new("password", "required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let user = sign_in(&state, &req.username, &req.password, addr.ip()).await?;
    let ttl = state.config.token_ttl;
    let secret = state
        .store
        .create_session(
            user.id,
            motcua_store::accounts::SessionKind::Bearer,
            chrono::Duration::from_std(ttl).unwrap_or_default(),
        )
        .await?;
    Ok(Json(json!({"access_token": secret, "token_type": "Bearer", "expires_in": ttl.as_secs()})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> (String, String) {
        let f = json_data_error(text);
        (f.field, f.key)
    }

    #[test]
    fn serde_messages_become_our_own_keys() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            shape("applicant.full_name: invalid type: integer `5`, expected a string at line 1 column 40"),
            s("applicant.full_name", "json_expected_text")
        );
        assert_eq!(
            shape("form: invalid type: string \"x\", expected a map at line 1 column 9"),
            s("form", "json_expected_object")
        );
        assert_eq!(
            shape("dossiers: invalid type: string \"a\", expected a sequence at line 1 column 3"),
            s("dossiers", "json_expected_list")
        );
        assert_eq!(
            shape("amount: invalid type: string \"1\", expected u32 at line 1 column 3"),
            s("amount", "json_expected_number")
        );
        assert_eq!(
            shape("js: invalid type: integer `1`, expected a boolean at line 1 column 3"),
            s("js", "json_expected_boolean")
        );
        assert_eq!(shape("applicant: missing field `phone` at line 1 column 50"), s("applicant.phone", "required"));
        assert_eq!(shape(".: missing field `code` at line 1 column 2"), s("code", "required"));
        assert_eq!(shape("unit: unknown variant `weeks`, expected one of `days`"), s("unit", "json_unknown_value"));
        assert_eq!(
            shape("invalid type: null, expected struct DossierInput at line 1 column 4"),
            s("body", "json_expected_object")
        );
        assert_eq!(shape("something else entirely"), s("body", "json_type"));
    }

    #[test]
    fn syntax_positions_are_numbers_only() {
        assert_eq!(json_position("expected value at line 3 column 17").as_deref(), Some("3:17"));
        assert_eq!(json_position("EOF while parsing an object at line 1 column 12").as_deref(), Some("1:12"));
        assert_eq!(json_position("no position"), None);
    }
}
