//! Adversarial tests of the features of issue 6 (the submission in steps, the carry through
//! the sign-in, "stay signed in", the assisted submission and the claim): each one is a
//! problem found by trying to break them, kept so that it stays fixed. On SQLite, or on
//! PostgreSQL with `MOTCUA_TEST_DATABASE_URL` (the NUL-byte test is about PostgreSQL, which
//! refuses NUL in text).

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const APPLY: &str = "/procedures/1.010041/apply";

async fn page(c: &Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// A citizen with a page session (signed in with the phone).
async fn citizen(app: &TestApp, phone: &str) -> Client {
    register_citizen(app, phone).await;
    page_sign_in(app, phone).await
}

async fn token_of(c: &Client, app: &TestApp) -> String {
    csrf_of(&page(c, &app.url("/dossiers")).await.1)
}

async fn user_id(app: &TestApp, login: &str) -> i64 {
    app.store.find_login(login, Some(login)).await.unwrap().expect("account").0.id
}

/// The hidden `carry.*` fields of a sign-in page, as form pairs.
fn carried(login_page: &str) -> Vec<(String, String)> {
    login_page
        .split("name=\"carry.")
        .skip(1)
        .map(|s| {
            let k = s.split('"').next().unwrap().to_string();
            let v = s.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (format!("carry.{k}"), v)
        })
        .collect()
}

/// Steps 1 and 2 answered, valid: the person is at the last step.
async fn at_the_last_step(app: &TestApp, c: &Client, t: &str, phone: &str) {
    let url = app.url(APPLY);
    let res = post(c, &url, &[("csrf", t), ("step", "agency"), ("go", "next"), ("agency_code", BA_DINH_POLICE)]).await;
    assert_eq!(location(&res), format!("{APPLY}?step=applicant"));
    let res = post(
        c,
        &url,
        &[
            ("csrf", t),
            ("step", "applicant"),
            ("go", "next"),
            ("full_name", "Nguyễn Thị Hoa"),
            ("id_number", "001190012345"),
            ("phone", phone),
            ("address", "12 Phố Quán Thánh, Hà Nội"),
        ],
    )
    .await;
    assert_eq!(location(&res), format!("{APPLY}?step=delivery"));
}

/// A double click on "Create the dossier" (or two tabs pressing it at once) posts the last
/// step twice: one dossier draft must come of it, not one per click, and no half-empty form
/// draft may be left behind.
#[tokio::test]
async fn a_double_click_on_the_last_step_makes_one_dossier_draft() {
    let app = TestApp::start().await;
    let c = citizen(&app, "0912400001").await;
    let t = token_of(&c, &app).await;
    at_the_last_step(&app, &c, &t, "0912400001").await;
    let url = app.url(APPLY);
    let form = [("csrf", t.as_str()), ("step", "delivery"), ("go", "next"), ("delivery", "online")];
    let answers = futures_join_all((0..4).map(|_| post(&c, &url, &form))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(reqwest::Response::status).collect();
    let owner = user_id(&app, "0912400001").await;
    let drafts = app.store.dossiers_of_owner(owner, 50).await.unwrap();
    assert_eq!(drafts.len(), 1, "one dossier draft for one submission (answers {statuses:?})");
    for res in &answers {
        assert_ne!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "no click is shown the steps again, emptied");
    }
    assert!(app.store.form_draft(owner, "1.010041").await.unwrap().is_none(), "no form draft left behind");
}

/// "Discard" pressed after the session ended: signing in must not save (or create) a draft
/// and say "saved"; the person asked for it to go.
#[tokio::test]
async fn discard_after_the_session_ended_does_not_create_a_draft() {
    let app = TestApp::start_with(|c| c.session_ttl = Duration::from_secs(2)).await;
    let c = citizen(&app, "0912400002").await;
    let t = token_of(&c, &app).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let res = post(&c, &app.url(APPLY), &[("csrf", &t), ("go", "discard")]).await;
    // Either the sign-in page (carrying something) or a redirect to it: sign in as offered.
    let (login_page, next) = if res.status() == StatusCode::OK {
        (res.text().await.unwrap(), String::new())
    } else {
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(to.starts_with("/login"), "{to}");
        (page(&c, &app.url(&to)).await.1, String::new())
    };
    let mut form = carried(&login_page);
    form.push(("csrf".into(), csrf_of(&login_page)));
    form.push(("login".into(), "0912400002".into()));
    form.push(("password".into(), PASSWORD.into()));
    if !next.is_empty() {
        form.push(("next".into(), next));
    }
    let res = c.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!location(&res).contains("saved=1"), "nothing was saved: {}", location(&res));
    let owner = user_id(&app, "0912400002").await;
    assert!(app.store.form_draft(owner, "1.010041").await.unwrap().is_none(), "no draft made by a discard");
}

/// The script's autosave posted after the session ended: nothing was saved, so it must not
/// answer 200 (with the sign-in page) as if it had.
#[tokio::test]
async fn an_autosave_after_the_session_ended_is_not_a_success() {
    let app = TestApp::start_with(|c| c.session_ttl = Duration::from_secs(2)).await;
    let c = citizen(&app, "0912400003").await;
    let t = token_of(&c, &app).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let res = post(
        &c,
        &app.url(APPLY),
        &[("csrf", &t), ("step", "applicant"), ("go", "autosave"), ("full_name", "Trần Văn An")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "an autosave that saved nothing");
}

/// Two tabs: the session ends, the person signs in again from the first tab (which rotates
/// the CSRF cookie), then presses "Continue" in the second. The second tab's token is stale:
/// what it typed must come back on the page to be sent again, not be lost on a bare 403.
#[tokio::test]
async fn a_step_from_a_tab_older_than_the_sign_in_is_not_lost() {
    let app = TestApp::start().await;
    let c = citizen(&app, "0912400004").await;
    let stale = token_of(&c, &app).await;
    // Signed in again in another tab: a new session and a new CSRF cookie.
    let html = page(&c, &app.url("/login")).await.1;
    let res =
        post(&c, &app.url("/login"), &[("csrf", &csrf_of(&html)), ("login", "0912400004"), ("password", PASSWORD)])
            .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(
        &c,
        &app.url(APPLY),
        &[
            ("csrf", &stale),
            ("step", "applicant"),
            ("go", "next"),
            ("full_name", "Phạm Minh Đức"),
            ("id_number", "001090054321"),
            ("address", "9 Hàng Gai, Hà Nội"),
        ],
    )
    .await;
    let body = res.text().await.unwrap();
    for v in ["Phạm Minh Đức", "001090054321", "9 Hàng Gai, Hà Nội"] {
        assert!(body.contains(&format!("value=\"{v}\"")), "{v} is on the page to send again");
    }
    // And it can be sent again from there.
    let fresh = csrf_of(&body);
    assert_ne!(fresh, stale);
    let res = post(
        &c,
        &app.url(APPLY),
        &[("csrf", &fresh), ("step", "applicant"), ("go", "save"), ("full_name", "Phạm Minh Đức")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// The API's 429 for claims says it is about claims, not sign-ins.
#[tokio::test]
async fn the_claim_throttle_does_not_speak_of_sign_in() {
    let app = TestApp::start().await;
    let guesser = register_citizen(&app, "0912400005").await;
    let mut last = None;
    for i in 0..6 {
        let res = client()
            .post(app.url("/api/v1/dossiers/claim"))
            .bearer_auth(&guesser)
            .header("accept-language", "en")
            .json(&json!({"code": format!("CAX.00004-261130-{i:04}"), "id_number": "001190012345"}))
            .send()
            .await
            .unwrap();
        last = Some(res);
    }
    let res = last.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let v: Value = res.json().await.unwrap();
    let detail = v["detail"].as_str().unwrap();
    assert!(!detail.contains("sign-in"), "{detail}");
}

/// NUL bytes (`%00`, `\u0000`) are refused by PostgreSQL in text: a lookup with one must
/// answer as a lookup that finds nothing (404, 422, 401), never a 500, and a step with one
/// must keep what was typed.
#[tokio::test]
async fn nul_bytes_are_answers_not_server_errors() {
    let app = TestApp::start().await;
    let hoa = register_citizen(&app, "0912400006").await;
    // The claim: the same 404 as a wrong code.
    let res = client()
        .post(app.url("/api/v1/dossiers/claim"))
        .bearer_auth(&hoa)
        .json(&json!({"code": "CAX.00004-261130-0001\u{0}", "id_number": "001190012345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A dossier reference.
    assert_eq!(get(&app, &hoa, "/api/v1/dossiers/ab%00c").await.0, StatusCode::NOT_FOUND);
    // A sign-in.
    let res = client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "de\u{0}mo", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A draft over the API with one in the agency or the procedure.
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&hoa)
        .json(&json!({"procedure_code": RESIDENCE, "agency_code": "CAX.00004\u{0}", "applicant": applicant(),
                      "delivery": "online"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&hoa)
        .json(&json!({"procedure_code": "1.010041\u{0}", "agency_code": BA_DINH_POLICE, "applicant": applicant(),
                      "delivery": "online"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The pages: a procedure, its steps, and a step with one in the agency.
    let c = page_sign_in(&app, "0912400006").await;
    assert_eq!(page(&c, &app.url("/procedures/1.0%00")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(page(&c, &app.url("/procedures/1.0%00/apply")).await.0, StatusCode::NOT_FOUND);
    let t = token_of(&c, &app).await;
    let res =
        post(&c, &app.url(APPLY), &[("csrf", &t), ("step", "agency"), ("go", "next"), ("agency_code", "CAX\u{0}")])
            .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let f = app.store.form_draft(user_id(&app, "0912400006").await, "1.010041").await.unwrap().expect("saved");
    assert_eq!(f.fields.get("agency_code").map(String::as_str), Some("CAX\u{0}"), "what was typed is kept");
    // The claim form on My dossiers.
    let res =
        post(&c, &app.url("/dossiers/claim"), &[("csrf", &t), ("code", "CAX\u{0}"), ("id_number", "001190012345")])
            .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // An official's assisted form.
    app.user("canbo.nul", Role::Official, Some(BA_DINH_POLICE)).await;
    let o = page_sign_in(&app, "canbo.nul").await;
    assert_eq!(page(&o, &app.url("/desk/assisted?procedure=1.0%00")).await.0, StatusCode::OK);
}
