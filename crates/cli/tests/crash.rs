//! The crash test of issue 4: the real `motcua serve` process, loaded by many concurrent
//! clients (create a draft, upload a PDF, submit, each call with an `Idempotency-Key`), is
//! killed with SIGKILL mid-load and restarted on the same data. Then:
//!
//! - every submission that got its success answer is there exactly once, submitted, with its
//!   document downloadable and byte-identical to what was sent;
//! - dossier codes are unique and gap-free per agency and day;
//! - no half-written dossier: every document row has its file (every document of every dossier
//!   is downloaded), and the files without a row are orphans that `motcua storage gc` removes,
//!   after which every stored file is referenced;
//! - the requests that got no answer, retried with the same `Idempotency-Key` (at once, and
//!   again once their reservation is stale, as a client retrying a few minutes later would),
//!   get their success answer and create no second dossier and no second document.
//!
//! Backends: SQLite and documents in a temporary directory by default; a fresh scratch
//! PostgreSQL database when `MOTCUA_TEST_DATABASE_URL` is set; documents in S3 (a fresh bucket
//! on the server of `MOTCUA_TEST_S3_ENDPOINT`) when that is set. `.ci/run` runs both.

use motcua_store::scratch::{TEST_DATABASE_ENV, TEST_S3_ENV};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");
const CITIZEN: &str = "dan.crash";
const PASSWORD: &str = "mat-khau-crash-test-1";
/// "Xác nhận thông tin về cư trú", received by commune police.
const PROCEDURE: &str = "1.010041";
/// Police of Phường Ba Đình (most of the load) and of Phường Hoàn Kiếm.
const AGENCIES: [&str; 2] = ["CAX.00004", "CAX.00070"];
/// Concurrent clients.
const WORKERS: usize = 16;
/// Successful submissions before the kill.
const KILL_AFTER: usize = 30;
/// Upper bound on the dossiers the load creates (the API lists at most 200 per citizen).
const MAX_DOSSIERS: usize = 150;
/// Generous bounds for a loaded two-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);
const LOAD_TIMEOUT: Duration = Duration::from_secs(120);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// The data the server runs on, and the processes.

/// Where the server keeps its data: a temporary directory, plus PostgreSQL and S3 when the
/// test environment names them.
struct Backend {
    dir: tempfile::TempDir,
    database_url: Option<String>,
    /// Endpoint and bucket.
    s3: Option<(String, String)>,
}

impl Backend {
    async fn new() -> Backend {
        let dir = tempfile::tempdir().expect("tempdir");
        let database_url = match std::env::var(TEST_DATABASE_ENV) {
            Ok(admin) => Some(
                motcua_store::scratch::create_postgres_database(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("{TEST_DATABASE_ENV}={admin}: cannot create a scratch database: {e}")),
            ),
            Err(_) => None,
        };
        let s3 = match std::env::var(TEST_S3_ENV) {
            Ok(endpoint) => {
                let endpoint = endpoint.trim_end_matches('/').to_string();
                Some((endpoint.clone(), fresh_bucket(&endpoint).await))
            }
            Err(_) => None,
        };
        Backend { dir, database_url, s3 }
    }

    fn describe(&self) -> String {
        format!(
            "{} + {}",
            if self.database_url.is_some() { "PostgreSQL" } else { "SQLite" },
            match &self.s3 {
                Some((endpoint, bucket)) => format!("S3 bucket {bucket} at {endpoint}"),
                None => "local documents".into(),
            }
        )
    }

    /// `motcua --data-dir DIR …` with this backend's environment (and nothing inherited that
    /// could point it elsewhere).
    fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(self.dir.path());
        for var in [
            "DATABASE_URL",
            "MOTCUA_DATA_DIR",
            "MOTCUA_ADDR",
            "MOTCUA_S3_BUCKET",
            "MOTCUA_S3_ENDPOINT",
            "MOTCUA_S3_REGION",
            "MOTCUA_S3_ACCESS_KEY_ID",
            "MOTCUA_S3_SECRET_ACCESS_KEY",
            "MOTCUA_S3_ALLOW_HTTP",
            "MOTCUA_PASSWORD",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("RUST_LOG", "warn,sqlx=error");
        if let Some(url) = &self.database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some((endpoint, bucket)) = &self.s3 {
            let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
            cmd.env("MOTCUA_S3_ENDPOINT", endpoint)
                .env("MOTCUA_S3_BUCKET", bucket)
                .env("MOTCUA_S3_REGION", var("MOTCUA_TEST_S3_REGION", "us-east-1"))
                .env("MOTCUA_S3_ACCESS_KEY_ID", var("MOTCUA_TEST_S3_ACCESS_KEY_ID", "test"))
                .env("MOTCUA_S3_SECRET_ACCESS_KEY", var("MOTCUA_TEST_S3_SECRET_ACCESS_KEY", "test"));
            if endpoint.starts_with("http://") {
                cmd.env("MOTCUA_S3_ALLOW_HTTP", "1");
            }
        }
        cmd
    }

    /// Runs a short `motcua` command to completion; its standard output.
    fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> String {
        let mut cmd = self.command();
        cmd.args(args).stdin(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "motcua {args:?} failed ({}):\n{stdout}\n{stderr}", out.status);
        stdout.into_owned()
    }

    /// Marks every idempotency reservation still in progress as taken two minutes ago: what a
    /// client retrying a few minutes after the crash meets (a reservation older than a minute
    /// is considered abandoned), without the test waiting for it.
    async fn age_reservations(&self) -> u64 {
        let then = chrono::Utc::now() - chrono::Duration::minutes(2);
        let sql = "UPDATE idempotency_keys SET created_at = $1 WHERE status = 0";
        match &self.database_url {
            Some(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("connect to PostgreSQL");
                let n = sqlx::query(sql).bind(then).execute(&pool).await.expect("age reservations").rows_affected();
                pool.close().await;
                n
            }
            None => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(self.dir.path().join("motcua.db"))
                    .busy_timeout(Duration::from_secs(30));
                let pool = sqlx::SqlitePool::connect_with(opts).await.expect("open the SQLite database");
                let n = sqlx::query(sql).bind(then).execute(&pool).await.expect("age reservations").rows_affected();
                pool.close().await;
                n
            }
        }
    }

    /// The SHA-256 names of the stored files, when they are in a local directory.
    fn local_files(&self) -> Option<BTreeSet<String>> {
        fn walk(dir: &Path, out: &mut BTreeSet<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                    out.insert(name.to_string());
                }
            }
        }
        if self.s3.is_some() {
            return None;
        }
        let mut out = BTreeSet::new();
        walk(&self.dir.path().join("documents").join("sha256"), &mut out);
        Some(out)
    }
}

/// A bucket of this run's own on the S3 server (moto takes an unsigned `PUT`, as `.ci/run`
/// relies on), so that `storage gc` with no grace period cannot touch another run's files and
/// its counts are this run's. Falls back to `MOTCUA_TEST_S3_BUCKET` when the server refuses.
async fn fresh_bucket(endpoint: &str) -> String {
    let shared = std::env::var("MOTCUA_TEST_S3_BUCKET").unwrap_or_else(|_| "motcua-test".into());
    let bucket = format!("{shared}-crash-{}", nonce());
    match client().put(format!("{endpoint}/{bucket}")).send().await {
        Ok(res) if res.status().is_success() => bucket,
        other => {
            eprintln!(
                "crash test: cannot create the bucket {bucket} at {endpoint} ({:?}); using {shared}",
                other.map(|r| r.status())
            );
            shared
        }
    }
}

fn nonce() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let h = Sha256::digest(format!("{}-{}", t.as_nanos(), std::process::id()));
    hex::encode(&h[..6])
}

/// A running `motcua serve`; killed (SIGKILL) when dropped, so that a failing test leaves no
/// process behind.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    /// Starts the server on a free port and waits until `/healthz` answers 200.
    async fn start(backend: &Backend, name: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let addr = format!("127.0.0.1:{port}");
        let log = backend.dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = backend
            .command()
            .args(["serve", "--addr", &addr, "--no-demo"])
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let mut server = Server { child, base: format!("http://{addr}"), log };
        let c = Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited at start ({status}):\n{}", server.log_text());
            }
            if let Ok(res) = c.get(server.url("/healthz")).send().await {
                if res.status() == StatusCode::OK {
                    return server;
                }
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the server did not answer /healthz within {START_TIMEOUT:?}:\n{}",
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reaps the process.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------------
// The clients.

fn client() -> Client {
    Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The smallest valid PDF (as the server's tests build it) carrying `text`.
fn pdf_bytes(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n%\u{e2}\u{e3}\n1 0 obj << /Title ({text}) >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn token(server: &Server) -> String {
    let res = client()
        .post(server.url("/api/v1/auth/token"))
        .json(&json!({"username": CITIZEN, "password": PASSWORD}))
        .send()
        .await
        .expect("token request");
    assert_eq!(res.status(), StatusCode::OK, "token");
    res.json::<Value>().await.unwrap()["access_token"].as_str().expect("a token").to_string()
}

/// One logical submission of one client: its reference (also stored in the dossier's form,
/// so that a second dossier made for it would be seen), agency and document.
#[derive(Clone)]
struct Submission {
    reference: String,
    agency: &'static str,
    pdf: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {} ({} bytes)", self.reference, self.agency, self.pdf.len())
    }
}

/// One state-changing call, as sent (and re-sent: same key, same body).
#[derive(Debug, Clone)]
enum Step {
    Create,
    Upload { id: String },
    Submit { id: String },
}

#[derive(Debug, Clone)]
struct Call {
    sub: Submission,
    step: Step,
    key: String,
}

impl Call {
    fn expected(&self) -> StatusCode {
        match self.step {
            Step::Create | Step::Upload { .. } => StatusCode::CREATED,
            Step::Submit { .. } => StatusCode::OK,
        }
    }

    /// Sends the call; `Err` when no full answer came back (connection refused or cut, body
    /// cut short).
    async fn send(&self, c: &Client, base: &str, token: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        let req = match &self.step {
            Step::Create => c.post(format!("{base}/api/v1/dossiers")).json(&json!({
                "procedure_code": PROCEDURE,
                "agency_code": self.sub.agency,
                "applicant": {"full_name": "Nguyễn Thị Hoa", "id_number": "001190012345", "phone": "0987654321",
                              "address": "12 Phố Quán Thánh, Phường Ba Đình, Hà Nội"},
                "delivery": "online",
                "form": {"purpose": "crash test", "ref": self.sub.reference},
            })),
            Step::Upload { id } => {
                let part = reqwest::multipart::Part::bytes(self.sub.pdf.to_vec())
                    .file_name("giay-to.pdf")
                    .mime_str("application/pdf")
                    .unwrap();
                c.post(format!("{base}/api/v1/dossiers/{id}/documents"))
                    .multipart(reqwest::multipart::Form::new().part("file", part))
            }
            Step::Submit { id } => c.post(format!("{base}/api/v1/dossiers/{id}/submit")),
        };
        let res =
            req.bearer_auth(token).header("Idempotency-Key", &self.key).header("Accept-Language", "en").send().await?;
        let status = res.status();
        let body = res.bytes().await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }
}

/// A 409 telling that a request with the same key is still being processed (or died less
/// than a minute ago): the client is to retry later.
fn in_progress(status: StatusCode, body: &Value) -> bool {
    status == StatusCode::CONFLICT && body["detail"].as_str().unwrap_or_default().contains("is being processed")
}

/// A submission that got its success answer.
#[derive(Debug, Clone)]
struct Submitted {
    sub: Submission,
    id: String,
    code: String,
}

/// What the clients saw, shared between them.
#[derive(Default)]
struct Load {
    started: AtomicUsize,
    in_flight: AtomicUsize,
    killed: AtomicBool,
    nonce: String,
    /// The document of every submission started (reference → bytes).
    pdfs: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    successes: Mutex<Vec<Submitted>>,
    /// Drafts whose creation was answered 201 (reference → id).
    created: Mutex<HashMap<String, String>>,
    /// Uploads answered 201 (reference → document id).
    uploaded: Mutex<HashMap<String, String>>,
    /// Calls that got no answer (to retry after the restart).
    unanswered: Mutex<Vec<Call>>,
    /// Answers that were not the expected ones (before the kill, there must be none).
    failures: Mutex<Vec<String>>,
}

enum Outcome {
    Answered(Value),
    NoAnswer,
    Failed,
}

impl Load {
    /// Makes a call as a client would: a 503 (database busy) is retried with the same key;
    /// no answer stops this client (the server is gone); any other answer than the expected
    /// one is recorded as a failure.
    async fn call(&self, c: &Client, base: &str, token: &str, call: &Call) -> Outcome {
        for _ in 0..20 {
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            let r = call.send(c, base, token).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            match r {
                Err(e) => {
                    if !self.killed.load(Ordering::SeqCst) {
                        self.failures.lock().unwrap().push(format!("{call:?}: no answer before the kill: {e}"));
                        return Outcome::Failed;
                    }
                    self.unanswered.lock().unwrap().push(call.clone());
                    return Outcome::NoAnswer;
                }
                Ok((status, body)) if status == call.expected() => return Outcome::Answered(body),
                Ok((StatusCode::SERVICE_UNAVAILABLE, _)) => tokio::time::sleep(Duration::from_millis(200)).await,
                Ok((status, body)) => {
                    self.failures.lock().unwrap().push(format!("{call:?}: answered {status} {body}"));
                    return Outcome::Failed;
                }
            }
        }
        self.failures.lock().unwrap().push(format!("{call:?}: 503 twenty times"));
        Outcome::Failed
    }

    /// One client: submissions one after another until the server goes away.
    async fn client_loop(self: Arc<Self>, worker: usize, base: String, token: String) {
        let c = client();
        for i in 0.. {
            let n = self.started.fetch_add(1, Ordering::SeqCst);
            if n >= MAX_DOSSIERS {
                return;
            }
            let reference = format!("w{worker:02}-{i:03}");
            let sub = Submission {
                agency: AGENCIES[usize::from(n % 4 == 3)],
                pdf: Arc::new(pdf_bytes(&format!("crash test {} {reference}", self.nonce))),
                reference: reference.clone(),
            };
            self.pdfs.lock().unwrap().insert(reference.clone(), sub.pdf.clone());
            let key = |step: &str| format!("crash-{}-{reference}-{step}", self.nonce);
            let create = Call { sub: sub.clone(), step: Step::Create, key: key("create") };
            let id = match self.call(&c, &base, &token, &create).await {
                Outcome::Answered(v) => v["id"].as_str().expect("a dossier id").to_string(),
                _ => return,
            };
            self.created.lock().unwrap().insert(reference.clone(), id.clone());
            let upload = Call { sub: sub.clone(), step: Step::Upload { id: id.clone() }, key: key("upload") };
            match self.call(&c, &base, &token, &upload).await {
                Outcome::Answered(v) => {
                    let doc = v["id"].as_str().expect("a document id").to_string();
                    self.uploaded.lock().unwrap().insert(reference.clone(), doc);
                }
                _ => return,
            }
            let submit = Call { sub: sub.clone(), step: Step::Submit { id: id.clone() }, key: key("submit") };
            match self.call(&c, &base, &token, &submit).await {
                Outcome::Answered(v) => {
                    let code = v["code"].as_str().expect("a code").to_string();
                    self.successes.lock().unwrap().push(Submitted { sub, id, code });
                }
                _ => return,
            }
        }
    }
}

/// `{agency}-{yyMMdd}-{NNNN}` → ((agency, day), number).
fn split_code(code: &str) -> ((String, String), u32) {
    let mut parts = code.rsplitn(3, '-');
    let n = parts.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("code {code}"));
    let day = parts.next().unwrap_or_else(|| panic!("code {code}")).to_string();
    let agency = parts.next().unwrap_or_else(|| panic!("code {code}")).to_string();
    ((agency, day), n)
}

/// Parses `scanned N files: R referenced, T unreferenced but recent (kept), D deleted`.
fn gc_counts(out: &str) -> [usize; 4] {
    let numbers: Vec<usize> =
        out.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    numbers.try_into().unwrap_or_else(|_| panic!("unexpected storage gc output: {out}"))
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_loses_no_answered_submission_and_doubles_none() {
    let t0 = Instant::now();
    let backend = Backend::new().await;
    eprintln!("crash test on {}", backend.describe());
    backend.run(&["users", "create", "--username", CITIZEN, "--role", "citizen"], &[("MOTCUA_PASSWORD", PASSWORD)]);
    let mut server = Server::start(&backend, "serve-1").await;
    let token = token(&server).await;

    // The load, and the kill once enough submissions went through.
    let load = Arc::new(Load { nonce: nonce(), ..Load::default() });
    let workers: Vec<_> =
        (0..WORKERS).map(|w| tokio::spawn(load.clone().client_loop(w, server.base.clone(), token.clone()))).collect();
    let load_start = Instant::now();
    loop {
        let done = load.successes.lock().unwrap().len();
        let failures = load.failures.lock().unwrap().clone();
        assert!(
            failures.is_empty(),
            "before the kill every call gets its answer: {failures:#?}\n{}",
            server.log_text()
        );
        if done >= KILL_AFTER {
            break;
        }
        assert!(
            load_start.elapsed() < LOAD_TIMEOUT && load.started.load(Ordering::SeqCst) < MAX_DOSSIERS,
            "only {done} submissions went through in {:?}",
            load_start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    load.killed.store(true, Ordering::SeqCst);
    let in_flight = load.in_flight.load(Ordering::SeqCst);
    server.kill();
    let load_time = load_start.elapsed();
    for w in workers {
        tokio::time::timeout(REQUEST_TIMEOUT * 2, w).await.expect("the clients stop").expect("a client panicked");
    }
    let failures = load.failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "{failures:#?}");
    let mut successes = load.successes.lock().unwrap().clone();
    let unanswered = load.unanswered.lock().unwrap().clone();
    eprintln!(
        "killed after {load_time:?}: {} submissions answered, {in_flight} calls in flight, {} calls unanswered",
        successes.len(),
        unanswered.len()
    );
    assert!(in_flight > 0 && !unanswered.is_empty(), "the kill happened with calls in flight");

    // Restart on the same data.
    server = Server::start(&backend, "serve-2").await;
    let c = client();
    assert_eq!(
        c.get(server.url("/api/v1/dossiers")).bearer_auth(&token).send().await.unwrap().status(),
        StatusCode::OK,
        "the token survives the restart"
    );

    // Retry every unanswered call with its key and body: at once, then once the reservations
    // are stale (as a client retrying a few minutes later).
    let mut answered_retries = Vec::new();
    let mut later = Vec::new();
    for call in &unanswered {
        let (status, body) = call.send(&c, &server.base, &token).await.expect("a retry gets an answer");
        if status == call.expected() {
            answered_retries.push((call.clone(), body));
        } else if in_progress(status, &body) {
            later.push(call.clone());
        } else {
            panic!("retry of {call:?} after the restart: {status} {body}");
        }
    }
    let aged = backend.age_reservations().await;
    eprintln!(
        "{} retries answered at once, {} in progress ({aged} reservations aged)",
        answered_retries.len(),
        later.len()
    );
    for call in &later {
        let (status, body) = call.send(&c, &server.base, &token).await.expect("a retry gets an answer");
        assert_eq!(status, call.expected(), "retry of {call:?} once its reservation is stale: {body}");
        answered_retries.push((call.clone(), body));
    }
    let mut created = load.created.lock().unwrap().clone();
    let mut uploaded = load.uploaded.lock().unwrap().clone();
    for (call, body) in &answered_retries {
        let r = call.sub.reference.clone();
        match &call.step {
            Step::Create => {
                created.insert(r, body["id"].as_str().expect("an id").to_string());
            }
            Step::Upload { .. } => {
                uploaded.insert(r, body["id"].as_str().expect("a document id").to_string());
            }
            Step::Submit { id } => {
                assert_eq!(body["id"].as_str(), Some(id.as_str()), "{body}");
                let code = body["code"].as_str().expect("a code").to_string();
                successes.push(Submitted { sub: call.sub.clone(), id: id.clone(), code });
            }
        }
    }

    // Every dossier of the citizen, with every document downloaded.
    let sent = load.pdfs.lock().unwrap().clone();
    let list: Value =
        c.get(server.url("/api/v1/dossiers")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let items = list["items"].as_array().expect("items").clone();
    assert!(items.len() < 200, "the listing (at most 200) shows every dossier: {}", items.len());
    let mut by_reference: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut numbers: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    let mut referenced = BTreeSet::new();
    let mut documents = Vec::new();
    for item in &items {
        let id = item["id"].as_str().expect("an id");
        let view: Value = c
            .get(server.url(&format!("/api/v1/dossiers/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let reference =
            view["form"]["ref"].as_str().unwrap_or_else(|| panic!("a dossier of the test: {view}")).to_string();
        match (view["status"].as_str(), view["code"].as_str()) {
            (Some("submitted"), Some(code)) => {
                let (key, n) = split_code(code);
                assert_eq!(key.0, view["agency_code"].as_str().unwrap(), "{code}");
                numbers.entry(key).or_default().push(n);
            }
            (Some("draft"), None) => {}
            other => panic!("a dossier is a draft or submitted with a code: {other:?} {view}"),
        }
        let docs = view["documents"].as_array().expect("documents");
        assert!(docs.len() <= 1, "one upload per submission, none doubled by a retry: {reference} {view}");
        for doc in docs {
            let doc_id = doc["id"].as_str().unwrap();
            let res = c
                .get(server.url(&format!("/api/v1/dossiers/{id}/documents/{doc_id}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "document {doc_id} of {reference} has its file");
            let bytes = res.bytes().await.unwrap();
            let sha = doc["sha256"].as_str().unwrap().to_string();
            assert_eq!(sha256_hex(&bytes), sha, "document {doc_id} of {reference}: the stored bytes");
            let pdf = sent.get(&reference).unwrap_or_else(|| panic!("a submission of this run: {reference}"));
            assert_eq!(bytes.as_ref(), pdf.as_slice(), "document of {reference}: the bytes sent");
            referenced.insert(sha);
            documents.push((id.to_string(), doc_id.to_string(), bytes));
        }
        by_reference.entry(reference).or_default().push(view);
    }
    // No submission made twice.
    for (reference, views) in &by_reference {
        let ids: Vec<_> = views.iter().map(|v| v["id"].clone()).collect();
        assert_eq!(ids.len(), 1, "one dossier per submission: {reference} has {ids:?}");
    }
    // Codes unique and gap-free per agency and day.
    for ((agency, day), ns) in &mut numbers {
        ns.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(ns.len()).unwrap()).collect();
        assert_eq!(*ns, expected, "{agency} on {day}: codes unique and without gaps");
    }
    // Every answered call is there: drafts, documents, and each submission exactly once.
    for (reference, id) in &created {
        let views = by_reference.get(reference).unwrap_or_else(|| panic!("the draft of {reference} ({id}) is lost"));
        assert_eq!(views[0]["id"].as_str(), Some(id.as_str()), "{reference}");
    }
    for (reference, doc) in &uploaded {
        let view = &by_reference[reference][0];
        assert_eq!(view["documents"][0]["id"].as_str(), Some(doc.as_str()), "the document of {reference} is lost");
    }
    let codes: BTreeSet<_> = successes.iter().map(|s| s.code.clone()).collect();
    assert_eq!(codes.len(), successes.len(), "codes are unique");
    for s in &successes {
        let res = c.get(server.url(&format!("/api/v1/dossiers/{}", s.code))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "the submission {} ({}) is there", s.code, s.sub.reference);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["id"].as_str(), Some(s.id.as_str()), "{}", s.code);
        assert_eq!(view["status"].as_str(), Some("submitted"), "{}", s.code);
        assert_eq!(view["form"]["ref"].as_str(), Some(s.sub.reference.as_str()), "{}", s.code);
        assert_eq!(view["agency_code"].as_str(), Some(s.sub.agency), "{}", s.code);
        assert_eq!(view["documents"].as_array().map(Vec::len), Some(1), "{}: its document", s.code);
        assert_eq!(by_reference[&s.sub.reference].len(), 1, "{} exactly once", s.code);
    }

    // Files without rows are only orphans, which the sweep removes; then every file is
    // referenced, and every document still downloads.
    let before = backend.local_files();
    if let Some(files) = &before {
        let missing: Vec<_> = referenced.difference(files).collect();
        assert!(missing.is_empty(), "rows without files: {missing:?}");
    }
    let out = backend.run(&["storage", "gc", "--grace-minutes", "0"], &[]);
    let [scanned, kept_referenced, too_recent, deleted] = gc_counts(&out);
    assert_eq!((kept_referenced, too_recent), (referenced.len(), 0), "{out}");
    assert_eq!(scanned, kept_referenced + deleted, "{out}");
    if let (Some(before), Some(after)) = (&before, backend.local_files()) {
        assert_eq!(before.len(), scanned, "{out}: {before:?}");
        assert_eq!(after, referenced, "after the sweep, exactly the referenced files remain");
    }
    let out2 = backend.run(&["storage", "gc", "--grace-minutes", "0"], &[]);
    assert_eq!(gc_counts(&out2), [referenced.len(), referenced.len(), 0, 0], "every stored file is referenced: {out2}");
    for (id, doc_id, bytes) in &documents {
        let res = c
            .get(server.url(&format!("/api/v1/dossiers/{id}/documents/{doc_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "document {doc_id} after the sweep");
        assert_eq!(res.bytes().await.unwrap(), bytes, "document {doc_id} after the sweep");
    }
    eprintln!(
        "crash test on {}: {} submissions answered ({} before the kill), {} dossiers, {} documents, {} orphan files swept, {:?} in all",
        backend.describe(),
        successes.len(),
        load.successes.lock().unwrap().len(),
        items.len(),
        documents.len(),
        deleted,
        t0.elapsed()
    );
    drop(server);
}
