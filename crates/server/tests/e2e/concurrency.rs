//! Correctness under concurrency and faults, on whichever backend the suite runs on (SQLite by
//! default, PostgreSQL when MOTCUA_TEST_DATABASE_URL is set; `.ci/run` runs both).

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

async fn citizen(app: &TestApp, name: &str) -> String {
    app.user(name, Role::Citizen, None).await;
    app.token(name).await
}

async fn draft(app: &TestApp, token: &str, agency: &str) -> String {
    create_draft(app, token, agency).await["id"].as_str().unwrap().to_string()
}

/// 200 submissions to one agency at once (and 20 to another, interleaved): every one gets a
/// code, no two the same, and per agency and day the numbers run 1, 2, … with no gap.
#[tokio::test]
async fn two_hundred_parallel_submissions_get_unique_gap_free_codes() {
    let app = TestApp::start().await;
    let tokens = [citizen(&app, "dan.mot").await, citizen(&app, "dan.hai").await, citizen(&app, "dan.ba").await];
    let mut drafts = Vec::new();
    for i in 0..220 {
        let agency = if i % 11 == 10 { OTHER_POLICE } else { BA_DINH_POLICE };
        let token = tokens[i % tokens.len()].clone();
        drafts.push((token.clone(), draft(&app, &token, agency).await, agency));
    }
    let app = Arc::new(app);
    let sends = drafts.iter().map(|(token, id, _)| {
        let app = app.clone();
        async move {
            let res = submit(&app, token, id).await;
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    });
    let results = futures_join_all(sends).await;
    // code = {agency}-{yyMMdd}-{NNNN}: group the numbers by agency and day.
    let mut numbers: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for ((status, body), (_, _, agency)) in results.iter().zip(&drafts) {
        assert_eq!(*status, StatusCode::OK, "{body}");
        let code = body["code"].as_str().expect("a code");
        let mut parts = code.rsplitn(3, '-');
        let n: u32 = parts.next().unwrap().parse().unwrap();
        let day = parts.next().unwrap().to_string();
        assert_eq!(parts.next().unwrap(), *agency, "{code}");
        numbers.entry((agency.to_string(), day)).or_default().push(n);
    }
    let per_agency = |a: &str| numbers.iter().filter(|((ag, _), _)| ag == a).map(|(_, v)| v.len()).sum::<usize>();
    assert_eq!((per_agency(BA_DINH_POLICE), per_agency(OTHER_POLICE)), (200, 20));
    for ((agency, day), mut ns) in numbers {
        ns.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(ns.len()).unwrap()).collect();
        assert_eq!(ns, expected, "{agency} on {day}: unique and without gaps");
    }
}

/// A TCP relay between the server and PostgreSQL that a test can cut (closing every relayed
/// connection and refusing new ones) and restore: the database "goes away" for real, as when
/// the network or the server fails, without stopping the shared PostgreSQL.
struct Relay {
    port: u16,
    cut: tokio::sync::watch::Sender<bool>,
    /// While set, nothing is relayed in either direction but every connection stays open: a
    /// network that silently drops packets.
    hung: tokio::sync::watch::Sender<bool>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, watch) = tokio::sync::watch::channel(false);
        let (hung, hung_watch) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                if *watch.borrow() {
                    continue; // dropped: the connection closes at once
                }
                let upstream = upstream.clone();
                let mut watch = watch.clone();
                let mut hung_watch = hung_watch.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = async { watch.wait_for(|cut| *cut).await.is_ok() } => {}
                        _ = async { hung_watch.wait_for(|hung| *hung).await.is_ok() } => {
                            // Hold both ends open, relaying nothing, until cut.
                            let _ = watch.wait_for(|cut| *cut).await.is_ok();
                        }
                    }
                });
            }
        });
        Relay { port, cut, hung }
    }

    fn set_cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }

    fn set_hung(&self, hung: bool) {
        self.hung.send_replace(hung);
    }
}

/// A server on a fresh PostgreSQL database reached through a [`Relay`], configured by `tweak`;
/// `None` (the test skips, saying why) without PostgreSQL.
async fn behind_a_relay(what: &str, tweak: impl FnOnce(&mut motcua_server::Config)) -> Option<(TestApp, Relay)> {
    let Ok(admin) = std::env::var(motcua_store::scratch::TEST_DATABASE_ENV) else {
        eprintln!("skipped: the {what} test needs PostgreSQL (set MOTCUA_TEST_DATABASE_URL; .ci/run does)");
        return None;
    };
    let db = motcua_store::scratch::create_postgres_database(&admin).await.unwrap();
    let mut url = reqwest::Url::parse(&db).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let relay = Relay::start(upstream).await;
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(relay.port)).unwrap();
    let app = TestApp::start_with(|c| {
        c.database_url = Some(url.to_string());
        tweak(c);
    })
    .await;
    Some((app, relay))
}

/// While the database is unreachable the server answers 503 with Retry-After (pages and API),
/// and it recovers by itself when the database comes back: nothing restarts it.
#[tokio::test]
async fn an_unreachable_database_gives_503_with_retry_after_and_the_server_recovers() {
    let Some((app, relay)) =
        behind_a_relay("database-outage", |c| c.db_acquire_timeout = std::time::Duration::from_secs(2)).await
    else {
        return;
    };
    let token = citizen(&app, "dan.mot").await;
    let id = draft(&app, &token, BA_DINH_POLICE).await;
    let c = client();

    relay.set_cut(true);
    for path in ["/healthz".to_string(), format!("/api/v1/dossiers/{id}"), "/procedures?q=cu+tru".to_string()] {
        let res = c.get(app.url(&path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 0, "{path}");
    }
    let res = submit(&app, &token, &id).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let problem: Value = res.json().await.unwrap();
    assert!(problem["type"].as_str().unwrap_or_default().ends_with("unavailable"), "{problem}");

    relay.set_cut(false);
    let mut healthy = false;
    for _ in 0..40 {
        if c.get(app.url("/healthz")).send().await.unwrap().status() == StatusCode::OK {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(healthy, "the server recovers without a restart");
    // The refused submission changed nothing; made again, it goes through.
    let (status, v) = {
        let res = c.get(app.url(&format!("/api/v1/dossiers/{id}"))).bearer_auth(&token).send().await.unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("draft")));
    let res = submit(&app, &token, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert!(v["code"].as_str().unwrap().ends_with("-0001"), "{v}");
}

/// A database connection the network silently drops (nothing relayed, nothing closed) does not
/// hold a request for ever: the request timeout answers 503 with Retry-After. The store does
/// not ping connections before use, so this is what bounds such a query.
#[tokio::test]
async fn a_hung_database_connection_gives_503_after_the_request_timeout() {
    let timeout = std::time::Duration::from_secs(2);
    let Some((app, relay)) = behind_a_relay("hung-connection", |c| c.request_timeout = timeout).await else {
        return;
    };
    let token = citizen(&app, "dan.hai").await;
    let id = draft(&app, &token, BA_DINH_POLICE).await;
    let c = client();

    relay.set_hung(true);
    for path in [format!("/api/v1/dossiers/{id}"), "/procedures?q=cu+tru".to_string()] {
        let started = std::time::Instant::now();
        let res = c.get(app.url(&path)).bearer_auth(&token).send().await.unwrap();
        let took = started.elapsed();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(res.headers().contains_key("retry-after"), "{path}");
        assert!(took >= timeout && took < timeout * 5, "{path}: answered after {took:?}");
    }
    relay.set_cut(true);
}

/// Two servers on one database (as behind a proxy) share the sign-in throttle and the
/// sessions: failures spread over both still lock the account after five, and a token one
/// server issued is good at the other.
#[tokio::test]
async fn two_servers_share_the_sign_in_throttle_and_the_sessions() {
    let app = TestApp::start().await;
    let other = app.second_server().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let c = client();
    let bases = [app.base.clone(), other.clone()];
    let attempt = |i: usize, password: &'static str| {
        c.post(format!("{}/api/v1/auth/token", bases[i % 2]))
            .json(&json!({"username": "canbo", "password": password}))
            .send()
    };
    // A success on one server, used on the other.
    let res = attempt(0, PASSWORD).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let res = c.get(format!("{other}/api/v1/desk/dossiers")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a token issued by one server is good at the other");
    for i in 0..5 {
        assert_eq!(attempt(i, "wrong-password").await.unwrap().status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for i in 0..2 {
        assert_eq!(attempt(i, PASSWORD).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS, "server {i}");
    }
}
