//! `Idempotency-Key` on state-changing API calls, scoped to the caller's account: the same
//! key with an equal body (JSON compared as values, so key order and spacing do not matter)
//! returns the first answer; the same key with a different body is a 422.

use crate::error::{AppError, FieldError};
use crate::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_store::accounts::SessionKind;
use motcua_store::idempotency::StoredResponse;
use sha2::{Digest, Sha256};

fn request_hash(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(path);
    h.update(b"\n");
    match serde_json::from_slice::<serde_json::Value>(body) {
        // serde_json's map is ordered by key: a canonical form of the value.
        Ok(v) => h.update(v.to_string()),
        Err(_) => h.update(body),
    }
    hex::encode(h.finalize())
}

fn key_error(key: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new("Idempotency-Key", key)])
}

/// The middleware.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").map(|v| v.to_str().map(str::to_string)) else {
        return next.run(req).await;
    };
    let key = match key {
        Ok(k) if !k.trim().is_empty() && k.len() <= 255 => k.trim().to_string(),
        _ => return key_error("idempotency_key_format").into_response(),
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let user = match bearer {
        Some(b) => state.store.session(&b, SessionKind::Bearer).await.ok().flatten().map(|s| s.user),
        None => None,
    };
    // Without an account the key has no scope: the handler answers 401 as usual.
    let Some(user) = user else { return next.run(req).await };
    let (parts, body) = req.into_parts();
    let limit = usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024);
    let Ok(bytes) = to_bytes(body, limit).await else {
        return AppError::TooLarge(state.config.max_upload_bytes).into_response();
    };
    let hash = request_hash(&parts.method, parts.uri.path(), &bytes);
    match state.store.idempotent_response(user.id, &key).await {
        Ok(Some(stored)) if stored.body_hash == hash => return replay(&stored),
        Ok(Some(_)) => return key_error("idempotency_key_reused").into_response(),
        Ok(None) => {}
        Err(e) => return AppError::from(e).into_response(),
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    // Server errors and throttling are not answers to keep: a retry should run again.
    let status = res.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return res;
    }
    let (rparts, rbody) = res.into_parts();
    let Ok(rbytes) = to_bytes(rbody, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let stored = StoredResponse {
        body_hash: hash,
        status: status.as_u16(),
        response: String::from_utf8_lossy(&rbytes).into_owned(),
    };
    if let Err(e) = state.store.save_idempotent_response(user.id, &key, &stored).await {
        tracing::warn!(error = %e, "could not save an idempotent response");
    }
    Response::from_parts(rparts, Body::from(rbytes))
}

fn replay(stored: &StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let ct = if status.is_success() { "application/json" } else { "application/problem+json" };
    let mut res = (status, stored.response.clone()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_json_bodies_hash_alike_whatever_the_key_order() {
        let a = request_hash(&Method::POST, "/x", br#"{"a":1,"b":{"c":2,"d":3}}"#);
        let b = request_hash(&Method::POST, "/x", b"{ \"b\": {\"d\":3, \"c\":2}, \"a\": 1 }");
        assert_eq!(a, b);
        assert_ne!(a, request_hash(&Method::POST, "/x", br#"{"a":2,"b":{"c":2,"d":3}}"#));
        assert_ne!(a, request_hash(&Method::POST, "/y", br#"{"a":1,"b":{"c":2,"d":3}}"#));
    }
}
