//! The JSON API, end to end: procedure 1.010041 from search to returned result, access
//! rules, bad input, idempotency and the sign-in throttle.

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn codes(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn catalogue_search_finds_what_a_person_means() {
    let app = TestApp::start().await;
    let c = client();
    for q in ["xac nhan cu tru", "Xác nhận thông tin về cư trú", "XÁC NHẬN cư trú", "1.010041"] {
        let v: Value = c
            .get(app.url("/api/v1/procedures"))
            .query(&[("q", q), ("limit", "50")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(codes(&v).contains(&RESIDENCE.to_string()), "{q} should find 1.010041: {:?}", codes(&v));
    }
    // NFD input (decomposed diacritics) finds the same as NFC.
    let nfd = "\u{111}a\u{306}ng ky\u{301} khai sinh"; // "đăng ký khai sinh", decomposed
    let a: Value =
        c.get(app.url("/api/v1/procedures")).query(&[("q", nfd)]).send().await.unwrap().json().await.unwrap();
    let b: Value = c
        .get(app.url("/api/v1/procedures"))
        .query(&[("q", "dang ky khai sinh")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(a["total"].as_i64().unwrap() > 0);
    assert_eq!(a["total"], b["total"]);
    // Every result holds every word (as the start of a word); those holding the phrase
    // itself come first.
    let names: Vec<String> = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!(" {}", motcua_core::text::fold(i["name"].as_str().unwrap())))
        .collect();
    for name in &names {
        assert!(["dang", "ky", "khai", "sinh"].iter().all(|w| name.contains(&format!(" {w}"))), "{name}");
    }
    assert!(names[0].contains(" dang ky khai sinh"), "{}", names[0]);
    let first_without = names.iter().position(|n| !n.contains(" dang ky khai sinh")).unwrap_or(names.len());
    assert!(names[first_without..].iter().all(|n| !n.contains(" dang ky khai sinh")), "phrase matches first");
    // A code finds exactly that procedure first.
    let v: Value = c.get(app.url("/api/v1/procedures?q=1.001193")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["items"][0]["code"], "1.001193");
    // Filters.
    let v: Value =
        c.get(app.url("/api/v1/procedures?level=commune&limit=200")).send().await.unwrap().json().await.unwrap();
    assert!(v["items"].as_array().unwrap().iter().all(|i| i["levels"].as_array().unwrap().contains(&json!("commune"))));
    let res = c.get(app.url("/api/v1/procedures?level=planet")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The structured procedure: two online rows, 1 and 3 working days, free (read from the record).
    let p: Value = c.get(app.url("/api/v1/procedures/1.010041")).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["name"], "Xác nhận thông tin về cư trú");
    let rows = p["channels"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["processing_time"], json!({"kind": "specified", "value": 1.0, "unit": "working_days"}));
    assert_eq!(rows[1]["processing_time"]["value"], 3.0);
    assert_eq!(rows[0]["fee"]["kind"], "free");
    assert_eq!(c.get(app.url("/api/v1/procedures/9.999999")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Where it can be submitted: the commune police, found by the ward's name.
    let v: Value = c
        .get(app.url("/api/v1/agencies"))
        .query(&[("procedure_code", RESIDENCE), ("q", "ba dinh")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(items.iter().any(|a| a["code"] == BA_DINH_POLICE && a["level"] == "commune"), "{items:?}");
    assert!(items.iter().all(|a| a["kind"] == "CAX"));
}

#[tokio::test]
async fn residence_confirmation_from_draft_to_returned_result_with_a_supplement_round() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let citizen = register_citizen(&app, "0912000001").await;
    let official = app.token("canbo").await;

    let draft = create_draft(&app, &citizen, BA_DINH_POLICE).await;
    assert_eq!(draft["status"], "draft");
    assert!(draft["national_status"].is_null(), "the national list has no drafts");
    assert!(draft["code"].is_null());
    assert!(draft["due_at"].is_null());
    let id = draft["id"].as_str().unwrap().to_string();

    // A draft is visible only to its author: not on the desk, 404 for the official.
    let (s, _) = get(&app, &official, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let pdf = pdf_bytes("to khai CT01");
    let res = upload(&app, &citizen, &id, pdf.clone(), "ct01.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["sha256"], hex::encode(Sha256::digest(&pdf)));
    assert_eq!(doc["kind"], "required");

    let res = submit(&app, &citizen, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let submitted: Value = res.json().await.unwrap();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(
        (submitted["national_status"].as_u64(), submitted["national_status_name"].as_str()),
        (Some(1), Some("Mới đăng ký"))
    );
    let code = submitted["code"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().with_timezone(&motcua_core::calendar::vietnam()).format("%y%m%d").to_string();
    assert_eq!(code, format!("{BA_DINH_POLICE}-{today}-0001"));
    assert!(submitted["due_at"].is_string(), "an estimated due instant at submission");
    assert_eq!(submitted["due_is_estimate"], true);

    // The desk sees it; the dossier can be read by its code.
    let (_, queue) = get(&app, &official, "/api/v1/desk/dossiers").await;
    assert_eq!(codes(&queue), vec![code.clone()]);
    let (s, by_code) = get(&app, &official, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(by_code["id"], id.as_str());
    // Read by id, the same dossier with the same history, documents and procedure name (the
    // name as the catalogue gives it).
    let (_, by_id) = get(&app, &official, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(by_id, by_code);
    let procedure = by_code["procedure_code"].as_str().unwrap();
    let (_, catalogue) = get(&app, &official, &format!("/api/v1/procedures/{procedure}")).await;
    assert_eq!(by_code["procedure_name"], catalogue["name"]);
    assert!(!catalogue["name"].as_str().unwrap_or("").is_empty());
    assert_eq!(by_code["documents"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_code["documents"][0]["sha256"], doc["sha256"]);
    assert_eq!(by_code["history"].as_array().map(Vec::len), Some(2), "create and submit");

    let res = act(&app, &official, &code, json!({"action": "receive"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let received: Value = res.json().await.unwrap();
    assert_eq!(received["status"], "received");
    assert_eq!(
        (received["national_status"].as_u64(), received["national_status_name"].as_str()),
        (Some(2), Some("Được tiếp nhận"))
    );
    // One working day from receipt: at most 3½ calendar days later (Friday evening →
    // Monday 17:00), and never before the receipt.
    let at = chrono::DateTime::parse_from_rfc3339(received["received_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(received["due_at"].as_str().unwrap()).unwrap();
    assert!(due > at && due - at <= chrono::Duration::hours(84), "{at} → {due}");
    assert_eq!(received["due_is_estimate"], false);

    // A supplement request needs a reason.
    let res = act(&app, &official, &code, json!({"action": "request_supplement"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res =
        act(&app, &official, &code, json!({"action": "request_supplement", "reason": "Thiếu bản sao giấy tờ nhà"}))
            .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (_, seen) = get(&app, &citizen, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(seen["status"], "supplement_requested");
    assert_eq!(seen["national_status"], 5, "Yêu cầu bổ sung giấy tờ");
    assert_eq!(seen["history"].as_array().unwrap().last().unwrap()["reason"], "Thiếu bản sao giấy tờ nhà");
    let res = upload(&app, &citizen, &id, pdf_bytes("giay to nha"), "nha.pdf", "supplement").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = submit(&app, &citizen, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let resumed: Value = res.json().await.unwrap();
    assert_eq!(resumed["status"], "received", "the answer returns the dossier to processing");
    let due_after = chrono::DateTime::parse_from_rfc3339(resumed["due_at"].as_str().unwrap()).unwrap();
    assert!(due_after >= due, "a pause never brings the due instant earlier");

    // Approve needs a result document of this dossier.
    let res = act(&app, &official, &code, json!({"action": "approve"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let result_pdf = pdf_bytes("CT07 xac nhan cu tru");
    let res = upload(&app, &official, &code, result_pdf.clone(), "ct07.pdf", "result").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let result_doc: Value = res.json().await.unwrap();
    let res = act(&app, &official, &code, json!({"action": "approve", "document_id": result_doc["id"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = act(&app, &official, &code, json!({"action": "return_result"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let (_, done) = get(&app, &citizen, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(done["status"], "returned");
    assert_eq!(done["national_status"], 10, "Đã trả kết quả");
    let statuses: Vec<&str> =
        done["history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["draft", "submitted", "received", "supplement_requested", "received", "approved", "returned"]
    );
    assert!(done["history"].as_array().unwrap().iter().all(|h| h["at"].is_string() && h["by"].is_string()));
    let res = client()
        .get(app.url(&format!("/api/v1/dossiers/{id}/documents/{}", result_doc["id"].as_str().unwrap())))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), result_pdf);
    // Nothing more can happen to a returned dossier.
    let res = act(&app, &official, &code, json!({"action": "refuse", "reason": "x"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_second_dossier_is_refused_with_reasons_and_codes_run_on_without_gaps() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let citizen = register_citizen(&app, "0912000002").await;
    let official = app.token("canbo").await;
    let mut seqs = vec![];
    let mut ids = vec![];
    for _ in 0..3 {
        let d = create_draft(&app, &citizen, BA_DINH_POLICE).await;
        let id = d["id"].as_str().unwrap().to_string();
        let v: Value = submit(&app, &citizen, &id).await.json().await.unwrap();
        seqs.push(v["code"].as_str().unwrap().rsplit('-').next().unwrap().parse::<u32>().unwrap());
        ids.push(id);
    }
    assert_eq!(seqs, [1, 2, 3]);
    let res = act(&app, &official, &ids[1], json!({"action": "refuse"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a refusal states its reasons");
    let res = act(&app, &official, &ids[1], json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, v) = get(&app, &citizen, &format!("/api/v1/dossiers/{}", ids[1])).await;
    assert_eq!(v["status"], "refused");
    assert_eq!(v["national_status"], 3, "refused at the desk, before receipt: Không được tiếp nhận");
    assert_eq!(v["history"].as_array().unwrap().last().unwrap()["reason"], "Không thuộc thẩm quyền");
    let (_, queue) = get(&app, &official, "/api/v1/desk/dossiers").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 2, "the refused dossier leaves the queue");
}

#[tokio::test]
async fn nobody_reads_or_changes_a_dossier_that_is_not_theirs() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    app.user("canbo.khac", Role::Official, Some(OTHER_POLICE)).await;
    let owner = register_citizen(&app, "0912000003").await;
    let stranger = register_citizen(&app, "0912000004").await;
    let other_official = app.token("canbo.khac").await;
    let draft = create_draft(&app, &owner, BA_DINH_POLICE).await;
    let id = draft["id"].as_str().unwrap().to_string();
    upload(&app, &owner, &id, pdf_bytes("a"), "a.pdf", "required").await;

    // Another citizen: 404 on read, upload, submit; nothing changed.
    assert_eq!(get(&app, &stranger, &format!("/api/v1/dossiers/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(upload(&app, &stranger, &id, pdf_bytes("b"), "b.pdf", "required").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(submit(&app, &stranger, &id).await.status(), StatusCode::NOT_FOUND);
    let (_, v) = get(&app, &owner, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!((v["status"].as_str(), v["documents"].as_array().unwrap().len()), (Some("draft"), 1));

    let v: Value = submit(&app, &owner, &id).await.json().await.unwrap();
    let code = v["code"].as_str().unwrap().to_string();
    // Another agency's official: 404 on read and on every action; nothing changed.
    assert_eq!(get(&app, &other_official, &format!("/api/v1/dossiers/{code}")).await.0, StatusCode::NOT_FOUND);
    for action in ["receive", "refuse", "request_supplement"] {
        let res = act(&app, &other_official, &code, json!({"action": action, "reason": "x"})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let (_, q) = get(&app, &other_official, "/api/v1/desk/dossiers").await;
    assert!(q["items"].as_array().unwrap().is_empty());
    // The owner may see it but not act as the agency: 403.
    assert_eq!(act(&app, &owner, &code, json!({"action": "receive"})).await.status(), StatusCode::FORBIDDEN);
    // Versions count every change: created (1), a document (2), submitted (3).
    let (_, v) = get(&app, &owner, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!((v["status"].as_str(), v["version"].as_i64()), (Some("submitted"), Some(3)));
    // A citizen has no desk.
    assert_eq!(get(&app, &owner, "/api/v1/desk/dossiers").await.0, StatusCode::FORBIDDEN);

    // No token, a bad token: 401.
    let res = client().get(app.url(&format!("/api/v1/dossiers/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client().get(app.url(&format!("/api/v1/dossiers/{id}"))).bearer_auth("forged").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

fn field_errors(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = TestApp::start_with(|c| c.max_upload_bytes = 50_000).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let citizen = register_citizen(&app, "0912000005").await;
    let official = app.token("canbo").await;
    let c = client();

    // Malformed JSON.
    let res = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("content-type", "application/json")
        .body("{\"procedure_code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["type"], "https://motcua.dev/problems/invalid-input");
    assert_eq!(field_errors(&v), ["body"]);

    // Unknown procedure code and missing applicant fields, all named at once; in English
    // when asked.
    let res = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("accept-language", "en")
        .json(&json!({"procedure_code": "9.999999", "agency_code": BA_DINH_POLICE,
                      "applicant": {"full_name": "", "id_number": "12"}, "delivery": "online"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    let fields = field_errors(&v);
    for f in ["procedure_code", "applicant.full_name", "applicant.id_number", "applicant.phone", "applicant.address"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    let id_msg = v["errors"].as_array().unwrap().iter().find(|e| e["field"] == "applicant.id_number").unwrap();
    assert!(id_msg["detail"].as_str().unwrap().contains("12 digits"), "{id_msg}");
    // A wrong JSON type names the field.
    let res = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .json(&json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": {"full_name": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&res.json().await.unwrap()), ["applicant.full_name"]);
    let (_, mine) = get(&app, &citizen, "/api/v1/dossiers").await;
    assert!(mine["items"].as_array().unwrap().is_empty(), "no dossier was created by bad input");

    let id = create_draft(&app, &citizen, BA_DINH_POLICE).await["id"].as_str().unwrap().to_string();
    upload(&app, &citizen, &id, pdf_bytes("ok"), "ok.pdf", "required").await;
    // An executable renamed .pdf is refused by its content.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend_from_slice(&[0u8; 200]);
    let res = upload(&app, &citizen, &id, exe, "giay-to.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&res.json().await.unwrap()), ["file"]);
    // Over the limit: 413.
    let mut big = pdf_bytes("big");
    big.resize(60_000, b' ');
    let res = upload(&app, &citizen, &id, big, "big.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // An action the status does not allow: 409.
    let v: Value = submit(&app, &citizen, &id).await.json().await.unwrap();
    assert_eq!(v["status"], "submitted");
    let res = act(&app, &official, &id, json!({"action": "approve", "document_id": "x"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = act(&app, &official, &id, json!({"action": "fly"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Uploading a required document after submission is not allowed.
    let res = upload(&app, &citizen, &id, pdf_bytes("late"), "late.pdf", "required").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Nothing saved changed: one document, submitted, version 3 (created, one document,
    // submitted).
    let (_, v) = get(&app, &citizen, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
    assert_eq!((v["status"].as_str(), v["version"].as_i64()), (Some("submitted"), Some(3)));
    // A JSON body over the limit (1 MiB): 413.
    let huge = json!({"procedure_code": RESIDENCE, "form": {"x": "a".repeat(1_100_000)}});
    let res = c.post(app.url("/api/v1/dossiers")).bearer_auth(&citizen).json(&huge).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_refuses_a_different_body() {
    let app = TestApp::start().await;
    let citizen = register_citizen(&app, "0912000006").await;
    let body = json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": applicant(),
                      "delivery": "post"});
    let send = |b: Value| {
        client()
            .post(app.url("/api/v1/dossiers"))
            .bearer_auth(&citizen)
            .header("Idempotency-Key", "k-1")
            .json(&b)
            .send()
    };
    let location = |r: &reqwest::Response| r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_location = location(&first);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first_location, Some(format!("/api/v1/dossiers/{}", first["id"].as_str().unwrap())));
    // The replay is the first answer: status, body and the created dossier's address.
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(location(&again), first_location);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let mut other = body.clone();
    other["delivery"] = json!("online");
    assert_eq!(send(other).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, mine) = get(&app, &citizen, "/api/v1/dossiers").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "one dossier, not two");
    // The key is scoped to the account: another citizen may use the same key.
    let other_citizen = register_citizen(&app, "0912000007").await;
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&other_citizen)
        .header("Idempotency-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_ne!(res.json::<Value>().await.unwrap()["id"], first["id"]);
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_and_bad_credentials_are_401() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let c = client();
    let attempt = |p: &'static str| {
        c.post(app.url("/api/v1/auth/token")).json(&json!({"username": "canbo", "password": p})).send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let res = attempt("wrong-password").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60);
    // Locked even with the right password until the window passes.
    assert_eq!(attempt(PASSWORD).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    // An unknown account is a 401 like a wrong password.
    let res = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "nobody", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = TestApp::start_with(|c| c.token_ttl = std::time::Duration::from_secs(1)).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let t = app.token("canbo").await;
    assert_eq!(get(&app, &t, "/api/v1/desk/dossiers").await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(get(&app, &t, "/api/v1/desk/dossiers").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_openapi_and_security_headers() {
    let app = TestApp::start().await;
    let res = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let doc: Value = client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/token",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/agencies",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{ref}",
        "/api/v1/dossiers/{ref}/documents",
        "/api/v1/dossiers/{ref}/submit",
        "/api/v1/dossiers/{ref}/actions",
        "/api/v1/desk/dossiers",
        "/api/v1/calendar/{year}",
        "/api/v1/calendar/due",
        "/api/v1/calendar/decisions",
        "/api/v1/agencies/{code}/working-hours",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}

#[tokio::test]
async fn an_administrator_marks_a_procedure_full_process() {
    let app = TestApp::start().await;
    app.user("quantri", Role::Admin, None).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let admin = app.token("quantri").await;
    let official = app.token("canbo").await;
    let put = |t: &str, body: Value| {
        client().put(app.url("/api/v1/procedures/1.010041/online-level")).bearer_auth(t).json(&body).send()
    };
    assert_eq!(put(&official, json!({"online_level": "full"})).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(put(&admin, json!({"online_level": "total"})).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = put(&admin, json!({"online_level": "full"})).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["online_level"], "full");
    let v: Value =
        client().get(app.url("/api/v1/procedures?q=1.010041&online=full")).send().await.unwrap().json().await.unwrap();
    assert_eq!(codes(&v), ["1.010041"]);
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_create_one_dossier() {
    let app = TestApp::start().await;
    let citizen = register_citizen(&app, "0912000008").await;
    let body = json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": applicant(),
                      "delivery": "online"});
    let sends = (0..10).map(|i| {
        // Half of them with a lower-case scheme: "bearer" is the same credential.
        let auth = if i % 2 == 0 { format!("Bearer {citizen}") } else { format!("bearer {citizen}") };
        client()
            .post(app.url("/api/v1/dossiers"))
            .header("authorization", auth)
            .header("Idempotency-Key", "same-click")
            .json(&body)
            .send()
    });
    let results = futures_join_all(sends).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert!(statuses.contains(&201));
    let (_, mine) = get(&app, &citizen, "/api/v1/dossiers").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "one dossier whatever the retries");

    // A retried upload (a new random multipart boundary each time) replays the first answer.
    let id = mine["items"][0]["id"].as_str().unwrap().to_string();
    let up = || {
        let form = Form::new().part("file", Part::bytes(pdf_bytes("ct01")).file_name("ct01.pdf"));
        client()
            .post(app.url(&format!("/api/v1/dossiers/{id}/documents")))
            .bearer_auth(&citizen)
            .header("Idempotency-Key", "upload-1")
            .multipart(form)
            .send()
    };
    let first: Value = up().await.unwrap().json().await.unwrap();
    let again = up().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let (_, v) = get(&app, &citizen, &format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_username_cannot_take_over_someone_elses_phone() {
    let app = TestApp::start().await;
    let victim = register_citizen(&app, "0912000009").await;
    assert!(!victim.is_empty());
    let res = client()
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"full_name": "Kẻ Gian", "username": "0912000009", "email": "x@example.vn", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&res.json().await.unwrap()), ["username"]);
    // The victim still signs in with the phone, in any usual spelling.
    for login in ["0912000009", "+84 912 000 009"] {
        let res = client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": login, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{login}");
    }
}

#[tokio::test]
async fn parallel_guesses_are_throttled_per_account_whatever_name_is_used() {
    let app = TestApp::start().await;
    let res = client()
        .post(app.url("/api/v1/accounts"))
        .json(
            &json!({"full_name": "Lê Thị Mai", "phone": "0912000010", "email": "mai@example.vn", "password": PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let guesses = (0..20).map(|i| {
        client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": if i % 2 == 0 { "0912000010" } else { "mai@example.vn" }, "password": format!("wrong-{i}")}))
            .send()
    });
    let statuses: Vec<u16> =
        futures_join_all(guesses).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
}

#[tokio::test]
async fn odd_requests_get_problems_not_server_errors() {
    let app = TestApp::start().await;
    let citizen = register_citizen(&app, "0912000011").await;
    let c = client();
    // A thousand-word query: answered, not a 500.
    let q = vec!["a"; 1200].join(" ");
    for path in ["/api/v1/procedures", "/api/v1/agencies", "/procedures"] {
        let res = c.get(app.url(path)).query(&[("q", q.as_str())]).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }
    // A body of the wrong shape: the field named, what kind of value it must be, in the
    // caller's language; serde's English never shows.
    for (lang, want) in [("vi", "Phải là chữ"), ("en", "Must be text")] {
        let mut a = applicant();
        a["full_name"] = json!(5);
        let res = c
            .post(app.url("/api/v1/dossiers"))
            .bearer_auth(&citizen)
            .header("Accept-Language", lang)
            .json(&json!({"procedure_code": "1.010041", "agency_code": BA_DINH_POLICE, "applicant": a, "delivery": "online", "form": []}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p: Value = res.json().await.unwrap();
        let e = &p["errors"][0];
        assert_eq!(
            (e["field"].as_str(), e["code"].as_str()),
            (Some("applicant.full_name"), Some("json_expected_text")),
            "{p}"
        );
        assert!(e["detail"].as_str().unwrap().starts_with(want), "{p}");
        assert!(!p.to_string().contains("invalid type"), "{p}");
    }
    let res = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("content-type", "application/json")
        .body("{\"procedure_code\": \n  \"1.010041\",, }")
        .send()
        .await
        .unwrap();
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "json_syntax", "{p}");
    // Line 2 is `  "1.010041",, }`: two spaces, ten characters of string, a comma; the second
    // comma, where the JSON goes wrong, is column 14.
    assert!(p["errors"][0]["detail"].as_str().unwrap().ends_with(": 2:14"), "the line and column: {p}");
    // A NUL byte where the database would refuse it: the caller's error, never a 500.
    for path in ["/api/v1/procedures?q=c%C6%B0%00tr%C3%BA", "/api/v1/agencies?q=Ba%00Dinh", "/procedures?q=a%00b"] {
        let res = c.get(app.url(path)).send().await.unwrap();
        assert!(
            res.status() == StatusCode::OK || res.status() == StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            res.status()
        );
    }
    // A repeated parameter: 422 problem.
    let res = c.get(app.url("/api/v1/procedures?q=a&q=b")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // An unknown page: the 404 page, not an empty body.
    let res = c.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("<h1>"));
    // Unknown path and wrong method: problems too.
    let res = c.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(
        (res.status(), res.headers()["content-type"].to_str().unwrap()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    let res = c.delete(app.url("/api/v1/dossiers")).bearer_auth(&citizen).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    // An upload that is not multipart: 422 naming the body.
    let id = create_draft(&app, &citizen, BA_DINH_POLICE).await["id"].as_str().unwrap().to_string();
    let res = c
        .post(app.url(&format!("/api/v1/dossiers/{id}/documents")))
        .bearer_auth(&citizen)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Two files in one upload: 422, nothing stored.
    let form = Form::new()
        .part("file", Part::bytes(pdf_bytes("a")).file_name("a.pdf"))
        .part("file", Part::bytes(pdf_bytes("b")).file_name("b.pdf"));
    let res = c
        .post(app.url(&format!("/api/v1/dossiers/{id}/documents")))
        .bearer_auth(&citizen)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Only the first bytes of a PDF: refused.
    let res =
        upload(&app, &citizen, &id, b"%PDF-1.4\n<html><script>alert(1)</script></html>".to_vec(), "x.pdf", "required")
            .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Invisible or direction-changing text is refused.
    let mut a = applicant();
    a["full_name"] = json!("\u{200b}\u{200b}");
    a["address"] = json!("a\u{0}b");
    let res = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .json(
            &json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": a, "delivery": "online"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(field_errors(&res.json().await.unwrap()), ["applicant.full_name", "applicant.address"]);
    // A PDF uploaded under an executable's name downloads as .pdf.
    let doc: Value =
        upload(&app, &citizen, &id, pdf_bytes("ok"), "hoa-don.exe", "required").await.json().await.unwrap();
    let res = c
        .get(app.url(&format!("/api/v1/dossiers/{id}/documents/{}", doc["id"].as_str().unwrap())))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"hoa-don.pdf\"");
    // The owner cannot approve even where an official could (received): 403, not 409.
    let official_only = act(&app, &citizen, &id, json!({"action": "approve", "document_id": "x"})).await;
    assert_eq!(official_only.status(), StatusCode::FORBIDDEN);
}
