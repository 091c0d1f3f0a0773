//! Processing routes over the API (issue 5): each shipped route walked end to end by officials
//! holding its duties, with forward, send-back, supplement, refusal with its legal basis,
//! apology with a new appointment, withdrawal, assignment, and two officials racing.

use crate::helpers::*;
use motcua_core::route::Role as Duty;
use motcua_store::accounts::{NewUser, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An official of `agency` holding exactly `duties` there.
async fn official(app: &TestApp, username: &str, agency: &str, duties: &[Duty]) -> String {
    let u = app
        .store
        .create_user(&NewUser {
            username,
            full_name: &format!("Cán bộ {username}"),
            phone: None,
            email: None,
            password: PASSWORD,
            role: Role::Official,
            agency_code: Some(agency),
        })
        .await
        .expect("official created");
    if !duties.is_empty() {
        app.store.set_duties(u.id, agency, duties).await.expect("duties recorded");
    }
    app.token(username).await
}

/// A submitted dossier of `procedure` at `agency`; returns (id, code).
async fn submitted(app: &TestApp, citizen: &str, procedure: &str, agency: &str) -> (String, String) {
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(citizen)
        .json(&json!({"procedure_code": procedure, "agency_code": agency, "applicant": applicant(),
                      "delivery": "online", "form": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let v: Value = submit(app, citizen, &id).await.json().await.unwrap();
    assert_eq!(v["status"], "submitted");
    (id, v["code"].as_str().unwrap().to_string())
}

/// Takes an action and expects `status`; returns the body.
async fn must(app: &TestApp, token: &str, code: &str, body: Value, status: StatusCode) -> Value {
    let res = act(app, token, code, body.clone()).await;
    let got = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body} → {v}");
    v
}

async fn view(app: &TestApp, token: &str, code: &str) -> Value {
    let (s, v) = get(app, token, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    v
}

fn allowed(v: &Value) -> Vec<String> {
    v["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

async fn result_document(app: &TestApp, token: &str, code: &str) -> String {
    let res = upload(app, token, code, pdf_bytes("ket qua"), "kq.pdf", "result").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn default_commune_route_with_a_desk_a_specialist_and_a_leader() {
    let app = TestApp::start().await;
    let desk = official(&app, "mot.cua", BA_DINH_POLICE, &[Duty::ReceivingDesk]).await;
    let specialist = official(&app, "chuyen.vien", BA_DINH_POLICE, &[Duty::Specialist]).await;
    let leader = official(&app, "lanh.dao", BA_DINH_POLICE, &[Duty::Leader]).await;
    let citizen = register_citizen(&app, "0913000001").await;
    let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;

    let v = view(&app, &desk, &code).await;
    assert_eq!((v["route_id"].as_str(), v["step"].as_str()), (Some("default-commune"), Some("receive")));
    assert_eq!(allowed(&v), ["receive", "request_supplement", "refuse"]);
    // The specialist sees the dossier (same agency) but does not perform the receive step.
    assert!(allowed(&view(&app, &specialist, &code).await).is_empty());
    must(&app, &specialist, &code, json!({"action": "receive"}), StatusCode::CONFLICT).await;

    let v = must(&app, &desk, &code, json!({"action": "receive"}), StatusCode::OK).await;
    assert_eq!((v["status"].as_str(), v["step"].as_str()), (Some("received"), Some("examine")));
    assert_eq!(v["national_status"], 2, "received, processing not begun");
    // The desk does not examine; the specialist forwards to the leader.
    must(&app, &desk, &code, json!({"action": "forward"}), StatusCode::CONFLICT).await;
    must(&app, &specialist, &code, json!({"action": "forward", "target": "return"}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let v = must(&app, &specialist, &code, json!({"action": "forward"}), StatusCode::OK).await;
    assert_eq!((v["step"].as_str(), v["national_status"].as_u64()), (Some("decide"), Some(4)));
    assert_eq!(allowed(&view(&app, &leader, &code).await), ["approve", "send_back", "refuse", "apologise", "assign"]);

    // The leader sends it back (a reason is required), the specialist asks for a document.
    must(&app, &leader, &code, json!({"action": "send_back"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let v =
        must(&app, &leader, &code, json!({"action": "send_back", "reason": "Kiểm tra lại địa chỉ"}), StatusCode::OK)
            .await;
    assert_eq!(v["step"], "examine");
    let v = must(
        &app,
        &specialist,
        &code,
        json!({"action": "request_supplement", "reason": "Thiếu giấy tờ chứng minh chỗ ở"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!((v["status"].as_str(), v["national_status"].as_u64()), (Some("supplement_requested"), Some(5)));
    // While waiting, only a refusal is open to the agency; the citizen answers on the same dossier.
    assert_eq!(allowed(&view(&app, &specialist, &code).await), ["refuse", "apologise"]);
    let seen = view(&app, &citizen, &code).await;
    assert_eq!(seen["history"].as_array().unwrap().last().unwrap()["reason"], "Thiếu giấy tờ chứng minh chỗ ở");
    assert_eq!(allowed(&seen), ["submit", "withdraw"]);
    upload(&app, &citizen, &code, pdf_bytes("hop dong thue nha"), "hd.pdf", "supplement").await;
    let v: Value = submit(&app, &citizen, &code).await.json().await.unwrap();
    assert_eq!((v["status"].as_str(), v["step"].as_str()), (Some("received"), Some("examine")));

    must(&app, &specialist, &code, json!({"action": "forward"}), StatusCode::OK).await;
    // Approval needs the result document.
    must(&app, &leader, &code, json!({"action": "approve"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let doc = result_document(&app, &leader, &code).await;
    let v = must(&app, &leader, &code, json!({"action": "approve", "document_id": doc}), StatusCode::OK).await;
    assert_eq!(
        (v["status"].as_str(), v["step"].as_str(), v["national_status"].as_u64()),
        (Some("approved"), Some("return"), Some(9))
    );
    must(&app, &leader, &code, json!({"action": "return_result"}), StatusCode::CONFLICT).await;
    let v = must(&app, &desk, &code, json!({"action": "return_result"}), StatusCode::OK).await;
    assert_eq!((v["status"].as_str(), v["national_status"].as_u64()), (Some("returned"), Some(10)));

    // The history names each move with its steps; the steps' times are listed for officials.
    let v = view(&app, &desk, &code).await;
    let moves: Vec<(String, Option<String>)> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["action"].as_str().unwrap().to_string(), h["to_step"].as_str().map(str::to_string)))
        .collect();
    let expected: Vec<(&str, Option<&str>)> = vec![
        ("create", None),
        ("submit", Some("receive")),
        ("receive", Some("examine")),
        ("forward", Some("decide")),
        ("send_back", Some("examine")),
        ("request_supplement", Some("examine")),
        ("submit", Some("examine")),
        ("forward", Some("decide")),
        ("approve", Some("return")),
        ("return_result", None),
    ];
    assert_eq!(moves, expected.iter().map(|(a, s)| (a.to_string(), s.map(str::to_string))).collect::<Vec<_>>());
    let steps: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["receive", "examine", "decide", "examine", "decide", "return"]);
    // 1 working day = 8 working hours: the specialist's share is 0.6 of it.
    let examine = &v["steps"][1];
    assert!((examine["budget_working_hours"].as_f64().unwrap() - 4.8).abs() < 1e-9, "{examine}");
    assert!(v["steps"].as_array().unwrap().iter().all(|s| s["left_at"].is_string()));
    assert_eq!(view(&app, &citizen, &code).await["steps"], json!([]), "the step budgets are the agency's");
}

#[tokio::test]
async fn refusal_with_its_legal_basis_apology_and_withdrawal() {
    let app = TestApp::start().await;
    let all = official(&app, "mot.minh", BA_DINH_POLICE, &[]).await;
    let citizen = register_citizen(&app, "0913000002").await;

    // Refusal after receipt: reasons and legal basis reach the citizen; national status 8.
    let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;
    must(&app, &all, &code, json!({"action": "receive"}), StatusCode::OK).await;
    must(&app, &all, &code, json!({"action": "forward", "legal_basis": "x"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let basis = "Khoản 2 Điều 17 Luật Cư trú 68/2020/QH14";
    let body = json!({"action": "refuse", "reason": "Không thuộc trường hợp được xác nhận", "legal_basis": basis});
    must(&app, &all, &code, body, StatusCode::OK).await;
    let seen = view(&app, &citizen, &code).await;
    assert_eq!((seen["status"].as_str(), seen["national_status"].as_u64()), (Some("refused"), Some(8)));
    let last = seen["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["reason"].as_str(), last["detail"]["legal_basis"].as_str()),
        (Some("Không thuộc trường hợp được xác nhận"), Some(basis))
    );

    // An apology moves the appointment the citizen sees, never the due instant of the indices.
    let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;
    let (iso, dmy, close) = working_day_ahead(&app, 20).await;
    must(
        &app,
        &all,
        &code,
        json!({"action": "apologise", "reason": "x", "new_appointment": iso}),
        StatusCode::CONFLICT,
    )
    .await; // not yet received
    let received = must(&app, &all, &code, json!({"action": "receive"}), StatusCode::OK).await;
    let due = received["due_at"].as_str().unwrap().to_string();
    // A Sunday within the year, and a date past it.
    let today = chrono::Utc::now().with_timezone(&motcua_core::calendar::vietnam()).date_naive();
    let sunday = (1..=14)
        .map(|i| today + chrono::Days::new(i))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Sun)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    for (bad, key) in [
        ("05/13/2099", "appointment_format"),
        ("2020-01-01", "appointment_not_later"),
        ("", "required"),
        ("+99999-01-01", "appointment_too_far"),
        ("01/01/2099", "appointment_too_far"),
        (sunday.as_str(), "appointment_day_off"),
    ] {
        let v = must(
            &app,
            &all,
            &code,
            json!({"action": "apologise", "reason": "Chờ xác minh", "new_appointment": bad}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(v["errors"][0]["code"], key, "{bad}");
    }
    let v = must(
        &app,
        &all,
        &code,
        json!({"action": "apologise", "reason": "Cần xác minh thêm với Công an tỉnh", "new_appointment": dmy}),
        StatusCode::OK,
    )
    .await;
    // 17:00 Vietnam time on that day (the default close of working hours) is 10:00 UTC.
    assert_eq!(v["appointment_at"], close.as_str());
    // Fields an action does not take are refused, not dropped.
    for (body, field) in [
        (json!({"action": "request_supplement", "reason": "x", "new_appointment": iso}), "new_appointment"),
        (json!({"action": "apologise", "reason": "x", "new_appointment": iso, "assignee": "mot.minh"}), "assignee"),
        (json!({"action": "forward", "legal_basis": "x"}), "legal_basis"),
    ] {
        let e = must(&app, &all, &code, body, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(e["errors"][0]["field"], field);
    }
    let e = must(&app, &citizen, &code, json!({"action": "withdraw", "target": "x"}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(e["errors"][0]["field"], "target");
    assert_eq!(v["due_at"].as_str(), Some(due.as_str()), "the indices keep the original due instant");
    let seen = view(&app, &citizen, &code).await;
    let last = seen["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["action"].as_str(), last["detail"]["form"].as_str()), (Some("apologise"), Some("04")));

    // The citizen withdraws it before the decision: national status 7; it leaves the queue,
    // and nothing more happens to it.
    let v =
        must(&app, &citizen, &code, json!({"action": "withdraw", "reason": "Không còn nhu cầu"}), StatusCode::OK).await;
    assert_eq!((v["status"].as_str(), v["national_status"].as_u64()), (Some("withdrawn"), Some(7)));
    must(&app, &citizen, &code, json!({"action": "withdraw"}), StatusCode::CONFLICT).await;
    must(&app, &all, &code, json!({"action": "refuse", "reason": "x"}), StatusCode::CONFLICT).await;
    must(&app, &all, &code, json!({"action": "withdraw"}), StatusCode::FORBIDDEN).await;
    let (_, q) = get(&app, &all, "/api/v1/desk/dossiers").await;
    assert!(q["items"].as_array().unwrap().iter().all(|i| i["code"] != code.as_str()));
    // A decided dossier cannot be withdrawn.
    let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;
    must(&app, &all, &code, json!({"action": "receive"}), StatusCode::OK).await;
    let doc = result_document(&app, &all, &code).await;
    must(&app, &all, &code, json!({"action": "approve", "document_id": doc}), StatusCode::OK).await;
    must(&app, &citizen, &code, json!({"action": "withdraw"}), StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn assignment_names_the_official_and_a_leader_reassigns() {
    let app = TestApp::start().await;
    let desk = official(&app, "mot.cua", BA_DINH_POLICE, &[Duty::ReceivingDesk]).await;
    let a = official(&app, "chuyen.vien.a", BA_DINH_POLICE, &[Duty::Specialist]).await;
    let b = official(&app, "chuyen.vien.b", BA_DINH_POLICE, &[Duty::Specialist]).await;
    let leader = official(&app, "lanh.dao", BA_DINH_POLICE, &[Duty::Leader]).await;
    let citizen = register_citizen(&app, "0913000003").await;
    let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;
    // Receipt gives the examine step to a named specialist; the leader cannot be named there.
    let v = must(
        &app,
        &desk,
        &code,
        json!({"action": "receive", "assignee": "lanh.dao"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "assignee_not_for_step");
    let v = must(&app, &desk, &code, json!({"action": "receive", "assignee": "chuyen.vien.a"}), StatusCode::OK).await;
    assert_eq!(v["assignee"]["username"], "chuyen.vien.a");
    let v = must(&app, &b, &code, json!({"action": "forward"}), StatusCode::CONFLICT).await;
    assert!(v["detail"].as_str().unwrap().contains("giao"), "{v}");
    assert!(allowed(&view(&app, &b, &code).await).is_empty());
    // A specialist cannot reassign; the leader can.
    must(&app, &a, &code, json!({"action": "assign", "assignee": "chuyen.vien.b"}), StatusCode::CONFLICT).await;
    let v = must(&app, &leader, &code, json!({"action": "assign", "assignee": "chuyen.vien.b"}), StatusCode::OK).await;
    assert_eq!(v["assignee"]["username"], "chuyen.vien.b");
    must(&app, &a, &code, json!({"action": "forward"}), StatusCode::CONFLICT).await;
    let v = must(&app, &b, &code, json!({"action": "forward"}), StatusCode::OK).await;
    assert_eq!(
        (v["step"].as_str(), v["assignee"].as_null()),
        (Some("decide"), Some(())),
        "the next step goes to the pool"
    );
}

#[tokio::test]
async fn inter_agency_route_passes_the_dossier_between_agencies() {
    const PROCEDURE: &str = "2.002835";
    let app = TestApp::start().await;
    let receiving = "SNNMT.01";
    assert!(app.store.agency_receives(receiving, PROCEDURE).await.unwrap(), "the department receives 2.002835");
    let dept = official(&app, "so.nnmt", receiving, &[]).await;
    let province = official(&app, "ubnd.tinh", "UBNDT.01", &[]).await;
    let citizen = register_citizen(&app, "0913000004").await;
    let (_, code) = submitted(&app, &citizen, PROCEDURE, receiving).await;
    assert_eq!(view(&app, &dept, &code).await["route_id"], "inter-agency-2.002835");
    // The province's People's Committee does not see it before it reaches its step.
    assert_eq!(get(&app, &province, &format!("/api/v1/dossiers/{code}")).await.0, StatusCode::NOT_FOUND);
    must(&app, &dept, &code, json!({"action": "receive"}), StatusCode::OK).await;
    // The department passes examine and its leader's step in one call (it holds both), to the
    // Chairman's confirmation at the province.
    let v = must(&app, &dept, &code, json!({"action": "approve"}), StatusCode::OK).await;
    assert_eq!((v["step"].as_str(), v["step_agency_code"].as_str()), (Some("confirm"), Some("UBNDT.01")));
    let seen = view(&app, &dept, &code).await;
    let last = seen["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["detail"]["passed"][0]["step"], "examine", "{last}");
    // The department cannot sign for the Chairman.
    must(&app, &dept, &code, json!({"action": "sign"}), StatusCode::CONFLICT).await;
    let v = view(&app, &province, &code).await;
    assert_eq!(allowed(&v), ["sign", "send_back", "refuse", "apologise", "assign"]);
    must(&app, &province, &code, json!({"action": "sign"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let doc = result_document(&app, &dept, &code).await;
    let v = must(&app, &province, &code, json!({"action": "sign", "document_id": doc}), StatusCode::OK).await;
    assert_eq!((v["status"].as_str(), v["step_agency_code"].as_str()), (Some("approved"), Some(receiving)));
    // Back at the department's desk: the province no longer holds it.
    assert_eq!(get(&app, &province, &format!("/api/v1/dossiers/{code}")).await.0, StatusCode::NOT_FOUND);
    let v = must(&app, &dept, &code, json!({"action": "return_result"}), StatusCode::OK).await;
    assert_eq!(v["national_status"], 10);
}

#[tokio::test]
async fn chained_route_of_2_000986_across_commune_police_and_social_security() {
    const PROCEDURE: &str = "2.000986";
    let app = TestApp::start().await;
    let commune = "UBNDX.00004";
    // The catalogue names only the competent ministry; the route's receive step names the
    // commune People's Committee, which therefore receives it.
    assert!(!app.store.agency_receives(commune, PROCEDURE).await.unwrap());
    let ubnd = official(&app, "ubnd.xa", commune, &[]).await;
    let police = official(&app, "cong.an.xa", BA_DINH_POLICE, &[]).await;
    let insurance = official(&app, "bhxh", "BHXHT.01", &[]).await;
    let citizen = register_citizen(&app, "0913000005").await;
    let (_, code) = submitted(&app, &citizen, PROCEDURE, commune).await;
    must(&app, &ubnd, &code, json!({"action": "receive"}), StatusCode::OK).await;
    must(&app, &ubnd, &code, json!({"action": "forward"}), StatusCode::OK).await; // to the signature
    must(&app, &ubnd, &code, json!({"action": "sign"}), StatusCode::OK).await; // birth registered
    let v =
        must(&app, &ubnd, &code, json!({"action": "forward", "target": "register_residence"}), StatusCode::OK).await;
    assert_eq!(v["step_agency_code"], BA_DINH_POLICE);
    must(&app, &ubnd, &code, json!({"action": "forward"}), StatusCode::CONFLICT).await;
    let v = must(&app, &police, &code, json!({"action": "approve"}), StatusCode::OK).await;
    assert_eq!((v["step"].as_str(), v["step_agency_code"].as_str()), (Some("issue_insurance_card"), Some("BHXHT.01")));
    // Social security sends it back once, then issues the card.
    let v = must(&app, &insurance, &code, json!({"action": "send_back", "reason": "Sai số định danh"}), StatusCode::OK)
        .await;
    assert_eq!(v["step"], "prepare_transfer");
    must(&app, &ubnd, &code, json!({"action": "forward", "target": "issue_insurance_card"}), StatusCode::OK).await;
    let doc = result_document(&app, &insurance, &code).await;
    let v = must(&app, &insurance, &code, json!({"action": "approve", "document_id": doc}), StatusCode::OK).await;
    assert_eq!((v["status"].as_str(), v["step_agency_code"].as_str()), (Some("approved"), Some(commune)));
    let v = must(&app, &ubnd, &code, json!({"action": "return_result"}), StatusCode::OK).await;
    assert_eq!(v["status"], "returned");
}

#[tokio::test]
async fn two_officials_acting_at_once_cannot_both_succeed() {
    let app = TestApp::start().await;
    let one = official(&app, "mot.cua.1", BA_DINH_POLICE, &[Duty::ReceivingDesk]).await;
    let two = official(&app, "mot.cua.2", BA_DINH_POLICE, &[Duty::ReceivingDesk]).await;
    let citizen = register_citizen(&app, "0913000006").await;
    for round in 0..5 {
        let (_, code) = submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await;
        // One receives while the other refuses: exactly one wins, the other gets 409.
        let (a, b) = tokio::join!(
            act(&app, &one, &code, json!({"action": "receive"})),
            act(&app, &two, &code, json!({"action": "refuse", "reason": "Hồ sơ không hợp lệ"}))
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "round {round}");
        let v = view(&app, &one, &code).await;
        let acts: Vec<&str> = v["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(acts.len(), 3, "create, submit and one action only: {acts:?}");
        assert_eq!(v["version"], 3);
    }
}

fn queue_codes(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn desk_queue_filters_counts_pages_and_bulk_actions() {
    let app = TestApp::start().await;
    let all = official(&app, "mot.minh", BA_DINH_POLICE, &[]).await;
    let citizen = register_citizen(&app, "0913000007").await;
    let mut codes = vec![];
    for _ in 0..4 {
        codes.push(submitted(&app, &citizen, RESIDENCE, BA_DINH_POLICE).await.1);
    }
    // Bulk receive: each dossier on its own; an unknown one does not stop the others.
    let res = client()
        .post(app.url("/api/v1/desk/bulk"))
        .bearer_auth(&all)
        .json(&json!({"action": "receive", "dossiers": [codes[0], codes[1], "khong-co", codes[2]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let statuses: Vec<u64> = v["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 200, 404, 200]);
    // Again: already received, each a 409.
    let v: Value = client()
        .post(app.url("/api/v1/desk/bulk"))
        .bearer_auth(&all)
        .json(&json!({"action": "receive", "dossiers": [codes[0]]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["results"][0]["status"], 409);
    must(&app, &all, &codes[2], json!({"action": "request_supplement", "reason": "Thiếu tờ khai"}), StatusCode::OK)
        .await;
    must(&app, &all, &codes[1], json!({"action": "assign", "assignee": "mot.minh"}), StatusCode::OK).await;

    let q = |query: &'static str| {
        let app = &app;
        let all = all.clone();
        async move { get(app, &all, &format!("/api/v1/desk/dossiers?{query}")).await }
    };
    let (_, v) = q("").await;
    assert_eq!(v["total"], 4);
    assert_eq!(v["counts"]["by_status"], json!({"submitted": 1, "received": 2, "supplement_requested": 1}));
    // One working day of a 1-working-day procedure received just now: both due soon, none overdue.
    assert_eq!((v["counts"]["due_soon"].as_i64(), v["counts"]["overdue"].as_i64()), (Some(2), Some(0)));
    let (_, v) = q("due=soon").await;
    assert_eq!(queue_codes(&v), [codes[0].clone(), codes[1].clone()]);
    assert!(queue_codes(&q("due=overdue").await.1).is_empty());
    assert_eq!(queue_codes(&q("due=waiting").await.1), [codes[2].clone()]);
    assert_eq!(queue_codes(&q("mine=1").await.1), [codes[1].clone()]);
    assert_eq!(queue_codes(&q("step=receive").await.1), [codes[3].clone()]);
    assert_eq!(q("procedure=1.010041&step=examine").await.1["total"], 3);
    assert_eq!(q("procedure=2.000986").await.1["total"], 0);
    let (_, v) = q("per_page=3&page=2&sort=submitted").await;
    assert_eq!((queue_codes(&v), v["total"].as_i64()), (vec![codes[3].clone()], Some(4)));
    for bad in ["due=later", "sort=name", "status=draft", "agency=CAX.00070"] {
        let (s, v) = q(bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
    // Bulk forward moves the received ones on; bad bulk input is refused whole.
    let v: Value = client()
        .post(app.url("/api/v1/desk/bulk"))
        .bearer_auth(&all)
        .json(&json!({"action": "forward", "dossiers": [codes[0], codes[1]]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["status"] == 200), "{v}");
    assert_eq!(q("step=decide").await.1["total"], 2);
    let too_many: Vec<String> = (0..201).map(|i| format!("x{i}")).collect();
    for body in [
        json!({"action": "approve", "dossiers": [codes[3]]}),
        json!({"action": "receive", "dossiers": []}),
        json!({"action": "receive", "dossiers": too_many}),
    ] {
        let res = client().post(app.url("/api/v1/desk/bulk")).bearer_auth(&all).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(q("step=receive").await.1["total"], 1, "nothing changed by refused bulk input");

    // The page: filters, and the bulk form with ticked dossiers.
    let page = page_sign_in(&app, "mot.minh").await;
    let html = page.get(app.url("/desk?due=waiting")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&codes[2]) && !html.contains(&codes[3]), "the waiting filter");
    let csrf = csrf_of(&html);
    let d3 = view(&app, &all, &codes[3]).await["id"].as_str().unwrap().to_string();
    let res = page
        .post(app.url("/desk/bulk"))
        .form(&[("csrf", csrf.as_str()), ("action", "receive"), ("dossiers", d3.as_str()), ("dossiers", "khong-co")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("✓ {}", codes[3])), "the received one is reported");
    assert!(html.contains("✗ khong-co"), "the unknown one is reported");
    assert_eq!(view(&app, &all, &codes[3]).await["status"], "received");
}
