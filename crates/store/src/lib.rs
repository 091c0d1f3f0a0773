//! motcua persistence. Every query lives here: handlers never see the pool.
//!
//! The embedded default is SQLite in WAL mode, with one writer connection (SQLite serialises
//! writers anyway; one connection avoids lock-upgrade failures) and a small pool of readers.
//! Documents are stored by SHA-256 in object storage, written before the row that names them.

pub mod accounts;
pub mod calendar;
pub mod catalogue;
pub mod documents;
pub mod dossiers;
pub mod idempotency;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
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
}

/// Durations the store takes (re-exported so callers need not depend on chrono).
pub use chrono::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The repository: database pools and the document store.
#[derive(Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    objects: Arc<dyn object_store::ObjectStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database `data_dir/motcua.db` and the document
    /// directory `data_dir/documents`, and runs the migrations.
    ///
    /// # Errors
    /// Database, migration or file-system errors.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir.join("documents"))
            .map_err(|e| StoreError::Object(object_store::Error::Generic { store: "local", source: Box::new(e) }))?;
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", data_dir.join("motcua.db").display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(data_dir.join("documents"))?;
        Ok(Store { writer, reader, objects: Arc::new(objects) })
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.reader).await.is_ok()
    }
}

/// True for database errors that mean "the database does not answer" (503, retry),
/// as opposed to a fault in the request.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed)
}

/// The current instant. The one place the store reads the clock, so tests can reason about it.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
