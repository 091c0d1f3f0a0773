//! Registration, sign-in and sign-out pages. A sign-in renews the session (the previous one
//! is deleted) and rotates the CSRF cookie.

use super::form::{FormState, PageForm};
use super::{safe_next, Ctx, Nav};
use crate::auth::{cookie, sign_in, CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, FieldError};
use crate::i18n::Tr;
use crate::service::{self, RegistrationInput};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::Cookie;
use motcua_store::accounts::{random_secret, Role, SessionKind, User};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct NextParam {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    tr: Tr,
    nav: Nav,
    form: FormState,
    login_href: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    nav: Nav,
    form: FormState,
    register_href: String,
    /// What a step posted after the session ended carries through the sign-in (hidden
    /// `carry.*` fields), and the notice saying it is kept.
    carry: Vec<(String, String)>,
    notice: Option<String>,
}

fn with_next(path: &str, next: &str) -> String {
    if next.is_empty() {
        path.to_string()
    } else {
        format!("{path}?next={}", super::url_encode(next))
    }
}

fn register_view(ctx: &Ctx, form: FormState) -> RegisterPage {
    let login_href = with_next("/login", form.v("next"));
    RegisterPage { tr: ctx.tr, nav: ctx.nav(), form, login_href }
}

fn login_view(ctx: &Ctx, form: FormState) -> LoginPage {
    let register_href = with_next("/register", form.v("next"));
    LoginPage { tr: ctx.tr, nav: ctx.nav(), form, register_href, carry: vec![], notice: None }
}

/// The `carry.*` fields of a posted sign-in form, without the prefix.
fn carried(fields: &std::collections::HashMap<String, String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        fields.iter().filter_map(|(k, v)| Some((k.strip_prefix("carry.")?.to_string(), v.clone()))).collect();
    out.sort();
    out
}

/// The sign-in page for a step of the submission posted after the session ended: what was
/// typed rides along in hidden fields and is saved once the person signs in again.
///
/// When the ended session is still known, the carry names its account (`carry.for`): it is
/// saved only if that account signs in again, never into another's (a shared computer).
pub async fn login_carrying(
    ctx: &Ctx,
    state: &AppState,
    code: &str,
    posted: &std::collections::HashMap<String, String>,
) -> Response {
    let mut form = FormState::default();
    form.set("next", super::apply::carried_next(code));
    let mut page = login_view(ctx, form);
    page.carry = super::apply::carried_fields(code, posted);
    let ended = ctx.jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
    if let Some(secret) = ended {
        match state.store.ended_session_owner(&secret).await {
            Ok(Some(id)) => page.carry.push(("for".into(), id.to_string())),
            Ok(None) => {}
            Err(e) => return ctx.error(e.into()),
        }
    }
    page.notice = Some(ctx.tr.t("apply-session-ended"));
    ctx.render(StatusCode::OK, &page)
}

/// `GET /register?next=`.
pub async fn register_page(ctx: Ctx, Query(p): Query<NextParam>) -> Response {
    let mut form = FormState::default();
    form.set("next", safe_next(p.next.as_deref()).unwrap_or_default());
    ctx.render(StatusCode::OK, &register_view(&ctx, form))
}

/// `GET /login?next=`.
pub async fn login_page(ctx: Ctx, Query(p): Query<NextParam>) -> Response {
    let mut form = FormState::default();
    form.set("next", safe_next(p.next.as_deref()).unwrap_or_default());
    ctx.render(StatusCode::OK, &login_view(&ctx, form))
}

/// Where a user goes after signing in.
fn landing(user: &User, next: Option<String>) -> String {
    next.unwrap_or_else(|| match user.role {
        Role::Official => "/desk".to_string(),
        _ => "/dossiers".to_string(),
    })
}

/// Starts a page session for `user`: deletes the previous session, sets the new session
/// cookie and a fresh CSRF cookie, and redirects to `to`.
async fn start_session(ctx: Ctx, state: &AppState, user: &User, to: &str) -> Response {
    if let Some(old) = &ctx.session_secret {
        if let Err(e) = state.store.delete_session(old).await {
            return ctx.error(e.into());
        }
    }
    let ttl = chrono::Duration::from_std(state.config.session_ttl).unwrap_or_else(|_| chrono::Duration::hours(8));
    let secret = match state.store.create_session(user.id, SessionKind::Cookie, ttl).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e.into()),
    };
    let mut ctx = ctx;
    ctx.jar =
        ctx.jar.add(cookie(SESSION_COOKIE, secret, ctx.secure)).add(cookie(CSRF_COOKIE, random_secret(), ctx.secure));
    ctx.redirect(to)
}

fn register_field_id(field: &str) -> Option<String> {
    matches!(field, "full_name" | "phone" | "email" | "username" | "password" | "password_confirm")
        .then(|| field.to_string())
}

/// `POST /register`: creates a citizen account, signs it in and goes on.
pub async fn register(ctx: Ctx, State(state): State<AppState>, PageForm(fields): PageForm) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let input = RegistrationInput {
        full_name: get("full_name"),
        phone: get("phone"),
        email: get("email"),
        username: get("username"),
        password: get("password"),
        password_confirm: Some(get("password_confirm")),
    };
    let next = safe_next(fields.get("next").map(String::as_str));
    match service::register(&state, &input).await {
        Ok(user) => {
            let to = landing(&user, next);
            start_session(ctx, &state, &user, &to).await
        }
        Err(e @ AppError::Invalid(_)) => {
            let mut form = FormState::default();
            for k in ["full_name", "phone", "email", "username"] {
                form.set(k, get(k));
            }
            form.set("next", next.unwrap_or_default());
            form.add_error(&ctx.tr, &e, register_field_id);
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &register_view(&ctx, form))
        }
        Err(e) => ctx.error(e),
    }
}

/// `POST /login`: signs in with a username, phone or email and the password. The same
/// throttle as the token endpoint: 429 with `Retry-After` when locked.
pub async fn login(
    ctx: Ctx,
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    PageForm(fields): PageForm,
) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    let login = fields.get("login").cloned().unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    let next = safe_next(fields.get("next").map(String::as_str));
    let carry = carried(&fields);
    let mut form = FormState::default();
    form.set("login", login.clone());
    form.set("next", next.clone().unwrap_or_default());
    let view = |form: FormState| {
        let mut page = login_view(&ctx, form);
        if !carry.is_empty() {
            page.notice = Some(ctx.tr.t("apply-session-ended"));
            page.carry = carry.clone();
        }
        page
    };
    let mut missing = vec![];
    if login.trim().is_empty() {
        missing.push(FieldError::new("login", "required"));
    }
    if password.is_empty() {
        missing.push(FieldError::new("password", "required"));
    }
    if !missing.is_empty() {
        form.add_error(&ctx.tr, &AppError::Invalid(missing), |f| Some(f.to_string()));
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &view(form));
    }
    match sign_in(&state, &login, &password, addr.ip()).await {
        Ok(user) => {
            let map = carry.iter().cloned().collect();
            let restored =
                if carry.is_empty() { None } else { super::apply::restore_carried(&state, &user, &map).await };
            let to = restored.unwrap_or_else(|| landing(&user, next));
            start_session(ctx, &state, &user, &to).await
        }
        Err(AppError::BadCredentials) => {
            form.add("login", ctx.tr.t("login-failed"));
            ctx.render(StatusCode::UNAUTHORIZED, &view(form))
        }
        Err(e @ AppError::TooManyRequests(wait)) => {
            form.add_error(&ctx.tr, &e, |_| None);
            let mut res = ctx.render(StatusCode::TOO_MANY_REQUESTS, &view(form));
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
            res
        }
        Err(e) => ctx.error(e),
    }
}

/// `POST /logout`: ends the session.
pub async fn logout(ctx: Ctx, State(state): State<AppState>, PageForm(fields): PageForm) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    if let Some(secret) = &ctx.session_secret {
        if let Err(e) = state.store.delete_session(secret).await {
            return ctx.error(e.into());
        }
    }
    let mut ctx = ctx;
    ctx.jar = ctx.jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    ctx.redirect("/")
}

/// `POST /session/extend`: "stay signed in" from the expiry warning. Moves the session's end
/// to the full session time from now. The warning's script posts `js=1` and gets
/// `{"expires_at": RFC 3339, "remaining_seconds": N}` (401 when the session has already ended); the form without the
/// script goes back to `next`.
pub async fn extend_session(ctx: Ctx, State(state): State<AppState>, PageForm(fields): PageForm) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    let js = fields.get("js").is_some_and(|v| v == "1");
    let ttl = chrono::Duration::from_std(state.config.session_ttl).unwrap_or_else(|_| chrono::Duration::hours(8));
    let extended = match &ctx.session_secret {
        Some(secret) => match state.store.extend_session(secret, ttl).await {
            Ok(at) => at,
            Err(e) => return ctx.error(e.into()),
        },
        None => None,
    };
    match (js, extended) {
        (true, Some(at)) => {
            let body = serde_json::json!({
                "expires_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "remaining_seconds": ttl.num_seconds(),
            });
            (ctx.jar.clone(), axum::Json(body)).into_response()
        }
        (true, None) => (ctx.jar.clone(), StatusCode::UNAUTHORIZED).into_response(),
        (false, Some(_)) => {
            let next = safe_next(fields.get("next").map(String::as_str)).unwrap_or_else(|| "/".into());
            ctx.redirect(&next)
        }
        (false, None) => ctx.error(AppError::Unauthorized),
    }
}
