//! Documents in object storage, against a real S3-compatible server (moto's server, which
//! `.ci/s3.sh` installs from PyPI and starts on loopback) and against a local directory: the
//! same content-addressed layout, read-back, deduplication, listing and orphan sweep on both.
//!
//! The S3 tests need `MOTCUA_TEST_S3_ENDPOINT` (`eval "$(.ci/s3.sh)"` sets it); without it they
//! print why they skip. Each creates its own bucket, so they run in parallel and leave the
//! others alone. They use the object layer only (no database): `documents::object_path` is the
//! key `Store::add_document` writes, `documents::sweep_unreferenced` the sweep behind
//! `Store::gc_documents`.

use motcua_store::objects;

use bytes::Bytes;
use chrono::Utc;
use motcua_store::documents::{object_path, sweep_unreferenced, GcReport};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use objects::ObjectsConfig;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The S3 server's base URL, or `None` (after saying so) when the tests should skip.
fn s3_endpoint(test: &str) -> Option<String> {
    match std::env::var("MOTCUA_TEST_S3_ENDPOINT") {
        Ok(e) if !e.trim().is_empty() => Some(e.trim().trim_end_matches('/').to_string()),
        _ => {
            eprintln!(
                "{test}: skipped: set MOTCUA_TEST_S3_ENDPOINT (`eval \"$(.ci/s3.sh)\"` starts a local S3 server and sets it)"
            );
            None
        }
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
}

/// The configuration of an S3 bucket, read as production reads it (`MOTCUA_S3_*`).
fn s3_config(endpoint: &str, bucket: &str) -> ObjectsConfig {
    let vars = [
        ("MOTCUA_S3_ENDPOINT", endpoint.to_string()),
        ("MOTCUA_S3_BUCKET", bucket.to_string()),
        ("MOTCUA_S3_REGION", env_or("MOTCUA_TEST_S3_REGION", "us-east-1")),
        ("MOTCUA_S3_ACCESS_KEY_ID", env_or("MOTCUA_TEST_S3_ACCESS_KEY_ID", "motcua-test")),
        ("MOTCUA_S3_SECRET_ACCESS_KEY", env_or("MOTCUA_TEST_S3_SECRET_ACCESS_KEY", "motcua-test-secret")),
    ];
    ObjectsConfig::from_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
        .expect("MOTCUA_S3_BUCKET is set")
}

/// A new, empty bucket (S3 CreateBucket: `PUT /{bucket}`; moto takes it unsigned) and its
/// configuration.
async fn fresh_bucket(endpoint: &str) -> ObjectsConfig {
    let bucket = format!("motcua-test-{}", uuid::Uuid::new_v4().simple());
    let resp = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("S3 server at {endpoint} does not answer (is `.ci/s3.sh` running?): {e}"));
    assert!(resp.status().is_success(), "creating bucket {bucket}: {} {}", resp.status(), resp.text().await.unwrap());
    s3_config(endpoint, &bucket)
}

/// `len` bytes of deterministic noise (every byte value occurs), different for each `seed`.
fn content(seed: u8, len: usize) -> Bytes {
    let mut out = Vec::with_capacity(len);
    let mut block = Sha256::digest([seed]);
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(len);
    Bytes::from(out)
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores `bytes` as `Store::add_document` does; returns its SHA-256.
async fn put_document(store: &dyn ObjectStore, bytes: &Bytes) -> String {
    let sha = sha_hex(bytes);
    store.put(&object_path(&sha), bytes.clone().into()).await.expect("put");
    sha
}

async fn list_documents(store: &dyn ObjectStore) -> Vec<object_store::ObjectMeta> {
    use futures_util::StreamExt;
    let mut all: Vec<_> = store
        .list(Some(&ObjectPath::from("sha256")))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|m| m.unwrap())
        .collect();
    all.sort_by(|a, b| a.location.cmp(&b.location));
    all
}

async fn exists(store: &dyn ObjectStore, path: &ObjectPath) -> bool {
    match store.head(path).await {
        Ok(_) => true,
        Err(object_store::Error::NotFound { .. }) => false,
        Err(e) => panic!("head {path}: {e}"),
    }
}

async fn sweep(store: &dyn ObjectStore, grace: chrono::Duration, referenced: &HashSet<String>) -> GcReport {
    sweep_unreferenced(store, Utc::now() - grace, |sha| {
        let r = referenced.contains(&sha);
        async move { Ok(r) }
    })
    .await
    .expect("sweep")
}

/// Written by SHA-256 path, read back byte for byte, stored once however often it is written,
/// listed with its size.
async fn round_trip(store: &dyn ObjectStore) {
    let doc = content(1, 300 * 1024 + 7);
    let sha = put_document(store, &doc).await;
    assert_eq!(put_document(store, &doc).await, sha, "same content, same key");
    let other = content(2, 1);
    let other_sha = put_document(store, &other).await;

    let listed = list_documents(store).await;
    let mut want = vec![(object_path(&sha), doc.len()), (object_path(&other_sha), 1)];
    want.sort();
    assert_eq!(listed.iter().map(|m| (m.location.clone(), m.size as usize)).collect::<Vec<_>>(), want);
    assert_eq!(object_path(&sha).to_string(), format!("sha256/{}/{sha}", &sha[..2]));

    let back = store.get(&object_path(&sha)).await.expect("get").bytes().await.expect("body");
    assert_eq!(back.len(), doc.len());
    assert!(back == doc, "the bytes read back differ from the bytes written");
    assert_eq!(store.head(&object_path(&sha)).await.expect("head").size as usize, doc.len());
    let missing = object_path(&sha_hex(b"never written"));
    assert!(matches!(store.get(&missing).await, Err(object_store::Error::NotFound { .. })));
}

/// The orphan sweep: an unreferenced object older than the grace period goes; a referenced
/// one, a recent one, one rewritten since (same content uploaded again) and anything outside
/// `sha256/` stay. `LastModified` on S3 has whole seconds, hence the 3 s between the two
/// generations and the 2 s grace.
async fn sweep_orphans(store: &dyn ObjectStore) {
    let referenced_doc = put_document(store, &content(10, 5000)).await;
    let orphan = put_document(store, &content(11, 6000)).await;
    let rewritten = content(12, 7000);
    let rewritten_sha = put_document(store, &rewritten).await;
    let elsewhere = ObjectPath::from("elsewhere/old-file");
    store.put(&elsewhere, Bytes::from_static(b"not a document").into()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let recent = put_document(store, &content(13, 8000)).await;
    put_document(store, &rewritten).await;

    let referenced: HashSet<String> = [referenced_doc.clone()].into();
    let grace = chrono::Duration::seconds(2);
    let report = sweep(store, grace, &referenced).await;
    assert_eq!(
        (report.scanned, report.referenced, report.too_recent, report.deleted),
        (4, 1, 2, 1),
        "scanned, referenced, too recent, deleted: {report:?}"
    );
    assert!(!exists(store, &object_path(&orphan)).await, "the old orphan is deleted");
    for kept in [&referenced_doc, &recent, &rewritten_sha] {
        assert!(exists(store, &object_path(kept)).await, "{kept} is kept");
    }
    assert!(exists(store, &elsewhere).await, "objects outside sha256/ are not the sweep's");

    let again = sweep(store, grace, &referenced).await;
    assert_eq!((again.scanned, again.deleted), (3, 0), "{again:?}");
    // With no grace and no reference, everything under sha256/ goes, and only that.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let all = sweep(store, chrono::Duration::zero(), &HashSet::new()).await;
    assert_eq!((all.scanned, all.deleted), (3, 3), "{all:?}");
    assert!(list_documents(store).await.is_empty());
    assert!(exists(store, &elsewhere).await);
}

#[tokio::test]
async fn s3_round_trip_is_content_addressed() {
    let Some(endpoint) = s3_endpoint("s3_round_trip_is_content_addressed") else { return };
    let cfg = fresh_bucket(&endpoint).await;
    let store = objects::open(&cfg).expect("open");
    objects::check_writable(store.as_ref()).await.expect("the fresh bucket takes writes");
    round_trip(store.as_ref()).await;

    // The keys sit at the bucket's root, exactly as documented (path-style addressing, no hidden
    // prefix): the root holds `sha256/` and nothing else (the start check cleaned up after itself).
    let root = store.list_with_delimiter(None).await.expect("list the bucket root");
    assert!(root.objects.is_empty(), "{:?}", root.objects);
    assert_eq!(root.common_prefixes, vec![ObjectPath::from("sha256")]);
}

#[tokio::test]
async fn s3_sweep_removes_only_old_orphans() {
    let Some(endpoint) = s3_endpoint("s3_sweep_removes_only_old_orphans") else { return };
    let store = objects::open(&fresh_bucket(&endpoint).await).expect("open");
    sweep_orphans(store.as_ref()).await;
}

#[tokio::test]
async fn s3_missing_bucket_is_reported_by_the_start_check() {
    let Some(endpoint) = s3_endpoint("s3_missing_bucket_is_reported_by_the_start_check") else { return };
    let bucket = format!("motcua-missing-{}", uuid::Uuid::new_v4().simple());
    let store = objects::open(&s3_config(&endpoint, &bucket)).expect("open makes no request");
    let err = objects::check_writable(store.as_ref()).await.expect_err("no such bucket");
    let msg = err.to_string();
    eprintln!("missing bucket reported as: {msg}");
    assert!(msg.contains("NoSuchBucket") || msg.contains(&bucket), "the error says what is wrong: {msg}");
}

#[tokio::test]
async fn local_directory_behaves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ObjectsConfig::Local { dir: dir.path().join("documents") };
    let store: Arc<dyn ObjectStore> = objects::open(&cfg).expect("open creates the directory");
    objects::check_writable(store.as_ref()).await.expect("writable");
    round_trip(store.as_ref()).await;
    assert!(dir.path().join("documents/sha256").is_dir());
    let store = objects::open(&ObjectsConfig::Local { dir: dir.path().join("other") }).unwrap();
    sweep_orphans(store.as_ref()).await;
}

#[test]
fn configuration_from_the_environment() {
    let from = |vars: &[(&str, &str)]| {
        ObjectsConfig::from_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
    };
    assert_eq!(from(&[]), None, "no bucket: the local directory");
    assert_eq!(from(&[("MOTCUA_S3_BUCKET", " "), ("MOTCUA_S3_ENDPOINT", "http://127.0.0.1:9000")]), None);

    let aws = from(&[("MOTCUA_S3_BUCKET", "docs")]).unwrap();
    assert_eq!(
        aws,
        ObjectsConfig::S3 {
            endpoint: "https://s3.us-east-1.amazonaws.com".into(),
            bucket: "docs".into(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            allow_http: false,
        }
    );
    assert_eq!(aws.describe(), "S3 bucket \"docs\" at https://s3.us-east-1.amazonaws.com");

    let local = from(&[
        ("MOTCUA_S3_BUCKET", "docs"),
        ("MOTCUA_S3_ENDPOINT", "http://127.0.0.1:9000/"),
        ("MOTCUA_S3_REGION", "ap-southeast-1"),
        ("MOTCUA_S3_ACCESS_KEY_ID", "AKID"),
        ("MOTCUA_S3_SECRET_ACCESS_KEY", "s3cr3t"),
    ])
    .unwrap();
    let ObjectsConfig::S3 { endpoint, region, allow_http, .. } = &local else { panic!("{local:?}") };
    assert_eq!((endpoint.as_str(), region.as_str(), *allow_http), ("http://127.0.0.1:9000", "ap-southeast-1", true));
    assert!(!format!("{local:?}").contains("s3cr3t"), "Debug hides the secret");

    let allows = |endpoint: &str, flag: Option<&str>| {
        let mut vars = vec![("MOTCUA_S3_BUCKET", "b"), ("MOTCUA_S3_ENDPOINT", endpoint)];
        vars.extend(flag.map(|f| ("MOTCUA_S3_ALLOW_HTTP", f)));
        matches!(from(&vars), Some(ObjectsConfig::S3 { allow_http: true, .. }))
    };
    assert!(allows("http://localhost:9000", None));
    assert!(allows("http://[::1]:9000", None));
    assert!(allows("http://127.0.0.2", None));
    assert!(!allows("http://minio.internal:9000", None), "plain HTTP off loopback needs the opt-in");
    assert!(allows("http://minio.internal:9000", Some("true")));
    assert!(!allows("http://127.0.0.1.example.com", None));
    assert!(!allows("https://127.0.0.1:9000", None), "HTTPS needs no exception");

    assert!(objects::open(&aws).is_ok(), "opening makes no request");
    assert!(objects::open(&ObjectsConfig::Local { dir: "/proc/motcua-cannot-create".into() }).is_err());
    let _ = objects::DEFAULT_REGION;
    let _ = ObjectsConfig::from_env;
}
