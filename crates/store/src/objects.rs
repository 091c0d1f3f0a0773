//! Where document bytes live: a local directory (the default) or any S3-compatible service
//! (AWS S3, MinIO, Ceph RGW, Garage, moto's server in the tests), through the `object_store`
//! crate. Either way documents are keyed by their SHA-256 (`sha256/ab/abcd…`, see
//! [`crate::documents::object_path`]), written before the database row that names them and
//! swept by [`crate::documents::sweep_unreferenced`] when no row names them.

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to reach the document store.
#[derive(Clone, PartialEq, Eq)]
pub enum ObjectsConfig {
    /// Files under a local directory (created if missing). One machine only: servers on other
    /// machines do not see these files.
    Local {
        /// The directory; documents go to `dir/sha256/ab/abcd…`.
        dir: PathBuf,
    },
    /// A bucket of an S3-compatible service, addressed path-style
    /// (`{endpoint}/{bucket}/{key}`, which every S3-compatible server understands), signed
    /// with AWS Signature Version 4.
    S3 {
        /// Base URL of the service, scheme included, no bucket:
        /// `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`.
        endpoint: String,
        /// The bucket. It must exist: the store never creates it.
        bucket: String,
        /// The region the requests are signed for (`us-east-1` for most non-AWS servers).
        region: String,
        /// Access key id. Empty: `object_store`'s own credential chain (for example EC2/ECS
        /// instance metadata) is used instead of static keys, and likewise for the secret.
        access_key_id: String,
        /// Secret access key (never printed by this type's `Debug`).
        secret_access_key: String,
        /// Allow plain `http://` endpoints. Documents and signed requests then cross the network
        /// unencrypted: meant for a server on loopback or in a private network.
        allow_http: bool,
    },
}

impl std::fmt::Debug for ObjectsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectsConfig::Local { dir } => f.debug_struct("Local").field("dir", dir).finish(),
            ObjectsConfig::S3 { endpoint, bucket, region, access_key_id, secret_access_key: _, allow_http } => f
                .debug_struct("S3")
                .field("endpoint", endpoint)
                .field("bucket", bucket)
                .field("region", region)
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &"<redacted>")
                .field("allow_http", allow_http)
                .finish(),
        }
    }
}

/// Region used when `MOTCUA_S3_REGION` is unset.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Retries of one request to S3 (connection errors, 5xx, throttling) before the error
/// reaches the caller. `object_store`'s default (10 retries within 3 minutes) would keep a
/// citizen's upload hanging for minutes; a few quick retries, then "please retry", is better.
const S3_MAX_RETRIES: usize = 3;
/// Upper bound on the time spent retrying one request.
const S3_RETRY_TIMEOUT: Duration = Duration::from_secs(15);
/// Time allowed to open a connection to the endpoint.
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for one whole request (a 20 MB document at 1 MB/s fits).
const S3_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl ObjectsConfig {
    /// The S3 configuration from the environment, or `None` when `MOTCUA_S3_BUCKET` is unset
    /// or empty (the caller then uses [`ObjectsConfig::Local`]):
    ///
    /// - `MOTCUA_S3_BUCKET`: the bucket (required for S3);
    /// - `MOTCUA_S3_ENDPOINT`: base URL (default `https://s3.{region}.amazonaws.com`);
    /// - `MOTCUA_S3_REGION`: signing region (default `us-east-1`);
    /// - `MOTCUA_S3_ACCESS_KEY_ID`, `MOTCUA_S3_SECRET_ACCESS_KEY`: static credentials (unset:
    ///   `object_store`'s credential chain, e.g. instance metadata);
    /// - `MOTCUA_S3_ALLOW_HTTP`: `1`/`true` to allow an `http://` endpoint that is not on
    ///   loopback (`http://` on 127.0.0.0/8, `[::1]` or `localhost` is always allowed).
    pub fn from_env() -> Option<ObjectsConfig> {
        ObjectsConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ObjectsConfig::from_env`] reading the variables through `var` (for tests, or another
    /// source of settings).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Option<ObjectsConfig> {
        let get = |name: &str| var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let bucket = get("MOTCUA_S3_BUCKET")?;
        let region = get("MOTCUA_S3_REGION").unwrap_or_else(|| DEFAULT_REGION.to_string());
        let endpoint = get("MOTCUA_S3_ENDPOINT")
            .map(|e| e.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let allow_http = is_loopback_http(&endpoint)
            || get("MOTCUA_S3_ALLOW_HTTP").is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true"));
        Some(ObjectsConfig::S3 {
            endpoint,
            bucket,
            region,
            access_key_id: get("MOTCUA_S3_ACCESS_KEY_ID").unwrap_or_default(),
            secret_access_key: get("MOTCUA_S3_SECRET_ACCESS_KEY").unwrap_or_default(),
            allow_http,
        })
    }

    /// A short description for logs and error messages (no secret).
    pub fn describe(&self) -> String {
        match self {
            ObjectsConfig::Local { dir } => format!("local directory {}", dir.display()),
            ObjectsConfig::S3 { endpoint, bucket, .. } => format!("S3 bucket {bucket:?} at {endpoint}"),
        }
    }
}

/// True for `http://127.x.x.x`, `http://[::1]` and `http://localhost` (with or without a port).
fn is_loopback_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else { return false };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Opens the document store `cfg` describes. No request is made (an S3 bucket that does not
/// exist, or refuses writes, shows at the first request: call [`check_writable`] at start).
///
/// # Errors
/// [`crate::StoreError::Object`]: the local directory cannot be created, or the S3 settings
/// are invalid (malformed endpoint, `http://` not allowed, empty bucket).
pub fn open(cfg: &ObjectsConfig) -> Result<Arc<dyn ObjectStore>, crate::StoreError> {
    match cfg {
        ObjectsConfig::Local { dir } => {
            std::fs::create_dir_all(dir).map_err(|e| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: format!("cannot create the document directory {}: {e}", dir.display()).into(),
            })?;
            Ok(Arc::new(LocalFileSystem::new_with_prefix(dir)?))
        }
        ObjectsConfig::S3 { endpoint, bucket, region, access_key_id, secret_access_key, allow_http } => {
            let mut b = AmazonS3Builder::new()
                .with_endpoint(endpoint)
                .with_bucket_name(bucket)
                .with_region(region)
                .with_virtual_hosted_style_request(false)
                .with_client_options(
                    ClientOptions::new()
                        .with_allow_http(*allow_http)
                        .with_connect_timeout(S3_CONNECT_TIMEOUT)
                        .with_timeout(S3_REQUEST_TIMEOUT),
                )
                .with_retry(RetryConfig {
                    max_retries: S3_MAX_RETRIES,
                    retry_timeout: S3_RETRY_TIMEOUT,
                    ..RetryConfig::default()
                });
            if !access_key_id.is_empty() || !secret_access_key.is_empty() {
                b = b.with_access_key_id(access_key_id).with_secret_access_key(secret_access_key);
            }
            Ok(Arc::new(b.build()?))
        }
    }
}

/// The local directory documents are written to, kept to flush each document to disk before
/// a row names it. `object_store`'s local store writes a staging file and renames it without
/// `fsync`, which would leave the bytes and the new names in the page cache: after a power cut
/// a dossier's row could outlive its document. S3-compatible services answer a PUT only once
/// the object is stored, so they need nothing of the kind.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    /// Resolves a key to its file exactly as the store that wrote it does.
    fs: Arc<LocalFileSystem>,
    /// The directory, canonical (as `fs` resolves paths).
    root: PathBuf,
    /// The store's key prefix ([`crate::StoreConfig::objects_prefix`]), if any.
    prefix: Option<object_store::path::Path>,
}

impl LocalFiles {
    /// The local directory `dir` (which [`open`] has created), with the key prefix `prefix`.
    /// Flushes the entry naming `dir` in its parent once, since `open` may have just made it.
    ///
    /// # Errors
    /// [`crate::StoreError::Object`] when `dir` cannot be resolved or its parent flushed.
    pub fn new(dir: &std::path::Path, prefix: Option<&str>) -> Result<LocalFiles, crate::StoreError> {
        let fs = Arc::new(LocalFileSystem::new_with_prefix(dir)?);
        let root = std::fs::canonicalize(dir)
            .and_then(|root| {
                root.parent().map_or(Ok(()), sync_dir)?;
                Ok(root)
            })
            .map_err(|e| flush_error(&dir.display().to_string(), &e))?;
        Ok(LocalFiles { fs, root, prefix: prefix.map(object_store::path::Path::from) })
    }

    /// Flushes the document `key`, just written through the store, to disk: the file, then
    /// each directory from the file's own up to the root (`sha256/ab/` may have just been
    /// created).
    ///
    /// # Errors
    /// [`crate::StoreError::Object`] naming the file or directory whose flush failed; the
    /// caller then writes no row, and the file, if any, is an orphan for `motcua storage gc`.
    pub async fn flush(&self, key: &object_store::path::Path) -> Result<(), crate::StoreError> {
        let full = match &self.prefix {
            Some(p) => p.parts().chain(key.parts()).collect(),
            None => key.clone(),
        };
        let file = self.fs.path_to_filesystem(&full)?;
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::File::open(&file)
                .and_then(|f| f.sync_all())
                .map_err(|e| flush_error(&file.display().to_string(), &e))?;
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| d.starts_with(&root)) {
                sync_dir(d).map_err(|e| flush_error(&d.display().to_string(), &e))?;
                dir = d.parent();
            }
            Ok(())
        })
        .await
        .map_err(|e| flush_error(key.as_ref(), &std::io::Error::other(e)))?
    }
}

/// Flushes a directory's entries (the names of files just renamed or created in it). Unix
/// only: elsewhere a directory cannot be opened as a file to flush it.
fn sync_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if cfg!(unix) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn flush_error(what: &str, e: &std::io::Error) -> crate::StoreError {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: format!("cannot flush {what} to disk: {e}").into(),
    }
    .into()
}

/// Writes, reads back and deletes a small object under `motcua-probe/` (outside the
/// `sha256/` prefix the sweep looks at), so that a missing bucket, wrong credentials or a
/// read-only bucket are reported at start rather than at a citizen's first upload.
///
/// # Errors
/// [`crate::StoreError::Object`] from the request that failed (its message names the bucket
/// or path and the service's answer).
pub async fn check_writable(objects: &dyn ObjectStore) -> Result<(), crate::StoreError> {
    let path = object_store::path::Path::from(format!("motcua-probe/{}", uuid::Uuid::new_v4()));
    let body = bytes::Bytes::from_static(b"motcua write probe");
    objects.put(&path, body.clone().into()).await?;
    let back = objects.get(&path).await?.bytes().await?;
    objects.delete(&path).await?;
    if back != body {
        return Err(object_store::Error::Generic {
            store: "probe",
            source: "the object read back differs from the one written".into(),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flush finds the file `object_store` wrote under the key, and a key with no file is
    /// an error naming it (the upload is refused rather than a row naming nothing). Whether the
    /// bytes reached the platter is beyond a test: that takes a power cut.
    #[tokio::test]
    async fn a_local_document_is_flushed_where_it_was_written_with_or_without_a_prefix_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for prefix in [None, Some("tinh-01/documents")] {
            let mut store = open(&ObjectsConfig::Local { dir: dir.path().to_path_buf() }).unwrap();
            if let Some(p) = prefix {
                store = Arc::new(object_store::prefix::PrefixStore::new(store, p));
            }
            let files = LocalFiles::new(dir.path(), prefix).unwrap();
            let key = object_store::path::Path::from("sha256/ab/ab01");
            store.put(&key, bytes::Bytes::from_static(b"%PDF-1.7 scanned form").into()).await.unwrap();
            files.flush(&key).await.unwrap();
            let on_disk = prefix.map_or_else(|| dir.path().to_path_buf(), |p| dir.path().join(p));
            assert_eq!(
                std::fs::read(on_disk.join("sha256").join("ab").join("ab01")).unwrap(),
                b"%PDF-1.7 scanned form"
            );

            let missing = object_store::path::Path::from("sha256/cd/cd02");
            let err = files.flush(&missing).await.unwrap_err().to_string();
            assert!(err.contains("cd02") && err.contains("cannot flush"), "{err}");
        }
    }
}
