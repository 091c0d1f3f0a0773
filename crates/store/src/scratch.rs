//! Scratch PostgreSQL databases for tests and benchmarks: each run gets a fresh, empty
//! database on a server it is given, so tests in parallel never see each other's rows.

use crate::{Result, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;

/// The prefix of every scratch database's name (so that a cleanup can find them).
pub const PREFIX: &str = "motcua_t_";

/// Creates an empty database named `motcua_t_<random hex>` on the server `admin_url` points to
/// (the URL of any database there the role may connect to, e.g. `postgres://127.0.0.1/test`)
/// and returns the new database's URL.
///
/// # Errors
/// [`StoreError::Config`] for a URL that is not `postgres://…`; connection or permission errors.
pub async fn create_postgres_database(admin_url: &str) -> Result<String> {
    if !(admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://")) {
        return Err(StoreError::Config(format!("not a PostgreSQL URL: {admin_url}")));
    }
    let opts = PgConnectOptions::from_str(admin_url)?;
    let name = format!("{PREFIX}{}", hex::encode(rand::random::<[u8; 8]>()));
    let mut admin = sqlx::PgConnection::connect_with(&opts).await?;
    // The name is ours (prefix and hex), so quoting it is enough.
    sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await?;
    admin.close().await?;
    Ok(opts.database(&name).to_url_lossy().to_string())
}

/// The environment variable that points the test suites at a PostgreSQL server
/// (e.g. `postgres://127.0.0.1:5432/test`); unset, they run on SQLite.
pub const TEST_DATABASE_ENV: &str = "MOTCUA_TEST_DATABASE_URL";

/// The environment variable that points the test suites at an S3-compatible server
/// (e.g. `http://127.0.0.1:9000`); its bucket is `MOTCUA_TEST_S3_BUCKET` (default
/// `motcua-test`, which must exist). Unset, documents go to a local directory.
pub const TEST_S3_ENV: &str = "MOTCUA_TEST_S3_ENDPOINT";

/// The store configuration for one test: a fresh scratch PostgreSQL database when
/// [`TEST_DATABASE_ENV`] is set, else the embedded SQLite store in `data_dir`; documents in
/// the S3 server of [`TEST_S3_ENV`] under a prefix of the test's own when that is set.
///
/// # Panics
/// When the variable is set but the scratch database cannot be created (a test run that
/// asked for PostgreSQL must not quietly run on SQLite).
pub async fn config_for_tests(data_dir: &std::path::Path) -> crate::StoreConfig {
    let mut config = crate::StoreConfig::embedded(data_dir);
    if let Ok(admin) = std::env::var(TEST_DATABASE_ENV) {
        let url = create_postgres_database(&admin)
            .await
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_ENV}={admin}: cannot create a scratch database: {e}"));
        config.database_url = Some(url);
    }
    if let Ok(endpoint) = std::env::var(TEST_S3_ENV) {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        config.objects = Some(crate::objects::ObjectsConfig::S3 {
            allow_http: endpoint.starts_with("http://"),
            endpoint,
            bucket: var("MOTCUA_TEST_S3_BUCKET", "motcua-test"),
            region: var("MOTCUA_TEST_S3_REGION", crate::objects::DEFAULT_REGION),
            access_key_id: var("MOTCUA_TEST_S3_ACCESS_KEY_ID", "test"),
            secret_access_key: var("MOTCUA_TEST_S3_SECRET_ACCESS_KEY", "test"),
        });
        config.objects_prefix = Some(format!("test-{}", hex::encode(rand::random::<[u8; 8]>())));
    }
    config
}
