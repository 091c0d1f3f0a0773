//! Server-rendered pages. They work with JavaScript off; every string goes through `Tr`.

use crate::auth::{request_lang, same_origin, LANG_COOKIE};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const SITE_CSS: &str = include_str!("../../static/site.css");

/// The page routes.
pub fn router(_upload_limit: usize) -> Router<AppState> {
    Router::new().route("/", get(home)).route("/static/site.css", get(css)).layer(middleware::from_fn(page_guard))
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    detail: String,
    fields: Vec<String>,
}

/// An error as an HTML page with its status.
pub fn render_error(e: &AppError, tr: Tr) -> Response {
    if let AppError::Internal(cause) = e {
        tracing::error!(%cause, "internal error");
    }
    let fields = match e {
        AppError::Invalid(f) => f.iter().map(|f| AppError::field_message(&tr, f)).collect(),
        _ => vec![],
    };
    let page = ErrorPage { tr, title: tr.t(&format!("title-{}", e.slug())), detail: e.detail(&tr), fields };
    let mut res = (e.status(), html(&page)).into_response();
    if let AppError::TooManyRequests(s) = e {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*s));
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

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    tr: Tr,
}

async fn home(lang: crate::i18n::Lang) -> Html<String> {
    html(&Home { tr: Tr::new(lang) })
}
