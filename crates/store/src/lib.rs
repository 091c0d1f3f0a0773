//! motcua persistence. Every query lives here: handlers never see the pool.
//!
//! Two backends behind the same API, chosen by the database URL: the embedded default is
//! SQLite in WAL mode, with one writer connection (SQLite serialises writers anyway; one
//! connection avoids lock-upgrade failures) and a small pool of readers; production is
//! PostgreSQL (`postgres://…`), one pool for both. Each query is written once, in SQL both
//! accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`), and run on the backend's own pool
//! by [`with_db!`]; each backend has its own migrations.
//! Documents are stored by SHA-256 in object storage, written before the row that names them.

pub mod accounts;
pub mod calendar;
pub mod catalogue;
pub mod documents;
pub mod dossiers;
pub mod form_drafts;
pub mod idempotency;
pub mod objects;
pub mod officials;
pub mod refcache;
pub mod scratch;
pub mod throttle;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or the caller may not see it).
    #[error("not found")]
    NotFound,
    /// A concurrent change won (optimistic version check), or a unique value is taken.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("object storage: {0}")]
    Object(#[from] object_store::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("password hash: {0}")]
    Hash(String),
    /// The configuration cannot be used (an unsupported database URL, say).
    #[error("configuration: {0}")]
    Config(String),
}

/// Durations the store takes (re-exported so callers need not depend on chrono).
pub use chrono::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// True when `key` holds a NUL character. PostgreSQL refuses NUL in text (an error, not "no
/// such row"), and no code, reference or login ever holds one: the lookups answer "none" for
/// such a key on both backends without asking the database.
pub(crate) fn has_nul(key: &str) -> bool {
    key.contains('\0')
}

/// The database pools of one backend.
#[derive(Clone)]
pub(crate) enum Db {
    /// Writes go through `writer` (one connection), reads through `reader`.
    Sqlite { writer: SqlitePool, reader: SqlitePool },
    /// One pool for reads and writes.
    Postgres(PgPool),
}

/// Runs `$body` with `$w` (the pool for writes) and `$r` (the pool for reads) bound to the
/// store's backend: the body is compiled once per backend, so each query is written once and
/// executed with that backend's own types.
macro_rules! with_db {
    ($store:expr, |$w:ident, $r:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { writer, reader } => {
                #[allow(unused_variables)]
                let ($w, $r) = (writer, reader);
                $body
            }
            $crate::Db::Postgres(pool) => {
                #[allow(unused_variables)]
                let ($w, $r) = (pool, pool);
                $body
            }
        }
    };
}
pub(crate) use with_db;

/// Reads a column of a row of either backend (a type both backends decode).
pub(crate) trait Col {
    /// The column's value; panics if the column is missing or of another type (a schema
    /// fault, caught by the tests on both backends).
    fn col<T>(&self, column: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'r> sqlx::Decode<'r, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>;
}

macro_rules! impl_col {
    ($($row:ty),*) => {$(
        impl Col for $row {
            fn col<T>(&self, column: &str) -> T
            where
                T: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
                    + sqlx::Type<sqlx::Sqlite>
                    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
                    + sqlx::Type<sqlx::Postgres>,
            {
                sqlx::Row::get(self, column)
            }
        }
    )*};
}
impl_col!(sqlx::sqlite::SqliteRow, sqlx::postgres::PgRow);

/// Numbers the `?` placeholders of a query built at run time as `$1`, `$2`, … (both backends
/// accept that form). A `?` inside a quoted literal is left alone.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

/// Where the store keeps its rows and its documents.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://…` or `postgres://…` (also `postgresql://…`); `None`: SQLite at
    /// `data_dir/motcua.db`.
    pub database_url: Option<String>,
    /// The embedded database and the local document directory live here.
    pub data_dir: PathBuf,
    /// Connections of the PostgreSQL pool (per server process).
    pub max_connections: u32,
    /// How long a request waits for a connection before the store reports the database
    /// unavailable (the server answers 503 then).
    pub acquire_timeout: std::time::Duration,
    /// Where documents go; `None`: the local directory `data_dir/documents`.
    pub objects: Option<objects::ObjectsConfig>,
    /// A key prefix under which this store keeps its documents (several stores sharing one
    /// bucket, as the tests do); `None`: the bucket's or directory's root.
    pub objects_prefix: Option<String>,
}

impl StoreConfig {
    /// The embedded default: SQLite and documents under `data_dir`.
    pub fn embedded(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            database_url: None,
            data_dir: data_dir.into(),
            max_connections: 16,
            acquire_timeout: std::time::Duration::from_secs(5),
            objects: None,
            objects_prefix: None,
        }
    }
}

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The repository: database pools and the document store.
#[derive(Clone)]
pub struct Store {
    db: Db,
    objects: Arc<dyn object_store::ObjectStore>,
    /// The directory documents are written to when they are local files, to flush each to
    /// disk before its row ([`objects::LocalFiles`]); `None` for S3.
    local_files: Option<objects::LocalFiles>,
    /// Procedures and agencies in memory, shared by the clones of this store.
    refs: Arc<refcache::RefCache>,
    /// API bearer sessions read in the last few seconds (see [`Store::session`]).
    bearer: moka::sync::Cache<String, accounts::Session>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the embedded store under `data_dir` (SQLite `motcua.db`, documents in
    /// `documents/`), creating it if needed, and runs the migrations.
    ///
    /// # Errors
    /// Database, migration or file-system errors.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        Store::connect(&StoreConfig::embedded(data_dir)).await
    }

    /// Opens the store `config` describes and runs the migrations of its backend.
    ///
    /// # Errors
    /// [`StoreError::Config`] for a URL of another kind; database, migration or file-system
    /// errors.
    pub async fn connect(config: &StoreConfig) -> Result<Store> {
        let io = |e: std::io::Error| {
            StoreError::Object(object_store::Error::Generic { store: "local", source: Box::new(e) })
        };
        std::fs::create_dir_all(&config.data_dir).map_err(io)?;
        let objects_config = config
            .objects
            .clone()
            .unwrap_or_else(|| objects::ObjectsConfig::Local { dir: config.data_dir.join("documents") });
        let mut objects = objects::open(&objects_config)?;
        let local_files = match &objects_config {
            objects::ObjectsConfig::Local { dir } => {
                Some(objects::LocalFiles::new(dir, config.objects_prefix.as_deref())?)
            }
            objects::ObjectsConfig::S3 { .. } => None,
        };
        if let Some(prefix) = &config.objects_prefix {
            objects = Arc::new(object_store::prefix::PrefixStore::new(objects, prefix.as_str()));
        }
        // A missing bucket or wrong keys show now, not at a citizen's first upload.
        objects::check_writable(objects.as_ref())
            .await
            .map_err(|e| StoreError::Config(format!("document store {}: {e}", objects_config.describe())))?;
        let db = match config.database_url.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let opts = PgConnectOptions::from_str(url)?.application_name("motcua");
                // No ping before each use: it is a round trip on every request. A connection
                // the server or network closed fails its one query (503, and the pool drops
                // it); one hung by the network is bounded by the server's request timeout.
                let pool = PgPoolOptions::new()
                    .max_connections(config.max_connections)
                    .acquire_timeout(config.acquire_timeout)
                    .test_before_acquire(false)
                    .connect_with(opts)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Db::Postgres(pool)
            }
            None => {
                Store::open_sqlite(&format!("sqlite://{}", config.data_dir.join("motcua.db").display()), config).await?
            }
            Some(url) if url.starts_with("sqlite:") => Store::open_sqlite(url, config).await?,
            Some(url) => {
                let scheme = url.split(':').next().unwrap_or_default();
                return Err(StoreError::Config(format!(
                    "unsupported database URL scheme {scheme:?}: use sqlite://… or postgres://…"
                )));
            }
        };
        Ok(Store {
            db,
            objects,
            local_files,
            refs: Arc::new(refcache::RefCache::new()),
            bearer: accounts::bearer_cache(),
        })
    }

    async fn open_sqlite(url: &str, config: &StoreConfig) -> Result<Db> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: each commit reaches the disk before the answer, so a dossier that was given
            // its code survives a power cut (NORMAL may roll the last commits back then).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(config.acquire_timeout.max(std::time::Duration::from_secs(30)))
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        Ok(Db::Sqlite { writer, reader })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        with_db!(self, |_w, r| sqlx::query("SELECT 1").execute(r).await.is_ok())
    }
}

/// True for database errors that mean "the database does not answer" (503, retry),
/// as opposed to a fault in the request.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL's SQLSTATE class 08 (connection exception), 57P01-57P03 (the server is
        // shutting down, crashed or starting up) and 53300 (too many connections).
        sqlx::Error::Database(d) => {
            d.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300"))
        }
        _ => false,
    }
}

/// True when the database refused a value for its characters: PostgreSQL's 22021 (a NUL, or
/// bytes that are not UTF-8, in text) and 22P05. The caller's input, not a server fault: the
/// lookups refuse NUL before asking, and this catches any path that does not.
pub fn is_bad_characters(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().is_some_and(|c| matches!(c.as_ref(), "22021" | "22P05")))
}

/// The current instant. The one place the store reads the clock, so tests can reason about it.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_outside_literals() {
        assert_eq!(numbered("a = ? AND b LIKE ? ESCAPE '?' OR c = ?"), "a = $1 AND b LIKE $2 ESCAPE '?' OR c = $3");
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }
}
