//! Page tests (HTML forms): procedure 1.010041 from search to returned result through the
//! forms a browser sends, with JavaScript off; the security baseline; bad input; language.

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

const CITIZEN_PHONE: &str = "0987654321";

// ---- small HTML helpers -------------------------------------------------------------

/// The text after `start` up to `end`, for the first `start` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}

/// Every text after `start` up to `end`.
fn all_between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(i) = rest.find(start) {
        rest = &rest[i + start.len()..];
        if let Some(j) = rest.find(end) {
            out.push(&rest[..j]);
            rest = &rest[j..];
        }
    }
    out
}

/// The CSRF token in the page's first form.
fn csrf(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"").expect("a csrf field").to_string()
}

fn location(headers: &HeaderMap) -> String {
    headers.get(LOCATION).expect("a Location header").to_str().unwrap().to_string()
}

/// A dossier code `CAX.00004-yyMMdd-NNNN` in the page.
fn dossier_code(html: &str) -> Option<String> {
    let start = html.find("CAX.00004-")?;
    let code: String =
        html[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect();
    let rest = code.strip_prefix("CAX.00004-")?;
    let (date, seq) = rest.split_once('-')?;
    let ok = date.len() == 6
        && date.bytes().all(|b| b.is_ascii_digit())
        && seq.len() >= 4
        && seq.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(code)
}

async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

/// Posts a form and expects a 303; returns the Location.
async fn post_303(c: &Client, url: &str, form: &[(&str, &str)]) -> String {
    let res = post(c, url, form).await;
    let status = res.status();
    let headers = res.headers().clone();
    assert_eq!(status, StatusCode::SEE_OTHER, "POST {url}: {}", res.text().await.unwrap());
    location(&headers)
}

async fn upload_form(c: &Client, url: &str, csrf: &str, name: &str, bytes: Vec<u8>, file: &str) -> reqwest::Response {
    let form = Form::new()
        .text("csrf", csrf.to_string())
        .text("name", name.to_string())
        .part("file", Part::bytes(bytes).file_name(file.to_string()).mime_str("application/pdf").unwrap());
    c.post(url).multipart(form).send().await.unwrap()
}

// ---- flows --------------------------------------------------------------------------

/// Registers a citizen through the form and returns its browser (signed in).
async fn register(app: &TestApp, name: &str, phone: &str) -> Client {
    let c = browser();
    let (status, page) = get(&c, &app.url("/register")).await;
    assert_eq!(status, StatusCode::OK);
    let to = post_303(
        &c,
        &app.url("/register"),
        &[
            ("csrf", &csrf(&page)),
            ("full_name", name),
            ("phone", phone),
            ("email", ""),
            ("username", ""),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("next", ""),
        ],
    )
    .await;
    assert_eq!(to, "/dossiers");
    c
}

/// Signs in through the form; returns the browser and the redirect target.
async fn sign_in(app: &TestApp, login: &str, next: &str) -> (Client, String) {
    let c = browser();
    let (_, page) = get(&c, &app.url("/login")).await;
    let to = post_303(
        &c,
        &app.url("/login"),
        &[("csrf", &csrf(&page)), ("login", login), ("password", PASSWORD), ("next", next)],
    )
    .await;
    (c, to)
}

/// Creates a draft for 1.010041 at Ba Đình through the submission's steps (where to submit,
/// who it is for, how to receive the result), as a browser without JavaScript does; returns
/// its id.
async fn create_draft(app: &TestApp, c: &Client, address: &str) -> String {
    let (status, page) = get(c, &app.url("/procedures/1.010041")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/procedures/1.010041/apply\""), "the procedure page starts the steps");
    // Answers saved earlier (a submission left half-done) take the place of the prefill.
    let fresh = page.contains("id=\"apply-start\">Bắt đầu<");
    let (status, page) = get(c, &app.url("/procedures/1.010041/apply?step=agency&agency_q=Ba+%C4%90%C3%ACnh")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Bước 1/5"), "step 1 of 5");
    assert!(page.contains("value=\"CAX.00004\""), "the agency search lists CAX.00004");
    let token = csrf(&page);
    let f = [
        ("csrf", token.as_str()),
        ("step", "agency"),
        ("go", "next"),
        ("agency_q", "Ba Đình"),
        ("agency_code", BA_DINH_POLICE),
    ];
    let to = post_303(c, &app.url("/procedures/1.010041/apply"), &f).await;
    assert_eq!(to, "/procedures/1.010041/apply?step=applicant");
    let (_, page) = get(c, &app.url(&to)).await;
    assert!(page.contains("Bước 2/5"));
    let who = between(&page, "<span class=\"who\">", "</span>").expect("signed in").to_string();
    let name = who.trim_start_matches("Đăng nhập:").trim().to_string();
    assert!(
        !fresh
            || !name.is_empty()
                && page.contains(&format!("id=\"full_name\" name=\"full_name\" type=\"text\" value=\"{name}\"")),
        "the account's name ({name}) is prefilled"
    );
    let t = token.as_str();
    let to = post_303(
        c,
        &app.url("/procedures/1.010041/apply"),
        &[
            ("csrf", t),
            ("step", "applicant"),
            ("go", "next"),
            ("full_name", "Nguyễn Thị Hoa"),
            ("id_number", "001190012345"),
            ("phone", CITIZEN_PHONE),
            ("address", address),
        ],
    )
    .await;
    assert_eq!(to, "/procedures/1.010041/apply?step=delivery");
    let to = post_303(
        c,
        &app.url("/procedures/1.010041/apply"),
        &[("csrf", t), ("step", "delivery"), ("go", "next"), ("delivery", "online")],
    )
    .await;
    let id =
        to.strip_prefix("/dossiers/").and_then(|r| r.strip_suffix("?done=created")).expect("redirect to the dossier");
    id.to_string()
}

async fn upload_and_submit(app: &TestApp, c: &Client, id: &str, name: &str) -> String {
    let (_, page) = get(c, &app.url(&format!("/dossiers/{id}"))).await;
    let res = upload_form(
        c,
        &app.url(&format!("/dossiers/{id}/documents")),
        &csrf(&page),
        name,
        pdf_bytes(name),
        "to-khai.pdf",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(c, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains(name), "the uploaded document is listed");
    post_303(c, &app.url(&format!("/dossiers/{id}/submit")), &[("csrf", &csrf(&page))]).await;
    let (_, page) = get(c, &app.url(&format!("/dossiers/{id}"))).await;
    page
}

async fn desk_act(app: &TestApp, c: &Client, id: &str, fields: &[(&str, &str)]) {
    let (status, page) = get(c, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf(&page);
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let to = post_303(c, &app.url(&format!("/desk/dossiers/{id}/actions")), &form).await;
    assert_eq!(to, format!("/desk/dossiers/{id}?done=action"));
}

#[tokio::test]
async fn a_citizen_gets_a_result_through_the_forms() {
    let app = TestApp::start().await;
    let anon = browser();

    // Search, without diacritics and by code; pages through the results if needed.
    let mut url = app.url("/procedures?q=xac+nhan+cu+tru");
    let mut found = false;
    for _ in 0..20 {
        let (status, page) = get(&anon, &url).await;
        assert_eq!(status, StatusCode::OK);
        if page.contains("href=\"/procedures/1.010041\"") {
            found = true;
            break;
        }
        match between(&page, "<a href=\"", "\" rel=\"next\"") {
            Some(next) => url = app.url(&next.replace("&#38;", "&").replace("&amp;", "&")),
            None => break,
        }
    }
    assert!(found, "the search page finds 1.010041 for 'xac nhan cu tru'");
    let (_, page) = get(&anon, &app.url("/procedures?q=1.010041")).await;
    assert!(page.contains("href=\"/procedures/1.010041\""));
    assert!(page.contains("Xác nhận thông tin về cư trú"));

    // Not signed in: the procedure page offers sign-in that returns here.
    let (status, page) = get(&anon, &app.url("/procedures/1.010041")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/login?next=/procedures/1.010041"));
    assert!(page.contains("Miễn phí"), "the fee is shown");
    assert!(page.contains("ngày làm việc"), "the processing time is shown");

    // Register, sign out, sign in again with the phone: back to the procedure.
    let citizen = register(&app, "Nguyễn Thị Hoa", CITIZEN_PHONE).await;
    let (_, home) = get(&citizen, &app.url("/")).await;
    assert!(home.contains("href=\"/dossiers\""), "a signed-in citizen sees their dossiers link");
    assert_eq!(post_303(&citizen, &app.url("/logout"), &[("csrf", &csrf(&home))]).await, "/");
    let (status, _) = get(&citizen, &app.url("/dossiers")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out");
    let (citizen, to) = sign_in(&app, CITIZEN_PHONE, "/procedures/1.010041").await;
    assert_eq!(to, "/procedures/1.010041");

    // The steps prefill the account's name and list the agency found by name.
    let id = create_draft(&app, &citizen, "12 Phố Quán Thánh, Phường Ba Đình, Hà Nội").await;
    let (status, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Hồ sơ bản nháp"), "a draft has no code yet");
    assert!(page.contains("Bản nháp"));

    // Upload a PDF through the multipart form, submit: the code appears.
    let page = upload_and_submit(&app, &citizen, &id, "Tờ khai CT01").await;
    let code = dossier_code(&page).expect("a dossier code CAX.00004-yyMMdd-NNNN");
    assert!(page.contains("Đã nộp, chờ tiếp nhận"));
    assert!(page.contains("dự kiến"), "the due instant is an estimate before receipt");
    let (_, list) = get(&citizen, &app.url("/dossiers")).await;
    assert!(list.contains(&code));

    // The official signs in, finds it on the desk, receives it, asks for a supplement.
    app.user("canbo.badinh", Role::Official, Some(BA_DINH_POLICE)).await;
    let (official, to) = sign_in(&app, "canbo.badinh", "").await;
    assert_eq!(to, "/desk");
    let (status, desk) = get(&official, &app.url("/desk")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(desk.contains(&code), "the queue lists the dossier");
    assert!(desk.contains(&format!("href=\"/desk/dossiers/{id}\"")));
    desk_act(&app, &official, &id, &[("action", "receive")]).await;
    let reason = "Thiếu bản chụp mặt sau căn cước";
    desk_act(&app, &official, &id, &[("action", "request_supplement"), ("reason", reason)]).await;

    // The citizen sees the reason, uploads a supplement and sends the dossier again.
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Cần bổ sung hồ sơ"));
    assert!(page.contains(reason), "the official's reason is shown");
    let page = upload_and_submit(&app, &citizen, &id, "Căn cước mặt sau").await;
    assert!(page.contains("Đã tiếp nhận, đang xử lý"), "back to processing");

    // The official uploads a result, approves with it, returns it.
    let (_, page) = get(&official, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let result = pdf_bytes("Giấy xác nhận thông tin về cư trú");
    let res = upload_form(
        &official,
        &app.url(&format!("/desk/dossiers/{id}/documents")),
        &csrf(&page),
        "Giấy xác nhận cư trú",
        result.clone(),
        "ket-qua.pdf",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&official, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let doc_id = between(&page, "<select id=\"document_id\" name=\"document_id\">\n      <option value=\"", "\"")
        .expect("the result document to approve with")
        .to_string();
    desk_act(&app, &official, &id, &[("action", "approve"), ("document_id", &doc_id)]).await;
    desk_act(&app, &official, &id, &[("action", "return_result")]).await;

    // The citizen sees the result returned and downloads it.
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Đã trả kết quả"));
    let href = format!("/dossiers/{id}/documents/{doc_id}");
    assert!(page.contains(&format!("class=\"button\" href=\"{href}\"")), "the result download is prominent");
    let res = citizen.get(app.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), result, "the bytes the official uploaded");
    // History: every step with its actor.
    for step in ["Tiếp nhận", "Yêu cầu bổ sung", "Phê duyệt", "Trả kết quả", "canbo.badinh"] {
        assert!(page.contains(step), "history shows {step}");
    }

    // A second dossier, refused with a reason the citizen sees.
    let id2 = create_draft(&app, &citizen, "12 Phố Quán Thánh, Phường Ba Đình, Hà Nội").await;
    upload_and_submit(&app, &citizen, &id2, "Tờ khai CT01").await;
    let why = "Người nộp không cư trú trên địa bàn phường";
    desk_act(&app, &official, &id2, &[("action", "refuse"), ("reason", why)]).await;
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id2}"))).await;
    assert!(page.contains("Hồ sơ bị từ chối"));
    assert!(page.contains("Bị từ chối"));
    assert!(page.contains(why));
    // No action left for the citizen.
    assert!(!page.contains(&format!("action=\"/dossiers/{id2}/submit\"")));
}

#[tokio::test]
async fn the_security_baseline_holds_on_pages() {
    let app = TestApp::start().await;
    let citizen = register(&app, "Trần Văn Bình", "0912000111").await;

    // Headers on a page.
    let res = citizen.get(app.url("/")).send().await.unwrap();
    let csp = res.headers().get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(res.headers().get("x-content-type-options").unwrap(), "nosniff");

    // The session cookie's flags (from a sign-in).
    let c = browser();
    let (_, page) = get(&c, &app.url("/login")).await;
    let res =
        post(&c, &app.url("/login"), &[("csrf", &csrf(&page)), ("login", "0912000111"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> =
        res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("motcua_session=")).expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(cookies.iter().any(|c| c.starts_with("motcua_csrf=")), "the CSRF cookie is rotated at sign-in");

    // A form POST without the token: 403, nothing created.
    let form = [
        ("agency_code", BA_DINH_POLICE),
        ("full_name", "Trần Văn Bình"),
        ("id_number", "001190012345"),
        ("phone", "0912000111"),
        ("address", "Hà Nội"),
        ("delivery", "online"),
    ];
    let res = post(&citizen, &app.url("/procedures/1.010041/dossiers"), &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let mut with_bad = form.to_vec();
    with_bad.push(("csrf", "0000"));
    let res = post(&citizen, &app.url("/procedures/1.010041/dossiers"), &with_bad).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A cross-site POST, even with the right token: 403.
    let (_, page) = get(&citizen, &app.url("/procedures/1.010041")).await;
    let token = csrf(&page);
    let mut with_token = form.to_vec();
    with_token.push(("csrf", &token));
    let res = citizen
        .post(app.url("/procedures/1.010041/dossiers"))
        .header("Origin", "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = get(&citizen, &app.url("/dossiers")).await;
    assert!(list.contains("Bạn chưa có hồ sơ nào"), "nothing was created");

    // What a user types is escaped (askama writes `<` as `&#60;`): a name with markup is refused and shown back escaped;
    // an address with markup is stored and shown escaped to the applicant and the desk.
    let mut evil = with_token.clone();
    evil.retain(|(k, _)| *k != "full_name");
    evil.push(("full_name", "<script>alert(1)</script>"));
    let res = post(&citizen, &app.url("/procedures/1.010041/dossiers"), &evil).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!body.contains("<script>alert(1)"));
    let id = create_draft(&app, &citizen, "<script>alert(1)</script>").await;
    upload_and_submit(&app, &citizen, &id, "Tờ khai").await;
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!page.contains("<script>alert(1)"));
    app.user("canbo.badinh", Role::Official, Some(BA_DINH_POLICE)).await;
    let (official, _) = sign_in(&app, "canbo.badinh", "").await;
    let (status, page) = get(&official, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!page.contains("<script>alert(1)"));
    // A refusal reason with markup reaches the citizen escaped.
    desk_act(&app, &official, &id, &[("action", "refuse"), ("reason", "<b>no</b>")]).await;
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("&#60;b&#62;no&#60;/b&#62;") && !page.contains("<b>no</b>"));

    // Another citizen, an official of another agency: 404, as if it did not exist.
    let other = register(&app, "Lê Thị Cúc", "0912000222").await;
    let (status, _) = get(&other, &app.url(&format!("/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&other, &app.url(&format!("/dossiers/{id}/documents/x"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.user("canbo.hoankiem", Role::Official, Some(OTHER_POLICE)).await;
    let (far, _) = sign_in(&app, "canbo.hoankiem", "").await;
    let (status, _) = get(&far, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, desk) = get(&far, &app.url("/desk")).await;
    assert!(!desk.contains(&id));
    // An action on it from the other agency: 404 and nothing changed.
    let (_, page) = get(&far, &app.url("/desk")).await;
    let res =
        post(&far, &app.url(&format!("/desk/dossiers/{id}/actions")), &[("csrf", &csrf(&page)), ("action", "receive")])
            .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A citizen on the desk: 403. Nobody signed in: to the sign-in page, coming back.
    let (status, _) = get(&other, &app.url("/desk")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = browser().get(app.url(&format!("/dossiers/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(res.headers()), format!("/login?next=/dossiers/{id}"));
    // `next` only goes to local paths.
    let (c, to) = sign_in(&app, "0912000222", "//evil.example/").await;
    assert_eq!(to, "/dossiers");
    drop(c);
}

#[tokio::test]
async fn sign_in_is_throttled_on_the_page() {
    let app = TestApp::start().await;
    register(&app, "Phạm Văn Dũng", "0912000333").await;
    let c = browser();
    let (_, page) = get(&c, &app.url("/login")).await;
    let token = csrf(&page);
    for _ in 0..5 {
        let res =
            post(&c, &app.url("/login"), &[("csrf", &token), ("login", "0912000333"), ("password", "sai-mat-khau")])
                .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body = res.text().await.unwrap();
        assert!(body.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
        assert!(body.contains("value=\"0912000333\""), "the login is kept");
    }
    let res = post(&c, &app.url("/login"), &[("csrf", &token), ("login", "0912000333"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn bad_input_is_shown_back_with_every_field_kept() {
    let app = TestApp::start().await;
    let c = browser();

    // Registration: 422, an error summary linking to each field, values kept, never the
    // password.
    let (_, page) = get(&c, &app.url("/register")).await;
    let token = csrf(&page);
    let bad = [
        ("csrf", token.as_str()),
        ("full_name", ""),
        ("phone", "12345"),
        ("email", "hoa@"),
        ("username", "hoa nguyen"),
        ("password", "ngan"),
        ("password_confirm", "khac"),
    ];
    let res = post(&c, &app.url("/register"), &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("role=\"alert\"") && body.contains("tabindex=\"-1\""));
    for field in ["full_name", "phone", "email", "username", "password", "password_confirm"] {
        assert!(body.contains(&format!("<a href=\"#{field}\">")), "summary links to {field}");
        assert!(
            body.contains(&format!("aria-describedby=\"{field}-error\"")) || body.contains(&format!("{field}-error\""))
        );
    }
    assert!(body.contains("aria-invalid=\"true\""));
    assert!(
        body.contains("value=\"12345\"") && body.contains("value=\"hoa@\"") && body.contains("value=\"hoa nguyen\"")
    );
    assert!(!body.contains("value=\"ngan\""), "the password is not shown again");
    assert!(body.contains("Mật khẩu phải có ít nhất 8 ký tự") || body.contains("8 ký tự"));
    // In English.
    let res = post(&c, &app.url("/register?lang=en"), &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("There is a problem"));
    assert!(body.contains("The password must have at least 8 characters."));
    assert!(body.contains("The two passwords do not match."));

    // The submission's steps: 422 on the step, the summary linking each field, everything
    // typed kept (and saved).
    let citizen = register(&app, "Nguyễn Thị Hoa", CITIZEN_PHONE).await;
    let (_, page) = get(&citizen, &app.url("/procedures/1.010041/apply")).await;
    let token = csrf(&page);
    let apply = app.url("/procedures/1.010041/apply");
    let res =
        post(&citizen, &apply, &[("csrf", token.as_str()), ("step", "agency"), ("go", "next"), ("agency_q", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("<a href=\"#agency_code\">"), "summary links to the agency choice");
    assert!(body.contains("Bước 1/5"), "still at step 1");
    // A forged agency is refused the same way.
    let res =
        post(&citizen, &apply, &[("csrf", token.as_str()), ("step", "agency"), ("agency_code", "UBNDX.99999")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    post_303(&citizen, &apply, &[("csrf", token.as_str()), ("step", "agency"), ("agency_code", BA_DINH_POLICE)]).await;
    let bad = [
        ("csrf", token.as_str()),
        ("step", "applicant"),
        ("go", "next"),
        ("full_name", "Nguyễn Thị Hoa"),
        ("id_number", "12ab"),
        ("phone", "0987654321"),
        ("address", ""),
    ];
    let res = post(&citizen, &apply, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    for field in ["id_number", "address"] {
        assert!(body.contains(&format!("<a href=\"#{field}\">")), "summary links to {field}");
    }
    assert!(body.contains("value=\"12ab\""), "the typed ID number is kept");
    assert!(body.contains("aria-describedby=\"id_number-hint id_number-error\""));
    assert!(body.contains("Số định danh"));
    // English through Accept-Language.
    let res = citizen.post(&apply).header("Accept-Language", "en-US,en;q=0.9").form(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("The personal ID number must have 12 digits"));
    assert!(body.contains("value=\"Nguyễn Thị Hoa\""));
    // Saved although wrong: coming back shows it, at the step where it was left.
    let (_, page) = get(&citizen, &apply).await;
    assert!(page.contains("Bước 2/5") && page.contains("value=\"12ab\""), "kept on the server");
    let (_, list) = get(&citizen, &app.url("/dossiers")).await;
    assert!(list.contains("Hồ sơ đang nộp dở"), "listed as unfinished");
    assert!(!list.contains("href=\"/dossiers/"), "no dossier was created");
    // The one-page form of older clients: its errors land on the first step with one, kept.
    let res = post(
        &citizen,
        &app.url("/procedures/1.010041/dossiers"),
        &[("csrf", token.as_str()), ("full_name", "Nguyễn Thị Hoa"), ("id_number", "12ab"), ("delivery", "online")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("<a href=\"#agency_code\">") && body.contains("Bước 1/5"));

    // A bad filter on the search page.
    let (status, body) = get(&c, &app.url("/procedures?level=planet")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("<a href=\"#level\">"));
}

#[tokio::test]
async fn uploads_that_are_not_documents_or_too_large_change_nothing() {
    let app = TestApp::start_with(|c| c.max_upload_bytes = 2000).await;
    let citizen = register(&app, "Nguyễn Thị Hoa", CITIZEN_PHONE).await;
    let id = create_draft(&app, &citizen, "Hà Nội").await;
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    let token = csrf(&page);
    let url = app.url(&format!("/dossiers/{id}/documents"));

    // An executable renamed .pdf.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    let res = upload_form(&citizen, &url, &token, "Tờ khai", exe, "to-khai.pdf").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("<a href=\"#file\">"));
    assert!(body.contains("PDF, JPEG"));
    // Over the limit.
    let mut big = pdf_bytes("lớn");
    big.resize(5000, b' ');
    let res = upload_form(&citizen, &url, &token, "Tờ khai", big, "lon.pdf").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = res.text().await.unwrap();
    assert!(body.contains("<a href=\"#file\">") && body.contains("2.000"));
    // Nothing was saved.
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Chưa có giấy tờ nào"));
    // Without a token: 403.
    let form = Form::new().part("file", Part::bytes(pdf_bytes("x")).file_name("x.pdf"));
    let res = citizen.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Chưa có giấy tờ nào"));
    assert_eq!(all_between(&page, "/documents/", "\"").len(), 0);
}

#[tokio::test]
async fn the_language_follows_the_choice() {
    let app = TestApp::start().await;
    let c = browser();
    let (_, page) = get(&c, &app.url("/")).await;
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("Dịch vụ công trực tuyến"));
    let res = c.get(app.url("/?lang=en")).send().await.unwrap();
    assert!(res.headers().get_all(SET_COOKIE).iter().any(|v| v.to_str().unwrap().starts_with("motcua_lang=en")));
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Online public services"));
    // Later pages stay English (saved choice).
    let (_, page) = get(&c, &app.url("/procedures?q=1.010041")).await;
    assert!(page.contains("Find an administrative procedure"));
    assert!(page.contains("Procedure code"));
    let (_, page) = get(&c, &app.url("/procedures/1.010041")).await;
    assert!(page.contains("Free") && page.contains("working day"));
    // The language link keeps the page and its query.
    assert!(page.contains("href=\"/procedures/1.010041?lang=vi\""));
    let (_, page) = get(&c, &app.url("/procedures?q=1.010041&lang=vi")).await;
    assert!(page.contains("Tìm thủ tục hành chính"));
    assert!(page.contains("href=\"/procedures?q=1.010041&#38;lang=en\""));
    // Accept-Language when nothing is chosen.
    let res = browser().get(app.url("/")).header("Accept-Language", "en").send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Online public services"));
}

#[tokio::test]
async fn a_route_is_walked_on_the_pages_by_three_officials_and_a_citizen() {
    use motcua_core::route::Role as Duty;
    let app = TestApp::start().await;
    for (name, duty) in
        [("mot.cua", Duty::ReceivingDesk), ("chuyen.vien", Duty::Specialist), ("lanh.dao", Duty::Leader)]
    {
        app.user(name, Role::Official, Some(BA_DINH_POLICE)).await;
        let u = app.store.user_by_username(name).await.unwrap().unwrap();
        app.store.set_duties(u.id, BA_DINH_POLICE, &[duty]).await.unwrap();
    }
    let citizen = register(&app, "Trần Văn Bình", "0914000001").await;
    let id = create_draft(&app, &citizen, "5 Phố Đội Cấn, Phường Ba Đình, Hà Nội").await;
    upload_and_submit(&app, &citizen, &id, "Tờ khai CT01").await;
    let (desk, _) = sign_in(&app, "mot.cua", "").await;
    let (specialist, _) = sign_in(&app, "chuyen.vien", "").await;
    let (leader, _) = sign_in(&app, "lanh.dao", "").await;

    // Each official sees only the forms of the step they perform.
    let (_, page) = get(&specialist, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(!page.contains("name=\"action\" value=\"receive\""), "the specialist does not receive");
    desk_act(&app, &desk, &id, &[("action", "receive")]).await;
    let (_, page) = get(&specialist, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("Thẩm định hồ sơ"), "the current step is named");
    assert!(page.contains("name=\"action\" value=\"forward\""));
    desk_act(&app, &specialist, &id, &[("action", "forward")]).await;
    desk_act(&app, &leader, &id, &[("action", "send_back"), ("reason", "Đối chiếu lại địa chỉ")]).await;
    let (_, page) = get(&leader, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("Phê duyệt kết quả → Thẩm định hồ sơ"), "the history names the steps");
    desk_act(&app, &specialist, &id, &[("action", "forward")]).await;

    // An apology with a bad date: the summary names the field; what was typed is kept.
    let (_, page) = get(&leader, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let why = "Chờ xác minh với Công an tỉnh";
    let (iso, dmy, _) = working_day_ahead(&app, 20).await;
    let form = [
        ("csrf", csrf(&page)),
        ("action", "apologise".into()),
        ("reason", why.into()),
        ("new_appointment", "31/02/2099".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post(&leader, &app.url(&format!("/desk/dossiers/{id}/actions")), &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#new_appointment\""), "the summary links to the date");
    assert!(html.contains(why) && html.contains("value=\"31/02/2099\""), "everything typed is kept");
    desk_act(&app, &leader, &id, &[("action", "apologise"), ("reason", why), ("new_appointment", &iso)]).await;
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Thư xin lỗi và hẹn lại ngày trả kết quả") && page.contains(&dmy) && page.contains(why));
    assert!(page.contains(&format!("action=\"/dossiers/{id}/withdraw\"")), "undecided: the citizen may withdraw");

    // The leader approves with a result; the desk returns it; the steps' times are shown.
    let (_, page) = get(&leader, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let res = upload_form(
        &leader,
        &app.url(&format!("/desk/dossiers/{id}/documents")),
        &csrf(&page),
        "Giấy xác nhận",
        pdf_bytes("kq"),
        "kq.pdf",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&leader, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let doc_id = between(&page, "<select id=\"document_id\" name=\"document_id\">\n      <option value=\"", "\"")
        .unwrap()
        .to_string();
    desk_act(&app, &leader, &id, &[("action", "approve"), ("document_id", &doc_id)]).await;
    desk_act(&app, &desk, &id, &[("action", "return_result")]).await;
    let (_, page) = get(&desk, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("Thời gian ở từng bước") && page.contains("Trả kết quả"));
    let (_, page) = get(&citizen, &app.url(&format!("/dossiers/{id}"))).await;
    assert!(page.contains("Đã trả kết quả") && !page.contains("/withdraw\""));

    // A second dossier, withdrawn by the citizen on the page.
    let id2 = create_draft(&app, &citizen, "5 Phố Đội Cấn, Phường Ba Đình, Hà Nội").await;
    let page = upload_and_submit(&app, &citizen, &id2, "Tờ khai CT01").await;
    let to = post_303(
        &citizen,
        &app.url(&format!("/dossiers/{id2}/withdraw")),
        &[("csrf", &csrf(&page)), ("reason", "Nộp nhầm")],
    )
    .await;
    assert_eq!(to, format!("/dossiers/{id2}?done=withdrawn"));
    let (_, page) = get(&citizen, &app.url(&to)).await;
    assert!(page.contains("Hồ sơ đã được rút.") && page.contains("Công dân đã rút hồ sơ"));
    let (_, queue) = get(&desk, &app.url("/desk")).await;
    assert!(!queue.contains(&format!("/desk/dossiers/{id2}\"")), "it left the queue");
    // In "My dossiers" it waits for no result.
    let (_, list) = get(&citizen, &app.url("/dossiers")).await;
    let row = between(&list, &format!("href=\"/dossiers/{id2}\""), "</tr>").expect("listed");
    assert!(row.contains("Công dân đã rút hồ sơ") && !row.contains("dự kiến"), "{row}");
}

#[tokio::test]
async fn administrators_manage_officials_duties_on_a_page() {
    use motcua_core::route::Role as Duty;
    let app = TestApp::start().await;
    app.user("quantri", Role::Admin, None).await;
    app.user("mot.nguoi", Role::Official, Some(BA_DINH_POLICE)).await;
    app.user("chuyen.vien", Role::Official, Some(BA_DINH_POLICE)).await;
    let (admin, _) = sign_in(&app, "quantri", "").await;
    let (status, page) = get(&admin, &app.url(&format!("/admin/officials?agency={BA_DINH_POLICE}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("mot.nguoi") && page.contains("chuyen.vien"));
    assert!(page.contains("mọi nhiệm vụ (chưa giao cụ thể)"), "nothing recorded: every duty");
    let token = csrf(&page);
    let url = app.url("/admin/officials");
    let to = post_303(
        &admin,
        &url,
        &[("csrf", &token), ("agency", BA_DINH_POLICE), ("username", "chuyen.vien"), ("roles", "specialist")],
    )
    .await;
    assert_eq!(to, format!("/admin/officials?agency={BA_DINH_POLICE}&done=1"));
    let u = app.store.user_by_username("chuyen.vien").await.unwrap().unwrap();
    let duties = app.store.duties(&u).await.unwrap();
    assert_eq!(duties.roles_in(BA_DINH_POLICE), [Duty::Specialist]);
    // Bad input: refused with the reason, nothing changed.
    for (form, says) in [
        (vec![("username", "chuyen.vien"), ("agency", BA_DINH_POLICE), ("roles", "boss")], "Chọn trong các nhiệm vụ"),
        (vec![("username", "ai.do"), ("agency", BA_DINH_POLICE), ("roles", "leader")], "Không có tài khoản"),
        (vec![("username", "chuyen.vien"), ("agency", "NOPE"), ("roles", "leader")], "Không có cơ quan"),
    ] {
        let mut f = vec![("csrf", token.as_str())];
        f.extend(form);
        let res = post(&admin, &url, &f).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(says), "{says}");
    }
    assert_eq!(app.store.duties(&u).await.unwrap().roles_in(BA_DINH_POLICE), [Duty::Specialist]);
    // The specialist may not manage; the one-person official (every duty, agency admin
    // included) may, for their own agency only.
    let (specialist, _) = sign_in(&app, "chuyen.vien", "").await;
    assert_eq!(get(&specialist, &app.url("/admin/officials")).await.0, StatusCode::FORBIDDEN);
    let (one, _) = sign_in(&app, "mot.nguoi", "").await;
    assert_eq!(get(&one, &app.url("/admin/officials")).await.0, StatusCode::OK);
    assert_eq!(get(&one, &app.url(&format!("/admin/officials?agency={OTHER_POLICE}"))).await.0, StatusCode::FORBIDDEN);
}

/// Takes a desk action through its form and returns where the page went: the dossier's page,
/// or the queue once the dossier has passed to another agency.
async fn page_act(app: &TestApp, c: &Client, id: &str, fields: &[(&str, &str)]) -> String {
    let (status, page) = get(c, &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let action = fields.iter().find(|(k, _)| *k == "action").map(|(_, v)| *v).unwrap_or_default();
    assert!(page.contains(&format!("name=\"action\" value=\"{action}\"")), "the page offers {action}");
    let token = csrf(&page);
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    post_303(c, &app.url(&format!("/desk/dossiers/{id}/actions")), &form).await
}

/// A dossier of `procedure` at `agency`, drafted and submitted through the API.
async fn api_submitted(app: &TestApp, procedure: &str, agency: &str, phone: &str) -> String {
    let res = client()
        .post(app.url("/api/v1/accounts"))
        .json(&serde_json::json!({"full_name": "Phạm Thị Dung", "phone": phone, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = app.token(phone).await;
    let v: serde_json::Value = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"procedure_code": procedure, "agency_code": agency, "applicant": applicant(),
                                  "delivery": "online", "form": {}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["id"].as_str().expect("a draft").to_string();
    assert_eq!(submit(app, &token, &id).await.status(), StatusCode::OK);
    id
}

async fn upload_result_page(app: &TestApp, c: &Client, id: &str) -> String {
    let (_, page) = get(c, &app.url(&format!("/desk/dossiers/{id}"))).await;
    let res = upload_form(
        c,
        &app.url(&format!("/desk/dossiers/{id}/documents")),
        &csrf(&page),
        "Kết quả",
        pdf_bytes("kq"),
        "kq.pdf",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(c, &app.url(&format!("/desk/dossiers/{id}"))).await;
    between(&page, "name=\"document_id\">", "</select>")
        .and_then(|s| between(s, "<option value=\"", "\""))
        .expect("a result document to choose")
        .to_string()
}

#[tokio::test]
async fn the_inter_agency_and_chained_routes_are_walked_on_the_desk_pages() {
    let app = TestApp::start().await;
    for (name, agency) in [
        ("so.nnmt", "SNNMT.01"),
        ("ubnd.tinh", "UBNDT.01"),
        ("ubnd.xa", "UBNDX.00004"),
        ("cong.an", BA_DINH_POLICE),
        ("bhxh", "BHXHT.01"),
    ] {
        app.user(name, Role::Official, Some(agency)).await;
    }
    let mut c = std::collections::HashMap::new();
    for name in ["so.nnmt", "ubnd.tinh", "ubnd.xa", "cong.an", "bhxh"] {
        c.insert(name, sign_in(&app, name, "").await.0);
    }
    let here = |id: &str| format!("/desk/dossiers/{id}?done=action");

    // 2.002835: the department receives and passes its two steps; the province confirms and
    // signs; the department returns the result.
    let id = api_submitted(&app, "2.002835", "SNNMT.01", "0915000001").await;
    assert_eq!(page_act(&app, &c["so.nnmt"], &id, &[("action", "receive")]).await, here(&id));
    assert_eq!(page_act(&app, &c["so.nnmt"], &id, &[("action", "forward")]).await, here(&id));
    // Passed to the province; the receiving department still follows it.
    assert_eq!(page_act(&app, &c["so.nnmt"], &id, &[("action", "approve")]).await, here(&id));
    let (_, queue) = get(&c["ubnd.tinh"], &app.url("/desk")).await;
    assert!(queue.contains(&format!("/desk/dossiers/{id}\"")), "in the province's queue");
    let doc = upload_result_page(&app, &c["ubnd.tinh"], &id).await;
    assert_eq!(
        page_act(&app, &c["ubnd.tinh"], &id, &[("action", "sign"), ("document_id", &doc)]).await,
        "/desk?done=action"
    );
    assert_eq!(page_act(&app, &c["so.nnmt"], &id, &[("action", "return_result")]).await, here(&id));
    let (_, page) = get(&c["so.nnmt"], &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("Đã trả kết quả"));

    // 2.000986: commune, police, social security, back to the commune; one send-back.
    let id = api_submitted(&app, "2.000986", "UBNDX.00004", "0915000002").await;
    for action in ["receive", "forward", "sign"] {
        assert_eq!(page_act(&app, &c["ubnd.xa"], &id, &[("action", action)]).await, here(&id), "{action}");
    }
    let (_, page) = get(&c["ubnd.xa"], &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("<select id=\"forward-target\" name=\"target\">"), "two ways on: the step is chosen");
    page_act(&app, &c["ubnd.xa"], &id, &[("action", "forward"), ("target", "register_residence")]).await;
    assert_eq!(page_act(&app, &c["cong.an"], &id, &[("action", "approve")]).await, "/desk?done=action");
    page_act(&app, &c["bhxh"], &id, &[("action", "send_back"), ("reason", "Sai số định danh của trẻ")]).await;
    page_act(&app, &c["ubnd.xa"], &id, &[("action", "forward"), ("target", "issue_insurance_card")]).await;
    let doc = upload_result_page(&app, &c["bhxh"], &id).await;
    page_act(&app, &c["bhxh"], &id, &[("action", "approve"), ("document_id", &doc)]).await;
    assert_eq!(page_act(&app, &c["ubnd.xa"], &id, &[("action", "return_result")]).await, here(&id));
    let (_, page) = get(&c["ubnd.xa"], &app.url(&format!("/desk/dossiers/{id}"))).await;
    assert!(page.contains("Đã trả kết quả") && page.contains("Sai số định danh của trẻ"));
}

#[tokio::test]
async fn a_procedure_page_gives_plain_guidance_with_the_date_of_the_result() {
    let app = TestApp::start().await;
    // 1.010041: 1 working day online. The date is the calendar's own answer for one working
    // day from now (by the API), in dd/mm/yyyy.
    let (_, dmy, _) = working_day_ahead(&app, 1).await;
    for (lang, says) in [("vi", "hẹn trả kết quả vào ngày"), ("en", "the result is due by")] {
        let (status, page) = get(&browser(), &app.url(&format!("/procedures/{RESIDENCE}?lang={lang}"))).await;
        assert_eq!(status, StatusCode::OK);
        let guide = between(&page, "id=\"guide-title\"", "</section>").expect("a guidance section");
        assert!(guide.contains(says) && guide.contains(&format!("<strong>{dmy}</strong>")), "{lang}: {guide}");
        let first_time = between(guide, "<ol>", "</ol>").expect("the first-time steps");
        assert_eq!(first_time.matches("<li>").count(), 5, "five first-time steps");
        assert!(guide.contains("href=\"#documents\""), "what to bring links to the list");
        let tips = between(guide, "class=\"photo-tips\"", "</details>").expect("what a good photo is");
        assert_eq!(tips.matches("<li>").count(), 4, "four photo tips");
        // The blank forms: the national portal's page of the procedure, as the catalogue gives it.
        let api: serde_json::Value = browser()
            .get(app.url(&format!("/api/v1/procedures/{RESIDENCE}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let source = api["source_url"].as_str().expect("the catalogue's source address");
        assert!(source.starts_with("https://dichvucong.gov.vn/"), "{source}");
        assert!(
            guide.contains(&format!("<a href=\"{source}\" rel=\"external noopener\">")),
            "{lang}: links the blank forms"
        );
    }
    let (_, page) = get(&browser(), &app.url(&format!("/procedures/{RESIDENCE}"))).await;
    assert!(between(&page, "id=\"guide-title\"", "</section>").unwrap().contains("Miễn phí"), "the fee, in words");
}
