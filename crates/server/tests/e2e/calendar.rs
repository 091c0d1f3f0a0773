//! The working calendar over HTTP: a year's days, due instants worked out by hand from the
//! Government's decisions, agency working hours, and an administrator loading a decision.

use crate::helpers::*;
use motcua_store::accounts::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn due(app: &TestApp, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = client().get(app.url("/api/v1/calendar/due")).query(query).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

fn instant(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v["due_at"].as_str().unwrap()).unwrap()
}

fn vn(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

#[tokio::test]
async fn due_instants_follow_the_decisions_and_the_civil_code() {
    let app = TestApp::start().await;
    // 2026: Friday 2 January was a day off in exchange for Saturday 10 January (Công văn
    // 12729/VPCP-KGVX). One working day from Friday 9 January 16:00: one hour that day, then
    // Saturday 10 January counts as a working day: 07:30–11:30 (4 h) and 13:00–16:00 (3 h).
    let (s, v) = due(&app, &[("start", "2026-01-09T16:00:00+07:00"), ("amount", "1"), ("unit", "working_days")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(instant(&v), vn("2026-01-10T16:00:00+07:00"));
    assert!(v["explanation"].as_array().unwrap().iter().any(|s| s["step"] == "counted_make_up_day"));

    // Tết 2026: days off Monday 16 to Friday 20 February (with the weekends, 14–22).
    // Three working days (24 h) from Friday 13 February 10:00: 5 h 30 that day, 8 h on
    // Monday 23, 8 h on Tuesday 24, and 2 h 30 on Wednesday 25 → 10:00.
    let (_, v) = due(&app, &[("start", "2026-02-13T10:00:00+07:00"), ("amount", "3"), ("unit", "working_days")]).await;
    assert_eq!(instant(&v), vn("2026-02-25T10:00:00+07:00"));
    let skipped: Vec<&str> = v["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "skipped_day")
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    for d in ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"] {
        assert!(skipped.contains(&d), "{d} skipped: {skipped:?}");
    }

    // Half a working day (4 h) from Monday 30 November 2026 13:00 ends at 17:00 the same day.
    let (_, v) =
        due(&app, &[("start", "2026-11-30T13:00:00+07:00"), ("amount", "0.5"), ("unit", "working_days")]).await;
    assert_eq!(instant(&v), vn("2026-11-30T17:00:00+07:00"));

    // Calendar days (Civil Code 2015 Art. 147–148): received Thursday 28 August 2025, the
    // day of receipt is not counted; 5 days end on Tuesday 2 September, National Day, and
    // Monday 1 September was its adjacent day off; the period ends on the next working day,
    // Wednesday 3 September, at the close of working hours.
    let (_, v) = due(&app, &[("start", "2025-08-28T09:00:00+07:00"), ("amount", "5"), ("unit", "calendar_days")]).await;
    assert_eq!(instant(&v), vn("2025-09-03T17:00:00+07:00"));

    // Same day with a 15:00 cut-off: received Monday 30 November 2026 at 15:30, after the
    // cut-off → the close of the next working day, Tuesday 1 December.
    let (_, v) = due(&app, &[("start", "2026-11-30T15:30:00+07:00"), ("unit", "same_day"), ("cutoff", "15:00")]).await;
    assert_eq!(instant(&v), vn("2026-12-01T17:00:00+07:00"));

    // A start outside the supported range (1900–2100): 422 naming the start.
    let (s, v) = due(&app, &[("start", "1800-01-01T09:00:00+07:00"), ("amount", "1"), ("unit", "working_days")]).await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("start")));
    // Bad input names the field.
    let (s, v) = due(&app, &[("start", "yesterday"), ("amount", "-1"), ("unit", "fortnights")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["start", "unit", "amount"]);
    let (s, v) =
        due(&app, &[("start", "2026-11-30T08:00:00Z"), ("amount", "1"), ("unit", "hours"), ("agency_code", "NOPE")])
            .await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agency_code")));
}

#[tokio::test]
async fn a_year_lists_holidays_swaps_and_make_up_days_with_sources() {
    let app = TestApp::start().await;
    let v: Value = client().get(app.url("/api/v1/calendar/2026")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["year"], 2026);
    let days = v["days"].as_array().unwrap();
    let day = |d: &str| days.iter().find(|x| x["date"] == d).cloned().unwrap_or(Value::Null);
    assert_eq!(
        (day("2026-01-02")["working"].as_bool(), day("2026-01-02")["kind"].as_str()),
        (Some(false), Some("swap_day_off"))
    );
    assert_eq!(
        (day("2026-01-10")["working"].as_bool(), day("2026-01-10")["kind"].as_str()),
        (Some(true), Some("make_up_working_day"))
    );
    assert_eq!(day("2026-04-30")["kind"], "holiday");
    assert!(days.iter().all(|d| d["source"].as_str().is_some_and(|s| !s.is_empty())));
    // A year without a decision is computed: Giỗ Tổ 2027 is 10/3 lunar = Friday 16 April;
    // 1 May 2027 is a Saturday, so Monday 3 May is a compensatory day (Labour Code Art. 111(3)).
    let v: Value = client().get(app.url("/api/v1/calendar/2027")).send().await.unwrap().json().await.unwrap();
    let days = v["days"].as_array().unwrap();
    assert!(days.iter().any(|d| d["date"] == "2027-04-16" && d["kind"] == "holiday"));
    assert!(days.iter().any(|d| d["date"] == "2027-05-03" && d["kind"] == "compensatory"));
    let res = client().get(app.url("/api/v1/calendar/3000")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn administrators_load_decisions_and_set_working_hours() {
    let app = TestApp::start().await;
    app.user("quantri", Role::Admin, None).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let admin = app.token("quantri").await;
    let official = app.token("canbo").await;
    let decision = json!({"years": {"2027": [
        {"date": "2027-01-01", "working": false, "name": "Tết Dương lịch", "kind": "holiday", "source": "test decision"},
        {"date": "2027-12-31", "working": false, "name": "Tết Dương lịch", "kind": "swap_day_off", "source": "test decision"},
        {"date": "2027-12-18", "working": true, "name": "Tết Dương lịch", "kind": "make_up_working_day", "source": "test decision"}
    ]}})
    .to_string();
    let post = |t: &str, body: String| {
        client()
            .post(app.url("/api/v1/calendar/decisions"))
            .bearer_auth(t)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(post(&official, decision.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let res = post(&admin, "{\"years\": {\"2027\": [ {\"date\": \"2027-13-01\"} ]}}".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(v["errors"][0]["detail"].as_str().unwrap().contains("line"), "{v}");
    let res = post(&admin, decision).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // Applied at once: Friday 31 December 2027 is now off, Saturday 18 December worked.
    let v: Value = client().get(app.url("/api/v1/calendar/2027")).send().await.unwrap().json().await.unwrap();
    let days = v["days"].as_array().unwrap();
    assert!(days.iter().any(|d| d["date"] == "2027-12-31" && d["working"] == false && d["source"] == "test decision"));
    assert!(days.iter().any(|d| d["date"] == "2027-12-18" && d["working"] == true));
    // Recorded with who loaded it.
    let v: Value = client()
        .get(app.url("/api/v1/calendar/decisions"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((v["items"][0]["loaded_by"].as_str(), v["items"][0]["years"].clone()), (Some("quantri"), json!([2027])));

    // Working hours per agency: 07:00–11:00 and 13:30–17:30 make one working day from
    // Monday 07:00 end at 17:30; without the agency, the default starts at 07:30 and ends 17:00.
    let put = |body: Value| {
        client()
            .put(app.url(&format!("/api/v1/agencies/{BA_DINH_POLICE}/working-hours")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    assert_eq!(put(json!({"working_hours": "17:00-07:00"})).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(json!({"working_hours": "07:00-11:00,13:30-17:30"})).await.unwrap().status(), StatusCode::OK);
    let (_, v) = due(
        &app,
        &[
            ("start", "2026-11-30T07:00:00+07:00"),
            ("amount", "1"),
            ("unit", "working_days"),
            ("agency_code", BA_DINH_POLICE),
        ],
    )
    .await;
    assert_eq!(instant(&v), vn("2026-11-30T17:30:00+07:00"));
    let (_, v) = due(&app, &[("start", "2026-11-30T07:00:00+07:00"), ("amount", "1"), ("unit", "working_days")]).await;
    assert_eq!(instant(&v), vn("2026-11-30T17:00:00+07:00"));
}

#[tokio::test]
async fn a_dossier_explains_its_due_date_and_its_timeliness() {
    let app = TestApp::start().await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    app.user("dan", Role::Citizen, None).await;
    let (citizen, official) = (app.token("dan").await, app.token("canbo").await);
    let c = client();
    let draft: Value = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .json(&json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": applicant(), "delivery": "online"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = draft["id"].as_str().unwrap();
    assert_eq!(draft["progress"], Value::Null, "a draft has no clock");
    c.post(app.url(&format!("/api/v1/dossiers/{id}/submit"))).bearer_auth(&citizen).send().await.unwrap();
    let v: Value = c
        .post(app.url(&format!("/api/v1/dossiers/{id}/actions")))
        .bearer_auth(&official)
        .json(&json!({"action": "receive"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let steps = v["due_explanation"].as_array().unwrap();
    assert_eq!(steps.first().unwrap()["step"], "received");
    // The clock counts whole seconds.
    let secs = |x: &Value| chrono::DateTime::parse_from_rfc3339(x.as_str().unwrap()).unwrap().timestamp();
    assert_eq!(secs(&steps.first().unwrap()["at"]), secs(&v["received_at"]));
    // The explanation ends at the same instant as the dossier's due date.
    let last = steps.last().unwrap();
    assert_eq!(last["step"], "due");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(last["at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(v["due_at"].as_str().unwrap()).unwrap()
    );
    // One working day from now: not overdue; on track or due soon.
    assert!(["on_track", "due_soon"].contains(&v["progress"].as_str().unwrap()), "{}", v["progress"]);
    // The applicant's page shows how the date was computed, in Vietnamese.
    let page = page_sign_in(&app, "dan").await;
    let html = page.get(app.url(&format!("/dossiers/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Cách tính hạn trả kết quả") && html.contains("Tiếp nhận lúc"), "explanation on the page");
}

#[tokio::test]
async fn the_admin_page_loads_a_decision_and_keeps_a_refused_one_for_correction() {
    let app = TestApp::start().await;
    app.user("quantri", Role::Admin, None).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    let official = page_sign_in(&app, "canbo").await;
    assert_eq!(official.get(app.url("/admin/calendar")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let admin = page_sign_in(&app, "quantri").await;
    let html = admin.get(app.url("/admin/calendar")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    // A refused file: 422, the reason names the line, the text is kept, nothing loaded.
    let bad = "{\"years\": {\"2028\": [\n {\"date\": \"2028-02-30\"}\n]}}";
    let res =
        admin.post(app.url("/admin/calendar")).form(&[("csrf", csrf.as_str()), ("content", bad)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("line 2"), "names the line");
    assert!(html.contains("2028-02-30"), "the text typed is kept");
    // Without the CSRF token: 403.
    let res = admin.post(app.url("/admin/calendar")).form(&[("content", bad)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A good one: applied, and recorded with who loaded it.
    let good = json!({"years": {"2028": [
        {"date": "2028-01-01", "working": false, "name": "Tết Dương lịch", "kind": "holiday", "source": "page test"},
        {"date": "2028-01-03", "working": false, "name": "Tết Dương lịch", "kind": "swap_day_off", "source": "page test"},
        {"date": "2028-01-08", "working": true, "name": "Tết Dương lịch", "kind": "make_up_working_day", "source": "page test"}
    ]}})
    .to_string();
    let res = admin
        .post(app.url("/admin/calendar"))
        .form(&[("csrf", csrf.as_str()), ("content", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("quantri"));
    let v: Value = client().get(app.url("/api/v1/calendar/2028")).send().await.unwrap().json().await.unwrap();
    assert!(v["days"].as_array().unwrap().iter().any(|d| d["date"] == "2028-01-03" && d["source"] == "page test"));
}

#[tokio::test]
async fn a_procedure_without_a_usable_time_takes_the_agencys_default_and_is_flagged() {
    let app = TestApp::start().await;
    app.user("dan", Role::Citizen, None).await;
    let citizen = app.token("dan").await;
    let committee = "UBNDX.00004";
    // The commune committee counts 7 calendar days when the catalogue gives no unit.
    app.store.set_agency_default_time(committee, 7.0, "calendar_days").await.unwrap();
    let draft = |code: &'static str| {
        let citizen = citizen.clone();
        let app = &app;
        async move {
            let res = client()
                .post(app.url("/api/v1/dossiers"))
                .bearer_auth(&citizen)
                .json(&json!({"procedure_code": code, "agency_code": committee, "applicant": applicant(), "delivery": "online"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED, "{code}");
            res.json::<Value>().await.unwrap()
        }
    };
    // 1.004478 "Công bố mở cảng cá loại III": the catalogue says "5" with no unit → 5 of the
    // agency's unit, flagged.
    let v = draft("1.004478").await;
    assert_eq!(
        (v["time_value"].as_f64(), v["time_unit"].as_str(), v["time_flagged"].as_bool()),
        (Some(5.0), Some("calendar_days"), Some(true))
    );
    // 1.003956: no time at all → the agency's value and unit, flagged.
    let v = draft("1.003956").await;
    assert_eq!(
        (v["time_value"].as_f64(), v["time_unit"].as_str(), v["time_flagged"].as_bool()),
        (Some(7.0), Some("calendar_days"), Some(true))
    );
    // 1.010041 states its time: not flagged.
    let res = client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .json(&json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": applicant(), "delivery": "online"}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["time_value"].as_f64(), v["time_unit"].as_str(), v["time_flagged"].as_bool()),
        (Some(1.0), Some("working_days"), Some(false))
    );
}

#[tokio::test]
async fn a_promise_given_is_never_moved_earlier_and_settings_are_never_reset_by_mistake() {
    let app = TestApp::start().await;
    app.user("quantri", Role::Admin, None).await;
    app.user("canbo", Role::Official, Some(BA_DINH_POLICE)).await;
    app.user("dan", Role::Citizen, None).await;
    let (admin, official, citizen) = (app.token("quantri").await, app.token("canbo").await, app.token("dan").await);
    let c = client();
    let post = |t: &str, path: String, body: Value| c.post(app.url(&path)).bearer_auth(t).json(&body).send();
    let d: Value = post(&citizen, "/api/v1/dossiers".into(), json!({"procedure_code": RESIDENCE, "agency_code": BA_DINH_POLICE, "applicant": applicant(), "delivery": "online"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = d["id"].as_str().unwrap().to_string();
    // Five uploads at once by the applicant: all stored (none lost to a version race).
    let ups = (0..5).map(|i| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(pdf_bytes(&format!("doc {i}"))).file_name(format!("d{i}.pdf")),
        );
        c.post(app.url(&format!("/api/v1/dossiers/{id}/documents"))).bearer_auth(&citizen).multipart(form).send()
    });
    let statuses: Vec<u16> = futures_join_all(ups).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(statuses, [201; 5]);
    c.post(app.url(&format!("/api/v1/dossiers/{id}/submit"))).bearer_auth(&citizen).send().await.unwrap();
    let received: Value = post(&official, format!("/api/v1/dossiers/{id}/actions"), json!({"action": "receive"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let promised = received["due_at"].clone();
    // The agency then works round the clock: recomputed now, the due date would be earlier.
    let put = |body: Value| {
        c.put(app.url(&format!("/api/v1/agencies/{BA_DINH_POLICE}/working-hours")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    // A misspelt field is refused and changes nothing.
    let res = put(json!({"workinghours": "00:00-23:59"})).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(json!({"working_hours": "00:00-23:59"})).await.unwrap().status(), StatusCode::OK);
    // Viewing does not rewrite the promise or its explanation.
    let v: Value = c
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["due_at"], promised);
    assert_eq!(v["due_explanation"].as_array().unwrap().last().unwrap()["at"], promised);
    // A supplement round: the due date never comes earlier than promised.
    act(&app, &official, &id, json!({"action": "request_supplement", "reason": "Thiếu giấy tờ"})).await;
    let v: Value = submit(&app, &citizen, &id).await.json().await.unwrap();
    let after = chrono::DateTime::parse_from_rfc3339(v["due_at"].as_str().unwrap()).unwrap();
    assert!(
        after >= chrono::DateTime::parse_from_rfc3339(promised.as_str().unwrap()).unwrap(),
        "{after} vs {promised}"
    );
    // An empty year in a decisions file is refused: it would wipe the decision in force.
    let res = c
        .post(app.url("/api/v1/calendar/decisions"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(r#"{"years": {"2026": []}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let y: Value = c.get(app.url("/api/v1/calendar/2026")).send().await.unwrap().json().await.unwrap();
    assert!(y["days"].as_array().unwrap().iter().any(|d| d["date"] == "2026-01-02" && d["kind"] == "swap_day_off"));
}

#[tokio::test]
async fn shorter_working_hours_after_receipt_keep_the_appointment_given() {
    let app = TestApp::start().await;
    let committee = "UBNDX.00004";
    app.user("quantri", Role::Admin, None).await;
    app.user("canbo.ubnd", Role::Official, Some(committee)).await;
    app.user("dan", Role::Citizen, None).await;
    let (admin, official, citizen) =
        (app.token("quantri").await, app.token("canbo.ubnd").await, app.token("dan").await);
    // 1.004478 states "5" with no unit: the committee's default unit, calendar days, applies.
    // Calendar days end at the close of the agency's day: 17:00 with the default hours.
    app.store.set_agency_default_time(committee, 10.0, "calendar_days").await.unwrap();
    let c = client();
    let post = |t: &str, path: String, body: Value| c.post(app.url(&path)).bearer_auth(t).json(&body).send();
    let d: Value = post(
        &citizen,
        "/api/v1/dossiers".into(),
        json!({"procedure_code": "1.004478", "agency_code": committee, "applicant": applicant(), "delivery": "online"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = d["id"].as_str().unwrap().to_string();
    c.post(app.url(&format!("/api/v1/dossiers/{id}/submit"))).bearer_auth(&citizen).send().await.unwrap();
    let v: Value = post(&official, format!("/api/v1/dossiers/{id}/actions"), json!({"action": "receive"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let promised = v["due_at"].as_str().unwrap().to_string();
    let local =
        chrono::DateTime::parse_from_rfc3339(&promised).unwrap().with_timezone(&motcua_core::calendar::vietnam());
    assert_eq!(local.format("%H:%M").to_string(), "17:00");
    // The committee now closes at 08:00: recomputed, the period would end that day at 08:00,
    // nine hours earlier than promised.
    let res = c
        .put(app.url(&format!("/api/v1/agencies/{committee}/working-hours")))
        .bearer_auth(&admin)
        .json(&json!({"working_hours": "07:00-08:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    act(&app, &official, &id, json!({"action": "request_supplement", "reason": "Thiếu bản vẽ"})).await;
    let v: Value = submit(&app, &citizen, &id).await.json().await.unwrap();
    assert_eq!(v["due_at"].as_str().unwrap(), promised, "the appointment given is kept");
    let last = v["due_explanation"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["step"].as_str(), last["at"].as_str()), (Some("appointment_kept"), Some(promised.as_str())));
}
