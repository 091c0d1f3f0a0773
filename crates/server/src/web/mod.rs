//! Server-rendered pages. They work with JavaScript off; every string goes through `Tr`.
//!
//! Every page handler takes a [`Ctx`] (language, signed-in user, cookies, CSRF token) and
//! renders through it, so the CSRF cookie is set on the first page and errors become pages
//! in the right language (a missing sign-in becomes a redirect to `/login?next=…`).

mod account;
mod admin;
mod apply;
mod assisted;
mod catalogue;
mod desk;
mod dossiers;
mod form;
mod labels;
mod officials;

use crate::auth::{csrf_token, request_lang, same_origin, LANG_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use motcua_store::accounts::{Role, SessionKind, User};

pub use form::FormState;

const SITE_CSS: &str = include_str!("../../static/site.css");
const SESSION_JS: &str = include_str!("../../static/session.js");

/// The page routes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route("/dossiers/{reference}/documents", post(dossiers::upload))
        .route("/desk/dossiers/{reference}/documents", post(desk::upload_result))
        .route("/desk/assisted/{reference}/documents", post(assisted::upload))
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/", get(catalogue::home))
        .route("/static/site.css", get(css))
        .route("/static/session.js", get(session_js))
        .route("/procedures", get(catalogue::search))
        .route("/procedures/{code}", get(catalogue::procedure))
        .route("/procedures/{code}/dossiers", post(catalogue::create_draft))
        .route("/procedures/{code}/apply", get(apply::show).post(apply::post))
        .route("/session/extend", post(account::extend_session))
        .route("/register", get(account::register_page).post(account::register))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/dossiers", get(dossiers::list))
        .route("/dossiers/claim", post(dossiers::claim))
        .route("/dossiers/{reference}", get(dossiers::show))
        .route("/dossiers/{reference}/submit", post(dossiers::submit))
        .route("/dossiers/{reference}/withdraw", post(dossiers::withdraw))
        .route("/dossiers/{reference}/documents/{id}", get(dossiers::download))
        .route("/desk", get(desk::queue))
        .route("/desk/bulk", post(desk::bulk))
        .route("/desk/assisted", get(assisted::start).post(assisted::create))
        .route("/desk/assisted/{reference}", get(assisted::documents))
        .route("/desk/assisted/{reference}/submit", post(assisted::submit))
        .route("/desk/dossiers/{reference}/receipt", get(assisted::receipt))
        .route("/desk/dossiers/{reference}", get(desk::show))
        .route("/desk/dossiers/{reference}/actions", post(desk::action))
        .route("/admin/calendar", get(admin::calendar).post(admin::load))
        .route("/admin/officials", get(officials::list).post(officials::save))
        .merge(uploads)
        .layer(middleware::from_fn(page_guard))
}

/// Any other path: the 404 page, in the reader's language.
pub async fn not_found(lang: crate::i18n::Lang) -> Response {
    render_error(&AppError::NotFound, Tr::new(lang))
}

/// For pages: refuse cross-site state changes (403) and remember a `?lang=` choice.
async fn page_guard(req: Request, next: Next) -> Response {
    if !same_origin(req.method(), req.headers()) {
        let lang = request_lang(req.uri().query(), req.headers());
        return render_error(&AppError::Forbidden("err-csrf"), Tr::new(lang));
    }
    let chosen = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .and_then(crate::i18n::Lang::parse);
    let mut res = next.run(req).await;
    if let Some(lang) = chosen {
        let c = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.as_str());
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], SITE_CSS)
        .into_response()
}

/// The expiry warning and autosave (an enhancement: every page works without it).
async fn session_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        SESSION_JS,
    )
        .into_response()
}

/// What the page header needs: who is signed in, the CSRF token for the sign-out form and
/// the link to the same page in the other language.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user_name: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
    pub lang_href: String,
    /// When the page session ends (RFC 3339, UTC), for the expiry warning's script; empty
    /// when nobody is signed in.
    pub session_expires: String,
    /// Seconds left in the session when the page was made: the script counts from its own
    /// clock with this, so a phone whose clock is wrong still warns in time.
    pub session_remaining: i64,
    /// The path of this page (for the warning's no-script "stay signed in" form).
    pub path: String,
}

impl Nav {
    fn anonymous(tr: Tr) -> Nav {
        Nav { lang_href: format!("?lang={}", other_lang(tr.lang).as_str()), ..Nav::default() }
    }

    pub fn is_citizen(&self) -> bool {
        self.role == Some(Role::Citizen)
    }

    pub fn is_official(&self) -> bool {
        self.role == Some(Role::Official)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }
}

fn other_lang(l: Lang) -> Lang {
    match l {
        Lang::Vi => Lang::En,
        Lang::En => Lang::Vi,
    }
}

/// The request context of a page: language, user, cookies (with the CSRF cookie ensured).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub user: Option<User>,
    /// The session cookie's secret, when a valid session is present.
    pub session_secret: Option<String>,
    /// When that session ends.
    pub session_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub jar: CookieJar,
    pub csrf: String,
    pub method: Method,
    /// Path and query of the request (for `?next=`).
    pub path: String,
    pub secure: bool,
    nav_lang_href: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(parts.uri.query(), &parts.headers);
        let tr = Tr::new(lang);
        let secure = state.config.secure_cookies;
        let jar = CookieJar::from_headers(&parts.headers);
        let (user, session_secret, session_expires_at) = match jar.get(SESSION_COOKIE) {
            Some(c) => match state.store.session(c.value(), SessionKind::Cookie).await {
                Ok(Some(s)) => (Some(s.user), Some(c.value().to_string()), Some(s.expires_at)),
                Ok(None) => (None, None, None),
                Err(e) => return Err(render_error(&e.into(), tr)),
            },
            None => (None, None, None),
        };
        let (jar, csrf) = csrf_token(jar, secure);
        let path = parts.uri.path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let mut query: Vec<&str> = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        let other = format!("lang={}", other_lang(lang).as_str());
        query.push(&other);
        let nav_lang_href = format!("{}?{}", parts.uri.path(), query.join("&"));
        Ok(Ctx {
            tr,
            user,
            session_secret,
            session_expires_at,
            jar,
            csrf,
            method: parts.method.clone(),
            path,
            secure,
            nav_lang_href,
        })
    }
}

impl Ctx {
    /// The header data for templates.
    pub fn nav(&self) -> Nav {
        Nav {
            user_name: self.user.as_ref().map(|u| u.full_name.clone()),
            role: self.user.as_ref().map(|u| u.role),
            csrf: self.csrf.clone(),
            lang_href: self.nav_lang_href.clone(),
            session_expires: self
                .session_expires_at
                .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            session_remaining: self
                .session_expires_at
                .map_or(0, |at| at.signed_duration_since(chrono::Utc::now()).num_seconds().max(0)),
            path: if self.method == Method::GET { self.path.clone() } else { post_return_path(&self.path) },
        }
    }

    /// The signed-in user, or `Unauthorized` (which [`Ctx::error`] turns into a redirect to
    /// the sign-in page).
    pub fn require_user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// A signed-in official with an agency; 403 for anyone else signed in.
    pub fn require_official(&self) -> Result<(&User, &str), AppError> {
        let u = self.require_user()?;
        match (u.role, u.agency_code.as_deref()) {
            (Role::Official, Some(a)) => Ok((u, a)),
            _ => Err(AppError::Forbidden("err-officials-only")),
        }
    }

    /// Renders a template with `status`, setting the cookies of this context.
    pub fn render<T: Template>(&self, status: StatusCode, t: &T) -> Response {
        (status, self.jar.clone(), html(t)).into_response()
    }

    /// A 303 redirect, setting the cookies of this context.
    pub fn redirect(&self, to: &str) -> Response {
        (self.jar.clone(), Redirect::to(to)).into_response()
    }

    /// An error as a page; a missing sign-in is a redirect to the sign-in page that
    /// returns here.
    pub fn error(&self, e: AppError) -> Response {
        if matches!(e, AppError::Unauthorized) {
            let back = if self.method == Method::GET { self.path.clone() } else { post_return_path(&self.path) };
            return self.redirect(&format!("/login?next={}", url_encode(&back)));
        }
        let mut res = render_error_with(&e, self.tr, self.nav());
        let jar_res = self.jar.clone().into_response();
        for v in jar_res.headers().get_all(header::SET_COOKIE) {
            res.headers_mut().append(header::SET_COOKIE, v.clone());
        }
        res
    }

    /// Checks the form's CSRF token against the cookie.
    pub fn check_csrf(&self, form: &std::collections::HashMap<String, String>) -> Result<(), AppError> {
        crate::auth::check_csrf(&self.jar, form.get("csrf").map_or("", String::as_str))
    }
}

/// Where to come back to after signing in, for a form POST: the page the form was on.
fn post_return_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("/");
    if path.ends_with("/apply") {
        return path.to_string();
    }
    for suffix in ["/dossiers", "/documents", "/submit", "/actions", "/withdraw"] {
        if let Some(p) = path.strip_suffix(suffix) {
            if !p.is_empty() {
                return p.to_string();
            }
        }
    }
    "/".to_string()
}

/// A `?next=` target: only a local path (starting with '/', not '//' nor '/\').
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && !n.chars().any(char::is_control)
        && n.len() <= 2000;
    ok.then(|| n.to_string())
}

/// Percent-encodes everything but unreserved characters and '/'.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    nav: Nav,
    title: String,
    detail: String,
    fields: Vec<String>,
}

/// An error as an HTML page with its status.
pub fn render_error(e: &AppError, tr: Tr) -> Response {
    render_error_with(e, tr, Nav::anonymous(tr))
}

fn render_error_with(e: &AppError, tr: Tr, nav: Nav) -> Response {
    if let AppError::Internal(cause) = e {
        tracing::error!(%cause, "internal error");
    }
    let fields = match e {
        AppError::Invalid(f) => f.iter().map(|f| AppError::field_message(&tr, f)).collect(),
        _ => vec![],
    };
    let page = ErrorPage { tr, nav, title: tr.t(&format!("title-{}", e.slug())), detail: e.detail(&tr), fields };
    let mut res = (e.status(), html(&page)).into_response();
    match e {
        AppError::TooManyRequests(s) => {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*s));
        }
        AppError::Unavailable => {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        _ => {}
    }
    res
}

/// Renders a template; an internal error page if it fails.
pub fn html<T: Template>(t: &T) -> Html<String> {
    Html(t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template");
        "<!doctype html><title>Error</title><p>Error</p>".to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_local_paths() {
        assert_eq!(safe_next(Some("/procedures/1.010041")).as_deref(), Some("/procedures/1.010041"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("")), None);
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn post_paths_return_to_their_page() {
        assert_eq!(post_return_path("/procedures/1.010041/dossiers"), "/procedures/1.010041");
        assert_eq!(post_return_path("/dossiers/abc/submit"), "/dossiers/abc");
        assert_eq!(post_return_path("/logout"), "/");
    }

    #[test]
    fn encoding() {
        assert_eq!(url_encode("/procedures?q=a b&x"), "/procedures%3Fq%3Da%20b%26x");
    }
}
