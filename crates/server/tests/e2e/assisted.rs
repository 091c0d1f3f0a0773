//! Assisted submission at the one-stop desk (issue 6, item 6): an official submits for a
//! citizen present at the desk (channel `in_person`), the dossier is received on the spot,
//! the receipt shows its code and appointment, and the citizen claims it later with the code
//! and their ID number. Over the API and over the pages, on SQLite or PostgreSQL
//! (`MOTCUA_TEST_DATABASE_URL`).

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The applicant of [`applicant`]'s ID number.
const ID_NUMBER: &str = "001190012345";

/// `POST /api/v1/dossiers` with `body`.
async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    client().post(app.url("/api/v1/dossiers")).bearer_auth(token).json(&body).send().await.unwrap()
}

fn in_person(agency: &str) -> Value {
    json!({"procedure_code": RESIDENCE, "agency_code": agency, "applicant": applicant(),
           "delivery": "in_person", "channel": "in_person"})
}

/// `POST /api/v1/dossiers/claim`.
async fn claim(app: &TestApp, token: &str, code: &str, id_number: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/dossiers/claim"))
        .bearer_auth(token)
        .json(&json!({"code": code, "id_number": id_number}))
        .send()
        .await
        .unwrap()
}

/// The due date, `dd/mm/yyyy` in Vietnam time, of `amount` working days from `start` by the
/// calendar API (computed apart from the dossier's own clock).
async fn due_date(app: &TestApp, start: &str, amount: f64) -> (String, String) {
    let v: Value = client()
        .get(app.url("/api/v1/calendar/due"))
        .query(&[("start", start), ("amount", &amount.to_string()), ("unit", "working_days")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at = v["due_at"].as_str().expect("a due instant").to_string();
    let day = chrono::DateTime::parse_from_rfc3339(&at).unwrap().with_timezone(&motcua_core::calendar::vietnam());
    (at, day.format("%d/%m/%Y").to_string())
}

/// An official of Ba Đình's police submits for a citizen over the API: returns the official's
/// token and the received dossier.
async fn assisted_over_api(app: &TestApp) -> (String, Value) {
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let official = app.token("canbo").await;
    let res = create(app, &official, in_person(BA_DINH_POLICE)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let draft: Value = res.json().await.unwrap();
    assert_eq!(draft["channel"], "in_person");
    assert_eq!(draft["submitted_by"]["username"], "canbo");
    assert_eq!(draft["awaits_claim"], true);
    assert_eq!(draft["allowed_actions"], json!(["submit"]));
    let id = draft["id"].as_str().unwrap().to_string();
    // Nothing scanned yet: not received.
    assert_eq!(submit(app, &official, &id).await.status(), StatusCode::CONFLICT);
    let res = upload(app, &official, &id, pdf_bytes("CT01 scan"), "scan.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = submit(app, &official, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    (official, res.json().await.unwrap())
}

#[tokio::test]
async fn an_official_submits_in_person_and_the_citizen_claims_it_with_code_and_id_number() {
    let app = TestApp::start().await;
    let (official, d) = assisted_over_api(&app).await;
    let id = d["id"].as_str().unwrap().to_string();
    let code = d["code"].as_str().expect("a code at submission").to_string();
    assert!(code.starts_with("CAX.00004-"), "{code}");
    // Received on the spot, by the official, in one change with its two history entries.
    assert_eq!(d["status"], "received");
    assert_eq!(d["channel"], "in_person");
    assert_eq!(d["submitted_by"]["username"], "canbo");
    assert_eq!(d["submitted_at"], d["received_at"]);
    let actions: Vec<&str> = d["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit", "receive"]);
    assert!(d["history"].as_array().unwrap().iter().all(|h| h["by_role"] == "official"));
    assert_eq!(d["due_is_estimate"], false);
    // The due instant is the calendar's for the statutory time from the receipt instant.
    assert_eq!(d["time_unit"], "working_days");
    let (due_at, dmy) = due_date(&app, d["received_at"].as_str().unwrap(), d["time_value"].as_f64().unwrap()).await;
    let stored = chrono::DateTime::parse_from_rfc3339(d["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(stored, chrono::DateTime::parse_from_rfc3339(&due_at).unwrap());
    // The official now acts as an official: the desk's actions, not the applicant's.
    assert!(!d["allowed_actions"].as_array().unwrap().contains(&json!("submit")));
    assert!(d["allowed_actions"].as_array().unwrap().contains(&json!("refuse")), "{}", d["allowed_actions"]);

    // The receipt page shows the code and the appointment date.
    let page = page_sign_in(&app, "canbo").await;
    let res = page.get(app.url(&format!("/desk/dossiers/{id}/receipt"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("<strong id=\"receipt-code\">{code}</strong>")), "{html}");
    assert!(html.contains(&format!("<strong id=\"receipt-appointment\">{dmy}</strong>")), "due {dmy}: {html}");
    assert!(html.contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") && html.contains("Tờ khai CT01"));
    assert!(html.contains(&format!("nhập mã {code} và số định danh")), "how to follow it online");

    // A citizen: a wrong ID number and a wrong code are the same 404.
    let hoa = register_citizen(&app, "0912000001").await;
    let wrong_id = claim(&app, &hoa, &code, "001190099999").await;
    assert_eq!(wrong_id.status(), StatusCode::NOT_FOUND);
    let wrong_id: Value = wrong_id.json().await.unwrap();
    let wrong_code = claim(&app, &hoa, "CAX.00004-991231-0001", ID_NUMBER).await;
    assert_eq!(wrong_code.status(), StatusCode::NOT_FOUND);
    assert_eq!(wrong_id, wrong_code.json::<Value>().await.unwrap(), "no oracle");
    // Not theirs yet.
    assert_eq!(get(&app, &hoa, &format!("/api/v1/dossiers/{id}")).await.0, StatusCode::NOT_FOUND);
    // The right one: 200 with the dossier, then in their list; claiming again changes nothing.
    let res = claim(&app, &hoa, &code.to_lowercase(), "0011 9001 2345").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["id"].as_str(), v["status"].as_str(), v["awaits_claim"].as_bool()),
        (Some(id.as_str()), Some("received"), Some(false))
    );
    let last = v["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["action"].as_str(), last["by_role"].as_str()), (Some("claim"), Some("citizen")));
    assert_eq!(last["status"], "received");
    assert_eq!(claim(&app, &hoa, &code, ID_NUMBER).await.status(), StatusCode::OK);
    let (_, mine) = get(&app, &hoa, "/api/v1/dossiers").await;
    let ids: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    let (status, v) = get(&app, &hoa, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["allowed_actions"], json!(["withdraw"]), "the applicant's own actions now");
    // The official still sees it through their duties, as an official.
    let (status, v) = get(&app, &official, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["allowed_actions"].as_array().unwrap().contains(&json!("refuse")));
    let (_, mine) = get(&app, &official, "/api/v1/dossiers").await;
    assert_eq!(mine["items"], json!([]), "no longer the official's");

    // A second citizen with the right code and ID number: 409.
    let other = register_citizen(&app, "0912000002").await;
    assert_eq!(claim(&app, &other, &code, ID_NUMBER).await.status(), StatusCode::CONFLICT);
    // A citizen's own online dossier cannot be claimed by anyone, even with its ID number.
    let own = create_draft(&app, &hoa, BA_DINH_POLICE).await;
    let own_id = own["id"].as_str().unwrap();
    upload(&app, &hoa, own_id, pdf_bytes("x"), "x.pdf", "required").await;
    let own: Value = submit(&app, &hoa, own_id).await.json().await.unwrap();
    assert_eq!(own["channel"], "online");
    assert_eq!(own["submitted_by"], Value::Null);
    let res = claim(&app, &other, own["code"].as_str().unwrap(), ID_NUMBER).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Officials do not claim.
    assert_eq!(claim(&app, &official, &code, ID_NUMBER).await.status(), StatusCode::FORBIDDEN);
    // A malformed ID number is a 422 naming the field.
    let res = claim(&app, &other, &code, "12").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"][0]["field"], "id_number");
}

#[tokio::test]
async fn claims_are_throttled_per_account_after_five_failures() {
    let app = TestApp::start().await;
    let (_, d) = assisted_over_api(&app).await;
    let code = d["code"].as_str().unwrap().to_string();
    let guesser = register_citizen(&app, "0912000003").await;
    for i in 0..5 {
        let res = claim(&app, &guesser, &code, &format!("00119001{i:04}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "failure {i}");
    }
    // The sixth, even with the right ID number, waits.
    let res = claim(&app, &guesser, &code, ID_NUMBER).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // Another account is not held back by it; its successes are not counted.
    let hoa = register_citizen(&app, "0912000004").await;
    assert_eq!(claim(&app, &hoa, &code, ID_NUMBER).await.status(), StatusCode::OK);
    for _ in 0..6 {
        assert_eq!(claim(&app, &hoa, &code, ID_NUMBER).await.status(), StatusCode::OK);
    }
}

/// Accounts are free to make: failures from one address over several accounts meet the
/// address's limit (8 here) though no account reaches its own (5).
#[tokio::test]
async fn claims_are_throttled_per_address_across_accounts() {
    let app = TestApp::start_with(|c| c.claim_failures_per_address = 8).await;
    let (_, d) = assisted_over_api(&app).await;
    let code = d["code"].as_str().unwrap().to_string();
    for (n, phone) in ["0912000021", "0912000022"].iter().enumerate() {
        let guesser = register_citizen(&app, phone).await;
        for i in 0..4 {
            let res = claim(&app, &guesser, &code, &format!("0011900{n}{i:04}")).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{phone}, failure {i}");
        }
    }
    let third = register_citizen(&app, "0912000023").await;
    let res = claim(&app, &third, &code, "001190099999").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the ninth failure from one address");
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn only_a_receiving_desk_of_the_agency_submits_in_person() {
    let app = TestApp::start().await;
    // A citizen may not set in_person (nor post): 422 naming the field.
    let hoa = register_citizen(&app, "0912000005").await;
    for channel in ["in_person", "post"] {
        let mut body = in_person(BA_DINH_POLICE);
        body["channel"] = json!(channel);
        let res = create(&app, &hoa, body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], "channel", "{v}");
    }
    // An official of another commune's police cannot create for Ba Đình's.
    app.user("hoankiem", Role::Official, Some(OTHER_POLICE)).await;
    let other = app.token("hoankiem").await;
    assert_eq!(create(&app, &other, in_person(BA_DINH_POLICE)).await.status(), StatusCode::FORBIDDEN);
    // An official without in_person still cannot create (a citizen's online draft).
    let mut online = in_person(BA_DINH_POLICE);
    online["channel"] = json!("online");
    assert_eq!(create(&app, &other, online).await.status(), StatusCode::FORBIDDEN);
    // An official with another channel: 422 naming the channel, what is wrong.
    for channel in ["post", "IN_PERSON", "tai_quay"] {
        let mut body = in_person(BA_DINH_POLICE);
        body["channel"] = json!(channel);
        let res = create(&app, &other, body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{channel}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(
            (v["errors"][0]["field"].as_str(), v["errors"][0]["code"].as_str()),
            (Some("channel"), Some("channel_desk_in_person")),
            "{v}"
        );
    }
    // A Ba Đình official's draft is invisible to the other commune's official, and to a
    // colleague before submission.
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    app.user("canbo2", Role::Official, Some(BA_DINH_POLICE)).await;
    let canbo = app.token("canbo").await;
    let draft: Value = create(&app, &canbo, in_person(BA_DINH_POLICE)).await.json().await.unwrap();
    let id = draft["id"].as_str().unwrap();
    assert_eq!(get(&app, &other, &format!("/api/v1/dossiers/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &app.token("canbo2").await, &format!("/api/v1/dossiers/{id}")).await.0, StatusCode::NOT_FOUND);
    let res = upload(&app, &other, id, pdf_bytes("x"), "x.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The agent cannot withdraw the draft or take a desk action on it before submission.
    let res = act(&app, &canbo, id, json!({"action": "receive"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// The pages: /desk links to the assisted form; the official finds the procedure, fills in the
/// applicant, scans a paper, submits and receives, and gets the receipt; the citizen claims it
/// on "My dossiers" and lands on the dossier.
#[tokio::test]
async fn the_desk_pages_take_an_assisted_submission_and_my_dossiers_claims_it() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let b = page_sign_in(&app, "canbo").await;
    let desk = b.get(app.url("/desk")).send().await.unwrap().text().await.unwrap();
    assert!(desk.contains("href=\"/desk/assisted\""));
    let html = b.get(app.url("/desk/assisted")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"procedure\"") && html.contains(" autofocus"), "the search is focused");
    // A search by name lists the procedure; its code opens the form.
    let html = b.get(app.url("/desk/assisted?procedure=x%C3%A1c+nh%E1%BA%ADn+c%C6%B0+tr%C3%BA")).send().await.unwrap();
    assert!(html.text().await.unwrap().contains("href=\"/desk/assisted?procedure=1.010041\""));
    let html = b.get(app.url("/desk/assisted?procedure=1.010041")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("value=\"{BA_DINH_POLICE}\" selected")), "the official's agency");
    let csrf = csrf_of(&html);
    // Bad input: 422 with the summary, everything typed kept.
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("procedure_code", RESIDENCE),
        ("agency_code", BA_DINH_POLICE),
        ("full_name", "Nguyễn Thị Hoa"),
        ("id_number", "12"),
        ("phone", "0987654321"),
        ("address", "12 Phố Quán Thánh, Phường Ba Đình, Hà Nội"),
        ("delivery", "in_person"),
    ];
    let res = b.post(app.url("/desk/assisted")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"error-summary\"") && html.contains("href=\"#id_number\""));
    assert!(html.contains("value=\"Nguyễn Thị Hoa\"") && html.contains("value=\"12\""));
    fields[4] = ("id_number", ID_NUMBER);
    let res = b.post(app.url("/desk/assisted")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let id = to.trim_start_matches("/desk/assisted/").split('?').next().unwrap().to_string();
    // Receiving with nothing scanned: told on the page.
    let html = b.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let res =
        b.post(app.url(&format!("/desk/assisted/{id}/submit"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("id=\"error-summary\""));
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("name", "Tờ khai CT01 (bản quét)")
        .part("file", reqwest::multipart::Part::bytes(pdf_bytes("scan")).file_name("scan.pdf"));
    let res = b.post(app.url(&format!("/desk/assisted/{id}/documents"))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = b.get(app.url(&format!("/desk/assisted/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Tờ khai CT01 (bản quét)"));
    let res =
        b.post(app.url(&format!("/desk/assisted/{id}/submit"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/desk/dossiers/{id}/receipt").as_str());
    let receipt =
        b.get(app.url(&format!("/desk/dossiers/{id}/receipt?lang=en"))).send().await.unwrap().text().await.unwrap();
    let code = receipt.split("<strong id=\"receipt-code\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let official = app.token("canbo").await;
    let (_, d) = get(&app, &official, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(
        (d["code"].as_str(), d["status"].as_str(), d["channel"].as_str()),
        (Some(code.as_str()), Some("received"), Some("in_person"))
    );
    let (_, dmy) = due_date(&app, d["received_at"].as_str().unwrap(), d["time_value"].as_f64().unwrap()).await;
    assert!(receipt.contains(&format!("<strong id=\"receipt-appointment\">{dmy}</strong>")));
    assert!(receipt.contains("Receipt and appointment slip") && receipt.contains("Người dùng canbo"));

    // The citizen claims it on My dossiers: a wrong ID number keeps what was typed.
    register_citizen(&app, "0912000006").await;
    let c = page_sign_in(&app, "0912000006").await;
    let html = c.get(app.url("/dossiers")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("action=\"/dossiers/claim\""));
    let csrf = csrf_of(&html);
    let res = c
        .post(app.url("/dossiers/claim"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str()), ("id_number", "001190099999")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"error-summary\"") && html.contains(&format!("value=\"{code}\"")));
    let res = c
        .post(app.url("/dossiers/claim"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str()), ("id_number", ID_NUMBER)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/dossiers/{id}?done=claimed").as_str());
    let html = c.get(app.url("/dossiers")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("href=\"/dossiers/{id}\">{code}</a>")), "in My dossiers");
}
