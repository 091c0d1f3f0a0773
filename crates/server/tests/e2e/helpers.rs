//! Shared helpers: start the app, make accounts, build clients.

use motcua_server::{App, Config};
use motcua_store::accounts::{NewUser, Role};
use motcua_store::Store;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;

/// A running app on 127.0.0.1 with its own data directory (removed on drop).
pub struct TestApp {
    pub base: String,
    pub store: Store,
    /// The configuration it runs with (a second server on the same data starts from it).
    pub config: Config,
    pub _dir: tempfile::TempDir,
}

/// The procedure of the issue: "Xác nhận thông tin về cư trú", commune police, 1 working day.
pub const RESIDENCE: &str = "1.010041";
/// The police of Phường Ba Đình, Hà Nội (commune code 00004), which receives it.
pub const BA_DINH_POLICE: &str = "CAX.00004";
/// Another commune's police (Phường Hoàn Kiếm, 00070).
pub const OTHER_POLICE: &str = "CAX.00070";

pub const PASSWORD: &str = "mat-khau-du-dai-1";

impl TestApp {
    /// Starts the app with `tweak` applied to the default configuration.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::new(dir.path());
        // PostgreSQL when MOTCUA_TEST_DATABASE_URL is set (a fresh database per test), S3 when
        // MOTCUA_TEST_S3_ENDPOINT is (a prefix per test).
        let store = motcua_store::scratch::config_for_tests(dir.path()).await;
        (config.database_url, config.objects, config.objects_prefix) =
            (store.database_url, store.objects, store.objects_prefix);
        config.demo = false;
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let app = App::build(config.clone(), listener).await.expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let store = app.store.clone();
        tokio::spawn(app.run_until_stopped());
        TestApp { base, store, config, _dir: dir }
    }

    pub async fn start() -> TestApp {
        Self::start_with(|_| {}).await
    }

    /// Starts a second server process's worth of app on this one's database and documents (as
    /// behind a proxy); returns its base URL.
    pub async fn second_server(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let app = App::build(self.config.clone(), listener).await.expect("second app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account directly in the store.
    pub async fn user(&self, username: &str, role: Role, agency: Option<&str>) {
        self.store
            .create_user(&NewUser {
                username,
                full_name: &format!("Người dùng {username}"),
                phone: None,
                email: None,
                password: PASSWORD,
                role,
                agency_code: agency,
            })
            .await
            .expect("user created");
    }

    /// A bearer token for an account created with [`PASSWORD`].
    pub async fn token(&self, username: &str) -> String {
        let res = client()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "token for {username}");
        res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    }
}

/// A plain client (no redirects followed, so tests see them).
pub fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A browser-like client with a cookie store.
#[allow(dead_code)]
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The smallest valid PDF header plus a body: recognised as PDF by its content.
pub fn pdf_bytes(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n%\u{e2}\u{e3}\n1 0 obj << /Title ({text}) >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// A sample applicant.
pub fn applicant() -> Value {
    json!({"full_name": "Nguyễn Thị Hoa", "id_number": "001190012345", "phone": "0987654321",
           "address": "12 Phố Quán Thánh, Phường Ba Đình, Hà Nội"})
}

#[allow(dead_code)]
pub fn addr() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Runs futures concurrently on this task (no extra dependency).
pub async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = fs.map(|f| Box::pin(f)).collect();
    let mut out = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().map(|r| r.expect("every future ran")));
    out
}

/// `POST /api/v1/dossiers/{dossier}/actions` with `body`.
pub async fn act(app: &TestApp, token: &str, dossier: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/dossiers/{dossier}/actions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// `POST /api/v1/dossiers/{dossier}/submit`.
pub async fn submit(app: &TestApp, token: &str, dossier: &str) -> reqwest::Response {
    client().post(app.url(&format!("/api/v1/dossiers/{dossier}/submit"))).bearer_auth(token).send().await.unwrap()
}

/// The CSRF token of a page's forms.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"").nth(1).expect("a csrf field").split('"').next().unwrap_or_default().to_string()
}

/// A browser signed in through the /login form as `login` (password [`PASSWORD`]).
pub async fn page_sign_in(app: &TestApp, login: &str) -> Client {
    let b = browser();
    let html = b.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let res = b
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("login", login), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER, "signed in as {login}");
    b
}

/// `POST /api/v1/dossiers`: a draft of 1.010041 at `agency` (asserts 201 and its Location).
pub async fn create_draft(app: &TestApp, token: &str, agency: &str) -> Value {
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .json(&json!({"procedure_code": RESIDENCE, "agency_code": agency, "applicant": applicant(),
                      "delivery": "online", "form": {"purpose": "xin việc"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let v: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/dossiers/{}", v["id"].as_str().unwrap()));
    v
}

/// Registers a citizen with `phone` through the API and signs in with the phone.
pub async fn register_citizen(app: &TestApp, phone: &str) -> String {
    let res = client()
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"full_name": "Nguyễn Thị Hoa", "phone": phone, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    // Sign in with the phone number, as the issue asks.
    app.token(phone).await
}

/// `POST /api/v1/dossiers/{dossier}/documents` (multipart).
pub async fn upload(
    app: &TestApp,
    token: &str,
    dossier: &str,
    bytes: Vec<u8>,
    file_name: &str,
    kind: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()))
        .text("name", "Tờ khai CT01")
        .text("kind", kind.to_string());
    client()
        .post(app.url(&format!("/api/v1/dossiers/{dossier}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// `GET path` with a bearer token: the status and the JSON body (`null` when none).
pub async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let res = client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A working day `n` working days from now (the server's own calendar), as
/// (`yyyy-mm-dd`, `dd/mm/yyyy`, the RFC 3339 UTC instant of 17:00 Vietnam time that day).
pub async fn working_day_ahead(app: &TestApp, n: u32) -> (String, String, String) {
    let now = chrono::Utc::now().to_rfc3339();
    let v: Value = client()
        .get(app.url("/api/v1/calendar/due"))
        .query(&[("start", now.as_str()), ("amount", &n.to_string()), ("unit", "working_days")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(v["due_at"].as_str().expect("a due instant")).unwrap();
    let day = due.with_timezone(&motcua_core::calendar::vietnam()).date_naive();
    let close = day.and_hms_opt(10, 0, 0).unwrap().and_utc(); // 17:00 at UTC+7
    (
        day.format("%Y-%m-%d").to_string(),
        day.format("%d/%m/%Y").to_string(),
        close.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}
