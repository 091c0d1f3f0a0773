//! Who is calling: bearer tokens for the API, session cookies for pages, the CSRF check for
//! forms, and the sign-in throttle.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use motcua_store::accounts::{SessionKind, User};
use std::net::IpAddr;
use std::time::Duration;

pub const SESSION_COOKIE: &str = "motcua_session";
pub const CSRF_COOKIE: &str = "motcua_csrf";
pub const LANG_COOKIE: &str = "motcua_lang";

/// The caller of an API endpoint, from `Authorization: Bearer …`. Rejects with 401.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = bearer_secret(&parts.headers).ok_or(AppError::Unauthorized)?;
        let session = state.store.session(secret, SessionKind::Bearer).await?.ok_or(AppError::Unauthorized)?;
        Ok(ApiUser(session.user))
    }
}

/// The language of a request: `?lang=`, then the saved choice (cookie), then
/// `Accept-Language`, then Vietnamese.
pub fn request_lang(parts_uri_query: Option<&str>, headers: &axum::http::HeaderMap) -> Lang {
    let from_query =
        parts_uri_query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::parse));
    let jar = CookieJar::from_headers(headers);
    from_query
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(request_lang(parts.uri.query(), &parts.headers))
    }
}

/// A cookie with the project's flags: `HttpOnly`, `SameSite=Lax`, path `/`, `Secure` when
/// configured (behind HTTPS).
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value)).http_only(true).same_site(SameSite::Lax).path("/").secure(secure).build()
}

/// The CSRF token of this browser (double-submit: a random cookie echoed in every form),
/// creating the cookie when absent.
pub fn csrf_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(c) = jar.get(CSRF_COOKIE) {
        if c.value().len() == 64 {
            let v = c.value().to_string();
            return (jar, v);
        }
    }
    let token = motcua_store::accounts::random_secret();
    (jar.add(cookie(CSRF_COOKIE, token.clone(), secure)), token)
}

/// Checks a submitted form's token against the cookie; 403 when missing or different.
pub fn check_csrf(jar: &CookieJar, submitted: &str) -> Result<(), AppError> {
    let ok = jar.get(CSRF_COOKIE).is_some_and(|c| {
        let (a, b) = (c.value().as_bytes(), submitted.as_bytes());
        // Constant time: compare every byte whatever the first difference.
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    });
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden("err-csrf"))
    }
}

/// Refuses a state-changing request that a browser marks as cross-site (`Sec-Fetch-Site`)
/// or whose `Origin` is not this host. Requests without either header (non-browser
/// clients) pass here and still need the CSRF token.
pub fn same_origin(method: &Method, headers: &axum::http::HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site") {
        return false;
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
        _ => true,
    }
}

/// Sign-in throttle: attempts counted per account and per client address over a sliding
/// window, shared by the sign-in page and the token endpoint. An attempt is counted before
/// the password is checked (so a burst of parallel guesses is bounded too) and taken back
/// when it succeeds, so legitimate sign-ins are never throttled. The attempt lists live in
/// the database (every server process counts the same attempts); this type decides on them.
/// A library such as `governor` counts every request in memory and cannot take a success back.
#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    per_account: usize,
    per_address: usize,
}

impl LoginThrottle {
    /// `per_account` and `per_address` failed attempts within `window` lock further
    /// attempts until the oldest one leaves the window.
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> LoginThrottle {
        LoginThrottle { window, per_account, per_address }
    }

    /// The keys, account first (always this order, so concurrent sign-ins lock in one order).
    fn keys(account: &str, addr: IpAddr) -> [String; 2] {
        [format!("a:{account}"), format!("ip:{addr}")]
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// On the attempt lists `[account, address]` (Unix ms) at `now_ms`: drops what left the
    /// window, then counts this attempt, or returns `Err(seconds to wait)` and counts nothing.
    pub fn decide_attempt(&self, lists: &mut [Vec<i64>], now_ms: i64) -> Result<(), u64> {
        let window = self.window_ms();
        let mut wait: Option<u64> = None;
        for (i, list) in lists.iter_mut().enumerate() {
            list.retain(|t| now_ms.saturating_sub(*t) < window);
            let limit = if i == 0 { self.per_account } else { self.per_address };
            if list.len() >= limit {
                let oldest = list.iter().min().copied().unwrap_or(now_ms);
                let ms = window.saturating_sub(now_ms.saturating_sub(oldest));
                let secs = u64::try_from(ms / 1000).unwrap_or(0).max(1);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
        }
        if let Some(w) = wait {
            return Err(w);
        }
        for list in lists.iter_mut() {
            list.push(now_ms);
        }
        Ok(())
    }

    /// A success: the account's list is cleared and this attempt is taken back from the
    /// address's list.
    pub fn decide_success(lists: &mut [Vec<i64>]) {
        if let [account, address] = lists {
            account.clear();
            address.pop();
        }
    }

    /// Counts an attempt for `account` (an account id, or the normalised name tried when no
    /// account has it) from `addr`; `Err(seconds to wait)` when either is locked, and then
    /// nothing is counted.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] when locked; store errors.
    pub async fn attempt(&self, store: &motcua_store::Store, account: &str, addr: IpAddr) -> Result<(), AppError> {
        let [a, ip] = Self::keys(account, addr);
        let now_ms = chrono::Utc::now().timestamp_millis();
        store
            .with_login_attempts(&[&a, &ip], |lists| self.decide_attempt(lists, now_ms))
            .await?
            .map_err(AppError::TooManyRequests)
    }

    /// Counts an attempt on the one list `key` (limited to `per_account` within the window),
    /// for throttles other than sign-in that share the mechanism under their own key prefix
    /// (the dossier claim: `claim:{account id}`); `Err` and nothing counted when locked.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] with the seconds to wait; store errors.
    pub async fn attempt_one(&self, store: &motcua_store::Store, key: &str) -> Result<(), AppError> {
        self.attempt_keys(store, &[key]).await
    }

    /// Counts an attempt on `keys` (the first limited per account, the others per address),
    /// refusing it with the wait in seconds when any is over its limit.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] when locked; store errors.
    pub async fn attempt_keys(&self, store: &motcua_store::Store, keys: &[&str]) -> Result<(), AppError> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        store
            .with_login_attempts(keys, |lists| self.decide_attempt(lists, now_ms))
            .await?
            .map_err(AppError::TooManyRequests)
    }

    /// Takes back the latest attempt counted on `key` (it succeeded): only failures count.
    ///
    /// # Errors
    /// Store errors.
    pub async fn take_back_one(&self, store: &motcua_store::Store, key: &str) -> Result<(), AppError> {
        self.take_back(store, &[key]).await
    }

    /// Takes back the latest attempt counted on each of `keys` (it succeeded).
    ///
    /// # Errors
    /// Store errors.
    pub async fn take_back(&self, store: &motcua_store::Store, keys: &[&str]) -> Result<(), AppError> {
        store
            .with_login_attempts(keys, |lists| {
                for list in lists.iter_mut() {
                    list.pop();
                }
            })
            .await?;
        Ok(())
    }

    /// Records a success (see [`LoginThrottle::decide_success`]).
    ///
    /// # Errors
    /// Store errors.
    pub async fn succeeded(&self, store: &motcua_store::Store, account: &str, addr: IpAddr) -> Result<(), AppError> {
        let [a, ip] = Self::keys(account, addr);
        store.with_login_attempts(&[&a, &ip], Self::decide_success).await?;
        Ok(())
    }
}

/// Signs in with the throttle: 429 when locked, 401 on bad credentials. `login` is a
/// username, phone number (any usual spelling) or email; the throttle counts per account,
/// whichever of its names is tried.
pub async fn sign_in(state: &AppState, login: &str, password: &str, addr: IpAddr) -> Result<User, AppError> {
    let login = login.trim().to_lowercase();
    if login.contains('\0') {
        // No account has a NUL in its names, and PostgreSQL refuses it in the throttle's key.
        return Err(AppError::BadCredentials);
    }
    let phone = motcua_core::values::PhoneNumber::parse("login", &login).ok();
    let found = state.store.find_login(&login, phone.as_ref().map(|p| p.as_str())).await?;
    let account = found.as_ref().map_or_else(|| format!("name:{login}"), |(u, _)| format!("id:{}", u.id));
    state.throttle.attempt(&state.store, &account, addr).await.inspect_err(|e| {
        if let AppError::TooManyRequests(wait) = e {
            tracing::warn!(%addr, wait, "sign-in throttled");
        }
    })?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    if state.store.check_password(hash, password).await {
        state.throttle.succeeded(&state.store, &account, addr).await?;
        user.ok_or(AppError::BadCredentials)
    } else {
        Err(AppError::BadCredentials)
    }
}

/// The secret of an `Authorization: Bearer …` header (the scheme is case-insensitive,
/// RFC 9110 §11.1).
pub fn bearer_secret(headers: &axum::http::HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| secret.trim()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decisions over lists kept in a map, as the store keeps them in rows.
    struct Lists(std::collections::HashMap<String, Vec<i64>>);

    impl Lists {
        fn run<T>(&mut self, account: &str, addr: IpAddr, f: impl FnOnce(&mut [Vec<i64>]) -> T) -> T {
            let keys = LoginThrottle::keys(account, addr);
            let mut lists: Vec<Vec<i64>> = keys.iter().map(|k| self.0.get(k).cloned().unwrap_or_default()).collect();
            let out = f(&mut lists);
            for (k, l) in keys.into_iter().zip(lists) {
                self.0.insert(k, l);
            }
            out
        }
    }

    #[test]
    fn throttle_counts_attempts_before_the_check_and_takes_successes_back() {
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 5);
        let mut m = Lists(std::collections::HashMap::new());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let now = 1_000_000;
        // Three attempts in flight at once all count: the fourth is refused before any
        // password is checked.
        for _ in 0..3 {
            assert_eq!(m.run("id:1", a, |l| t.decide_attempt(l, now)), Ok(()));
        }
        assert_eq!(m.run("id:1", a, |l| t.decide_attempt(l, now + 1000)), Err(59), "locked until the first leaves");
        assert!(m.run("id:1", b, |l| t.decide_attempt(l, now)).is_err(), "the lock follows the account elsewhere");
        // A success is taken back: legitimate sign-ins never lock anyone.
        for _ in 0..10 {
            assert_eq!(m.run("id:2", b, |l| t.decide_attempt(l, now)), Ok(()));
            m.run("id:2", b, LoginThrottle::decide_success);
        }
        // Address a has 3 attempts counted; two more accounts tried from it fill its 5.
        assert_eq!(m.run("id:3", a, |l| t.decide_attempt(l, now)), Ok(()));
        assert_eq!(m.run("id:4", a, |l| t.decide_attempt(l, now)), Ok(()));
        assert!(m.run("id:5", a, |l| t.decide_attempt(l, now)).is_err(), "the address is locked after 5 attempts");
        // A minute later the window has moved on.
        assert_eq!(m.run("id:1", a, |l| t.decide_attempt(l, now + 60_000)), Ok(()));
    }

    #[test]
    fn origin_check() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&Method::POST, &h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&Method::POST, &h));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&Method::POST, &h));
        assert!(same_origin(&Method::GET, &h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&Method::POST, &h));
    }
}
