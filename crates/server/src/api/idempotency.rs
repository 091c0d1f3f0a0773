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
use motcua_store::idempotency::{Reservation, StoredResponse, CALL};
use sha2::{Digest, Sha256};

/// The hash that decides whether a retry is "the same request": method, path and body, with
/// a JSON body compared as a value (key order and spacing do not matter) and a multipart body
/// with its boundary blanked out (clients draw a new random boundary for every attempt).
fn request_hash(method: &Method, path: &str, content_type: Option<&str>, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(path);
    h.update(b"\n");
    let boundary = content_type
        .filter(|ct| ct.trim_start().to_ascii_lowercase().starts_with("multipart/"))
        .and_then(|ct| ct.split(';').find_map(|p| p.trim().strip_prefix("boundary=")))
        .map(|b| b.trim_matches('"').as_bytes().to_vec())
        .filter(|b| !b.is_empty());
    if let Some(b) = boundary {
        let mut rest = body;
        while let Some(i) = rest.windows(b.len()).position(|w| w == b.as_slice()) {
            h.update(&rest[..i]);
            h.update(b"<boundary>");
            rest = &rest[i + b.len()..];
        }
        h.update(rest);
    } else {
        match serde_json::from_slice::<serde_json::Value>(body) {
            // serde_json's map is ordered by key: a canonical form of the value.
            Ok(v) => h.update(v.to_string()),
            Err(_) => h.update(body),
        }
    }
    hex::encode(h.finalize())
}

/// Set on a retried call whose effect is already committed (its first run died before its
/// answer was recorded): the id of the dossier or document it made or changed. The handlers
/// that change state through the store answer from it instead of acting again.
#[derive(Debug, Clone)]
pub struct AlreadyApplied(pub String);

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
    let bearer = crate::auth::bearer_secret(req.headers()).map(str::to_string);
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
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let hash = request_hash(&parts.method, parts.uri.path(), content_type, &bytes);
    let mut applied = None;
    match state.store.reserve_idempotent(user.id, &key, &hash).await {
        Ok(Reservation::Reserved) => {}
        Ok(Reservation::Done(stored)) if stored.body_hash == hash => return replay(&stored),
        // The effect committed, the answer was lost: the handler answers from what was made.
        Ok(Reservation::Applied { body_hash, resource }) if body_hash == hash => applied = Some(resource),
        Ok(Reservation::InProgress { body_hash }) if body_hash == hash => {
            return AppError::Conflict("err-idempotency-in-progress").into_response()
        }
        Ok(_) => return key_error("idempotency_key_reused").into_response(),
        Err(e) => return AppError::from(e).into_response(),
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    if let Some(resource) = applied {
        req.extensions_mut().insert(AlreadyApplied(resource));
    }
    // Within CALL, the store marks the reservation applied in the transaction of the effect.
    let res = CALL.scope((user.id, key.clone()), next.run(req)).await;
    // Server errors and throttling are not answers to keep: a retry should run again.
    let status = res.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        if let Err(e) = state.store.release_idempotent(user.id, &key).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
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
        location: rparts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string),
    };
    if let Err(e) = state.store.complete_idempotent(user.id, &key, &stored).await {
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
    if let Some(location) = stored.location.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_json_bodies_hash_alike_whatever_the_key_order() {
        let a = request_hash(&Method::POST, "/x", None, br#"{"a":1,"b":{"c":2,"d":3}}"#);
        let b = request_hash(&Method::POST, "/x", None, b"{ \"b\": {\"d\":3, \"c\":2}, \"a\": 1 }");
        assert_eq!(a, b);
        assert_ne!(a, request_hash(&Method::POST, "/x", None, br#"{"a":2,"b":{"c":2,"d":3}}"#));
        assert_ne!(a, request_hash(&Method::POST, "/y", None, br#"{"a":1,"b":{"c":2,"d":3}}"#));
    }

    #[test]
    fn multipart_retries_hash_alike_whatever_the_boundary() {
        let body = |b: &str| {
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 x\r\n--{b}--\r\n")
        };
        let h = |b: &str, content: &str| {
            request_hash(&Method::POST, "/d", Some(&format!("multipart/form-data; boundary={b}")), content.as_bytes())
        };
        assert_eq!(h("AAAA1111", &body("AAAA1111")), h("zz-99", &body("zz-99")));
        assert_ne!(h("AAAA1111", &body("AAAA1111")), h("zz-99", &body("zz-99").replace("x", "y")));
    }
}
