//! Drafts that survive (issue 6): the submission in steps is saved on the server at every step
//! and resumes on another device or after a new sign-in; a step posted after the session ended
//! is carried through the sign-in and saved; "stay signed in" extends the session.

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::{Client, StatusCode};
use std::time::Duration;

const APPLY: &str = "/procedures/1.010041/apply";
const BA_DINH_POLICE: &str = "CAX.00004";

async fn page(c: &Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// A citizen with a page session (signed in with the phone).
async fn citizen(app: &TestApp, phone: &str) -> Client {
    register_citizen(app, phone).await;
    page_sign_in(app, phone).await
}

async fn token_of(c: &Client, app: &TestApp) -> String {
    csrf_of(&page(c, &app.url("/dossiers")).await.1)
}

#[tokio::test]
async fn the_steps_are_saved_and_resume_on_another_device() {
    let app = TestApp::start().await;
    let phone_a = citizen(&app, "0912300001").await;
    let t = token_of(&phone_a, &app).await;
    let url = app.url(APPLY);

    // Step 1 and 2 on the first device.
    let res =
        post(&phone_a, &url, &[("csrf", &t), ("step", "agency"), ("go", "next"), ("agency_code", BA_DINH_POLICE)])
            .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{APPLY}?step=applicant"));
    let res = post(
        &phone_a,
        &url,
        &[
            ("csrf", &t),
            ("step", "applicant"),
            ("go", "next"),
            ("full_name", "Nguyễn Thị Hoa"),
            ("id_number", "001190012345"),
            ("phone", "0912300001"),
            ("address", "12 Phố Quán Thánh, Hà Nội"),
        ],
    )
    .await;
    assert_eq!(location(&res), format!("{APPLY}?step=delivery"));

    // The connection drops; the person signs in on another device (a new session).
    let phone_b = page_sign_in(&app, "0912300001").await;
    let (_, list) = page(&phone_b, &app.url("/dossiers")).await;
    assert!(list.contains("Hồ sơ đang nộp dở"), "the unfinished submission is listed");
    assert!(list.contains(&format!("href=\"{APPLY}\"")), "with a link to continue");
    assert!(list.contains("Bước 3/5"), "at the step reached");
    let (_, proc_page) = page(&phone_b, &app.url("/procedures/1.010041")).await;
    assert!(proc_page.contains("Làm tiếp từ chỗ đã dừng"), "the procedure page offers to continue");
    let (status, step) = page(&phone_b, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(step.contains("Bước 3/5") && step.contains("aria-current=\"step\""));
    // Going back shows the earlier answers as saved, and does not lose the later step.
    let (_, back) = page(&phone_b, &app.url(&format!("{APPLY}?step=applicant"))).await;
    assert!(back.contains("value=\"001190012345\"") && back.contains("value=\"12 Phố Quán Thánh, Hà Nội\""));
    let (_, first) = page(&phone_b, &app.url(&format!("{APPLY}?step=agency"))).await;
    assert!(
        first.contains(&format!("value=\"{BA_DINH_POLICE}\" id=\"agency_code\" checked")),
        "the agency stays chosen"
    );
    let (_, still) = page(&phone_b, &url).await;
    assert!(still.contains("Bước 3/5"));
    // A step not reached yet cannot be skipped to.
    let other = citizen(&app, "0912300002").await;
    let (_, fresh) = page(&other, &app.url(&format!("{APPLY}?step=delivery"))).await;
    assert!(fresh.contains("Bước 1/5"), "a new submission starts at step 1");

    // The last step makes the dossier draft; the form draft is gone.
    let t2 = token_of(&phone_b, &app).await;
    let res = post(&phone_b, &url, &[("csrf", &t2), ("step", "delivery"), ("go", "next"), ("delivery", "post")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id = to.strip_prefix("/dossiers/").and_then(|r| r.strip_suffix("?done=created")).expect("to the dossier");
    let (_, dossier) = page(&phone_b, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(dossier.contains("Bước 4/5"), "documents next");
    assert!(dossier.contains("Nguyễn Thị Hoa") && dossier.contains("12 Phố Quán Thánh, Hà Nội"));
    let d = app.store.dossier(id).await.unwrap().expect("stored");
    assert_eq!(d.agency_code, BA_DINH_POLICE);
    assert_eq!(d.applicant.id_number, "001190012345");
    assert_eq!(d.delivery, "post");
    let (_, list) = page(&phone_a, &app.url("/dossiers")).await;
    assert!(!list.contains("Hồ sơ đang nộp dở"), "nothing unfinished left");
    assert!(list.contains(&format!("/dossiers/{id}")), "the draft is listed on the first device too");
}

#[tokio::test]
async fn save_autosave_back_and_discard() {
    let app = TestApp::start().await;
    let c = citizen(&app, "0912300003").await;
    let t = token_of(&c, &app).await;
    let url = app.url(APPLY);
    post(&c, &url, &[("csrf", &t), ("step", "agency"), ("agency_code", BA_DINH_POLICE)]).await;
    // The script's autosave: 204, and what was typed is on the server.
    let res = post(
        &c,
        &url,
        &[("csrf", &t), ("step", "applicant"), ("go", "autosave"), ("full_name", "Trần Văn An"), ("address", "Số 5")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let f = app.store.form_draft(user_id(&app, "0912300003").await, "1.010041").await.unwrap().expect("saved");
    assert_eq!(f.fields.get("full_name").map(String::as_str), Some("Trần Văn An"));
    assert_eq!(f.step, "applicant");
    // "Save and finish later" stays on the step with a confirmation.
    let res = post(
        &c,
        &url,
        &[("csrf", &t), ("step", "applicant"), ("go", "save"), ("full_name", "Trần Văn An"), ("id_number", "0011")],
    )
    .await;
    assert_eq!(location(&res), format!("{APPLY}?step=applicant&saved=1"));
    let (_, p) = page(&c, &app.url(&location(&res))).await;
    assert!(p.contains("Đã lưu") && p.contains("value=\"0011\"") && p.contains("value=\"Số 5\""));
    // Back does not check the step, keeps it and goes one step back.
    let res = post(&c, &url, &[("csrf", &t), ("step", "applicant"), ("go", "back"), ("phone", "09")]).await;
    assert_eq!(location(&res), format!("{APPLY}?step=agency"));
    let f = app.store.form_draft(user_id(&app, "0912300003").await, "1.010041").await.unwrap().unwrap();
    assert_eq!(f.fields.get("phone").map(String::as_str), Some("09"));
    assert_eq!(f.step, "applicant", "the step reached is kept");
    // A value far too long is cut, not refused: the step says what is wrong with it.
    let long = "a".repeat(5000);
    post(&c, &url, &[("csrf", &t), ("step", "applicant"), ("go", "save"), ("address", &long)]).await;
    let f = app.store.form_draft(user_id(&app, "0912300003").await, "1.010041").await.unwrap().unwrap();
    assert_eq!(f.fields["address"].chars().count(), 500);
    // Unknown fields are not kept.
    assert!(!f.fields.contains_key("csrf") && !f.fields.contains_key("go"));
    // Without the CSRF token nothing is saved.
    let res = post(&c, &url, &[("step", "applicant"), ("go", "save"), ("address", "khác")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Discard.
    let res = post(&c, &url, &[("csrf", &t), ("go", "discard")]).await;
    assert_eq!(location(&res), "/procedures/1.010041?done=discarded");
    assert!(app.store.form_draft(user_id(&app, "0912300003").await, "1.010041").await.unwrap().is_none());
    // Officials do not submit through the steps.
    app.user("canbo.x", Role::Official, Some(BA_DINH_POLICE)).await;
    let o = page_sign_in(&app, "canbo.x").await;
    let (status, _) = page(&o, &url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An unknown procedure is a 404.
    let (status, _) = page(&c, &app.url("/procedures/9.999999/apply")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn user_id(app: &TestApp, login: &str) -> i64 {
    app.store.find_login(login, Some(login)).await.unwrap().expect("account").0.id
}

#[tokio::test]
async fn a_step_posted_after_the_session_ended_is_kept_through_the_sign_in() {
    let app = TestApp::start_with(|c| c.session_ttl = Duration::from_secs(3)).await;
    let c = citizen(&app, "0912300004").await;
    let t = token_of(&c, &app).await;
    let url = app.url(APPLY);
    post(&c, &url, &[("csrf", &t), ("step", "agency"), ("go", "next"), ("agency_code", BA_DINH_POLICE)]).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    // The session has ended: the step comes back as the sign-in page carrying what was typed.
    let typed = [
        ("csrf", t.as_str()),
        ("step", "applicant"),
        ("go", "next"),
        ("full_name", "Lê Văn Cường"),
        ("id_number", "001090054321"),
        ("phone", "0912300004"),
        ("address", "7 Hàng Bông, Hà Nội"),
    ];
    let res = post(&c, &url, &typed).await;
    assert_eq!(res.status(), StatusCode::OK);
    let login = res.text().await.unwrap();
    assert!(login.contains("Phiên đăng nhập đã hết"), "the page says why");
    for (k, v) in &typed[3..] {
        assert!(login.contains(&format!("name=\"carry.{k}\" value=\"{v}\"")), "{k} carried");
    }
    assert!(!login.contains("carry.csrf") && !login.contains("carry.go"));
    let me = user_id(&app, "0912300004").await;
    assert!(login.contains(&format!("name=\"carry.for\" value=\"{me}\"")), "the carry names whose it is");
    // Someone else signing in at this computer does not get it.
    register_citizen(&app, "0912300006").await;
    let b = browser();
    let (_, lp) = page(&b, &app.url("/login")).await;
    let other_form: Vec<(String, String)> = login
        .split("name=\"carry.")
        .skip(1)
        .map(|s| {
            let k = s.split('"').next().unwrap().to_string();
            let v = s.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (format!("carry.{k}"), v)
        })
        .chain([
            ("csrf".to_string(), csrf_of(&lp)),
            ("login".to_string(), "0912300006".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
        ])
        .collect();
    let res = b.post(app.url("/login")).form(&other_form).send().await.unwrap();
    assert_eq!(location(&res), "/dossiers", "not taken to the other person's step");
    let other = user_id(&app, "0912300006").await;
    assert!(app.store.form_draft(other, "1.010041").await.unwrap().is_none(), "nothing saved into another account");
    // A wrong password keeps carrying it.
    let token = csrf_of(&login);
    let mut form: Vec<(String, String)> = login
        .split("name=\"carry.")
        .skip(1)
        .map(|s| {
            let k = s.split('"').next().unwrap().to_string();
            let v = s.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (format!("carry.{k}"), v)
        })
        .collect();
    form.push(("csrf".into(), token.clone()));
    form.push(("next".into(), APPLY.into()));
    form.push(("login".into(), "0912300004".into()));
    let mut wrong = form.clone();
    wrong.push(("password".into(), "sai-mat-khau".into()));
    let res = c.post(app.url("/login")).form(&wrong).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("name=\"carry.address\" value=\"7 Hàng Bông, Hà Nội\""));
    // Signed in: saved, and back at the step with it.
    form.push(("password".into(), PASSWORD.into()));
    let res = c.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{APPLY}?step=applicant&saved=1"));
    let (_, step) = page(&c, &app.url(&location(&res))).await;
    assert!(step.contains("value=\"Lê Văn Cường\"") && step.contains("value=\"001090054321\""));
    let f = app.store.form_draft(user_id(&app, "0912300004").await, "1.010041").await.unwrap().unwrap();
    assert_eq!(f.fields.get("address").map(String::as_str), Some("7 Hàng Bông, Hà Nội"));
    assert_eq!(f.fields.get("agency_code").map(String::as_str), Some(BA_DINH_POLICE), "the earlier step is kept");

    // A carry for a procedure that does not exist, or signed in as an official, saves nothing.
    app.user("canbo.y", Role::Official, Some(BA_DINH_POLICE)).await;
    let b = browser();
    let (_, lp) = page(&b, &app.url("/login")).await;
    let res = b
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&lp).as_str()),
            ("login", "canbo.y"),
            ("password", PASSWORD),
            ("carry.procedure", "1.010041"),
            ("carry.step", "applicant"),
            ("carry.full_name", "X"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/desk");
}

#[tokio::test]
async fn stay_signed_in_extends_the_session_and_pages_carry_the_warning() {
    let app = TestApp::start_with(|c| c.session_ttl = Duration::from_secs(120)).await;
    let c = citizen(&app, "0912300005").await;
    let (_, p) = page(&c, &app.url(APPLY)).await;
    let expires = p.split("data-expires=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let first = chrono::DateTime::parse_from_rfc3339(&expires).expect("RFC 3339");
    let left = first.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((100..=121).contains(&left), "the page says when the session ends: {left} s left");
    let remaining: i64 = p.split("data-remaining=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!((left - 2..=left + 2).contains(&remaining), "and how many seconds are left: {remaining}");
    assert!(p.contains("src=\"/static/session.js\""));
    assert!(p.contains("Bạn được đăng nhập đến"), "said without the script too");
    let (status, js) = page(&c, &app.url("/static/session.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.contains("/session/extend"));
    // Anonymous pages have no warning and no script.
    let (_, anon) = page(&browser(), &app.url("/procedures/1.010041")).await;
    assert!(!anon.contains("session-warning") && !anon.contains("session.js"));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let t = csrf_of(&p);
    let res = post(&c, &app.url("/session/extend"), &[("csrf", &t), ("js", "1")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    let later = chrono::DateTime::parse_from_rfc3339(v["expires_at"].as_str().unwrap()).unwrap();
    assert!(later > first, "extended: {later} after {first}");
    assert_eq!(v["remaining_seconds"], 120, "the full session time");
    let (_, p2) = page(&c, &app.url(APPLY)).await;
    assert!(p2.contains(&format!("data-expires=\"{}\"", v["expires_at"].as_str().unwrap())));
    // Without the script: back to the page.
    let res = post(&c, &app.url("/session/extend"), &[("csrf", &t), ("next", APPLY)]).await;
    assert_eq!(location(&res), APPLY);
    // An ended session is not revived.
    let nobody = browser();
    let (_, lp) = page(&nobody, &app.url("/login")).await;
    let res = post(&nobody, &app.url("/session/extend"), &[("csrf", &csrf_of(&lp)), ("js", "1")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
