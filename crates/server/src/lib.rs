//! motcua's HTTP server: server-rendered pages (`web`) and the JSON API (`api`) over one
//! [`AppState`]. `App::build` takes an already bound listener, so tests start the real app on
//! `127.0.0.1:0` with a fresh data directory.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod desk;
pub mod error;
pub mod i18n;
pub mod processing;
pub mod routes;
pub mod service;
pub mod web;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use motcua_core::legal_time::VietnamCalendar;
use motcua_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

/// Server settings. Defaults suit the embedded deployment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite database and the documents live (`./motcua-data`).
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL, `sqlite://…` for another SQLite file; `None`: SQLite in
    /// `data_dir`.
    pub database_url: Option<String>,
    /// Where documents go; `None`: `data_dir/documents`.
    pub objects: Option<motcua_store::objects::ObjectsConfig>,
    /// A key prefix for this server's documents in a shared bucket (tests); usually `None`.
    pub objects_prefix: Option<String>,
    /// How long a request waits for a database connection before it is answered 503 with
    /// Retry-After (the database is then taken to be unreachable).
    pub db_acquire_timeout: Duration,
    /// PostgreSQL connections of this process's pool (16); ignored for SQLite.
    pub db_connections: u32,
    /// A directory of route definitions (`*.toml`) replacing the shipped ones; validated at
    /// start (the server does not start with a broken route).
    pub routes_dir: Option<PathBuf>,
    /// Largest accepted document, in bytes (20 MB).
    pub max_upload_bytes: u64,
    /// Largest JSON or form body, in bytes (1 MiB).
    pub max_body_bytes: usize,
    /// Bearer token lifetime.
    pub token_ttl: Duration,
    /// Page session lifetime.
    pub session_ttl: Duration,
    /// Longest a request may take (uploads excepted, which a slow connection may need
    /// minutes to send) before it is answered 503 with Retry-After: a database connection
    /// hung by the network fails the request instead of holding it (30 s).
    pub request_timeout: Duration,
    /// Sign-in throttle: failures per account and per address within the window.
    pub login_failures_per_account: usize,
    pub login_failures_per_address: usize,
    pub login_window: Duration,
    /// Dossier-claim throttle: failed claims (wrong code or ID number) per account within
    /// the window (5 in 15 minutes), past which a claim is 429 with Retry-After.
    pub claim_failures_per_account: usize,
    /// … and per client address (50 in the window: many people share an address behind a
    /// mobile carrier's NAT, so this only stops guessing over many accounts).
    pub claim_failures_per_address: usize,
    pub claim_window: Duration,
    /// Create demo accounts on first start with an empty database.
    pub demo: bool,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

impl Config {
    /// Defaults with the given data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            database_url: None,
            objects: None,
            objects_prefix: None,
            db_acquire_timeout: Duration::from_secs(5),
            db_connections: 16,
            routes_dir: None,
            max_upload_bytes: 20 * 1000 * 1000,
            max_body_bytes: 1024 * 1024,
            token_ttl: Duration::from_secs(3600),
            session_ttl: Duration::from_secs(8 * 3600),
            request_timeout: Duration::from_secs(30),
            login_failures_per_account: 5,
            login_failures_per_address: 50,
            login_window: Duration::from_secs(15 * 60),
            claim_failures_per_account: 5,
            claim_failures_per_address: 50,
            claim_window: Duration::from_secs(15 * 60),
            demo: true,
            secure_cookies: false,
        }
    }
}

impl Config {
    /// What the store needs of this configuration.
    pub fn store_config(&self) -> motcua_store::StoreConfig {
        motcua_store::StoreConfig {
            database_url: self.database_url.clone(),
            objects: self.objects.clone(),
            objects_prefix: self.objects_prefix.clone(),
            acquire_timeout: self.db_acquire_timeout,
            max_connections: self.db_connections,
            ..motcua_store::StoreConfig::embedded(&self.data_dir)
        }
    }
}

/// Shared state of every handler: one reference-counted pointer, since axum clones the
/// state for every extractor and middleware of every request (a clone of the fields
/// themselves was a dozen atomic counters contended between the cores).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;
    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] points to.
pub struct SharedState {
    pub store: Store,
    pub config: Arc<Config>,
    pub throttle: Arc<auth::LoginThrottle>,
    /// The dossier-claim throttle (the sign-in throttle's mechanism, keys `claim:{account}`).
    pub claim_throttle: Arc<auth::LoginThrottle>,
    /// The working calendar: shipped decisions merged with those loaded by administrators;
    /// replaced whole when a new decision is loaded.
    calendar: Arc<std::sync::RwLock<Arc<VietnamCalendar>>>,
    /// Serialises calendar rebuilds, so the last load is the calendar in force.
    calendar_reload: Arc<tokio::sync::Mutex<()>>,
    /// The processing routes, validated at start.
    pub routes: Arc<motcua_core::route::RouteSet>,
}

impl SharedState {
    /// The working calendar in force.
    pub fn calendar(&self) -> Arc<VietnamCalendar> {
        self.calendar.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Rebuilds the calendar from the shipped and loaded decisions.
    ///
    /// # Errors
    /// Store errors, or a stored decisions file that no longer parses.
    pub async fn reload_calendar(&self) -> Result<(), StartError> {
        let _one_at_a_time = self.calendar_reload.lock().await;
        let cal = bootstrap::build_calendar(&self.store).await?;
        *self.calendar.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(cal);
        Ok(())
    }
}

/// A built server, ready to run.
pub struct App {
    listener: TcpListener,
    router: Router,
    /// Demo accounts created at this start (username, password, role), to print once.
    pub demo_accounts: Vec<bootstrap::DemoAccount>,
    /// The store, for the CLI and for tests that set up accounts.
    pub store: Store,
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] motcua_store::StoreError),
    #[error("bundled data: {0}")]
    Data(String),
    #[error("route definitions:\n{0}")]
    Routes(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl App {
    /// Opens the store (running migrations), loads the bundled catalogue, units and agencies
    /// on first start, creates demo accounts when configured, and builds the router.
    ///
    /// # Errors
    /// Store or bundled-data errors.
    pub async fn build(config: Config, listener: TcpListener) -> Result<App, StartError> {
        let store = Store::connect(&config.store_config()).await?;
        bootstrap::load_reference_data(&store).await?;
        let demo_accounts = if config.demo { bootstrap::create_demo_accounts(&store).await? } else { vec![] };
        let throttle = auth::LoginThrottle::new(
            config.login_window,
            config.login_failures_per_account,
            config.login_failures_per_address,
        );
        let claim_throttle = auth::LoginThrottle::new(
            config.claim_window,
            config.claim_failures_per_account,
            config.claim_failures_per_address,
        );
        let calendar = Arc::new(std::sync::RwLock::new(Arc::new(bootstrap::build_calendar(&store).await?)));
        let routes = Arc::new(load_routes(&store, config.routes_dir.as_deref()).await?);
        let state = AppState(Arc::new(SharedState {
            store: store.clone(),
            config: Arc::new(config),
            throttle: Arc::new(throttle),
            claim_throttle: Arc::new(claim_throttle),
            calendar,
            calendar_reload: Arc::default(),
            routes,
        }));
        Ok(App { listener, router: router(state), demo_accounts, store })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until the process is stopped (or Ctrl-C).
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }
}

/// The route definitions of `dir` (or the shipped ones), checked against the procedures in
/// the store.
///
/// # Errors
/// [`StartError::Routes`] listing every problem with its file and line; I/O and store errors.
pub async fn load_routes(
    store: &Store,
    dir: Option<&std::path::Path>,
) -> Result<motcua_core::route::RouteSet, StartError> {
    let files: Vec<(String, String)> = match dir {
        Some(d) => routes::read_dir(d).map_err(|e| StartError::Routes(format!("{}: {e}", d.display())))?,
        None => routes::SHIPPED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
    };
    let set = motcua_core::route::check_set(&files).map_err(|p| StartError::Routes(routes::report(&p)))?;
    let mut procedures = std::collections::HashMap::new();
    for r in set.routes() {
        if let motcua_core::route::AppliesTo::Procedures(codes) = &r.applies_to {
            for code in codes {
                if let Some(p) = store.procedure(code).await? {
                    procedures.insert(code.clone(), p);
                }
            }
        }
    }
    routes::check(&files, |c| procedures.get(c).cloned()).map_err(|p| StartError::Routes(routes::report(&p)))
}

/// Content-Security-Policy: our own scripts, styles and images only; no framing; forms
/// post only to us.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    // Uploads get their own, larger limit (the document limit plus room for the form).
    let upload_limit = usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024);
    Router::new()
        .merge(api::router(&state, upload_limit))
        .merge(web::router(upload_limit))
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(error::localise_problems))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(middleware::from_fn(no_store_for_private))
        .layer(middleware::from_fn_with_state(state.clone(), request_timeout))
        // gzip or brotli, as the client accepts (pages fit the 50 KB budget of issue 6 this
        // way); not for images and PDFs, which are compressed already.
        .layer(compression())
        // One line per request: method, path, status, latency (no bodies, no personal data).
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// Response compression: gzip or brotli by `Accept-Encoding`, for text answers only.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    let predicate = DefaultPredicate::new().and(NotForContentType::const_new("application/pdf"));
    tower_http::compression::CompressionLayer::new().no_deflate().no_zstd().compress_when(predicate)
}

/// Answers 503 with Retry-After when a request takes longer than `request_timeout`; uploads
/// (multipart bodies) are left to run. The store does not ping a connection before each use
/// (one round trip saved per request), so this bounds a query on a connection the network
/// has silently dropped.
async fn request_timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let upload = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    if upload {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let lang = auth::request_lang(req.uri().query(), req.headers());
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(timeout = ?state.config.request_timeout, "request timed out");
            if api {
                error::problem_response(&error::AppError::Unavailable, lang)
            } else {
                web::render_error(&error::AppError::Unavailable, i18n::Tr::new(lang))
            }
        }
    }
}

/// Pages and API answers about people are not cached by shared caches.
async fn no_store_for_private(req: Request, next: Next) -> Response {
    let private = !req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    if private && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
