//! Catalogue storage against a real database (SQLite, or PostgreSQL when
//! MOTCUA_TEST_DATABASE_URL is set): re-import updates rather than
//! duplicates, and an administrator's online level survives it.

use motcua_core::catalogue::{OnlineLevel, Procedure};
use motcua_store::catalogue::ProcedureQuery;
use motcua_store::{scratch, Store};
use serde_json::json;

fn procedure(code: &str, name: &str) -> Procedure {
    serde_json::from_value(json!({
        "code": code, "name": name, "deciding_act": null, "levels": ["commune"], "field": "Chứng thực",
        "applicant_types": [], "competent_agencies": [], "implementing_agencies": [], "agency_kinds": ["UBNDX"],
        "agency_needs_review": false, "channels": [], "same_day_cutoff": null, "required_documents": [],
        "legal_basis": [], "results": [], "online_level": "partial", "steps": null, "conditions": null,
        "source_url": null
    }))
    .unwrap()
}

#[tokio::test]
async fn reimport_updates_and_keeps_the_administrators_online_level() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&scratch::config_for_tests(dir.path()).await).await.unwrap();
    let first =
        store.upsert_procedures(&[(procedure("2.000815", "Chứng thực bản sao từ bản chính"), vec![])]).await.unwrap();
    assert_eq!((first.inserted, first.updated), (1, 0));
    store.set_online_level("2.000815", OnlineLevel::Full).await.unwrap();
    let renamed = procedure("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản");
    let second = store.upsert_procedures(&[(renamed, vec!["a problem".into()])]).await.unwrap();
    assert_eq!((second.inserted, second.updated), (0, 1));
    assert_eq!(store.procedure_count().await.unwrap(), 1);
    let p = store.procedure("2.000815").await.unwrap().unwrap();
    assert_eq!(p.name, "Chứng thực bản sao từ bản chính giấy tờ, văn bản");
    assert_eq!(p.online_level, OnlineLevel::Full, "the administrator's decision is kept");
    // Search finds the new name, folded, and filters by the kept level.
    let q = ProcedureQuery {
        q: Some("chung thuc ban sao".into()),
        online_level: Some(OnlineLevel::Full),
        limit: 10,
        ..Default::default()
    };
    let (items, total) = store.search_procedures(&q).await.unwrap();
    assert_eq!((total, items[0].code.as_str()), (1, "2.000815"));
    // LIKE wildcards never act as wildcards: folding drops them, so "chung%" is the word
    // "chung", and "x_y" is two words that this name does not hold.
    let q = ProcedureQuery { q: Some("chung%".into()), limit: 10, ..Default::default() };
    assert_eq!(store.search_procedures(&q).await.unwrap().1, 1);
    let q = ProcedureQuery { q: Some("c_ung".into()), limit: 10, ..Default::default() };
    assert_eq!(store.search_procedures(&q).await.unwrap().1, 0);
}

#[tokio::test]
async fn an_upload_at_a_stale_version_is_a_conflict() {
    use motcua_store::accounts::{NewUser, Role};
    use motcua_store::documents::NewDocument;
    use motcua_store::dossiers::{Applicant, NewDossier};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&scratch::config_for_tests(dir.path()).await).await.unwrap();
    store.upsert_procedures(&[(procedure("2.000815", "Chứng thực"), vec![])]).await.unwrap();
    let units =
        motcua_core::admin_units::parse(include_str!("../../../data/admin-units/vn-units-2026-07-25.json")).unwrap();
    let agencies = motcua_core::agency::build_agencies(&units[..1]);
    store.load_units_and_agencies(&units[..1], &agencies).await.unwrap();
    let user = store
        .create_user(&NewUser {
            username: "dan",
            full_name: "Dân",
            phone: None,
            email: None,
            password: "mat-khau-dai",
            role: Role::Citizen,
            agency_code: None,
        })
        .await
        .unwrap();
    let applicant = Applicant {
        full_name: "A".into(),
        id_number: "001190012345".into(),
        phone: "0912345678".into(),
        address: "x".into(),
    };
    let d = store
        .create_dossier(
            &NewDossier {
                procedure_code: "2.000815".into(),
                agency_code: agencies[1].code.clone(),
                owner_id: user.id,
                applicant,
                delivery: "online".into(),
                form: json!({}),
                time_value: Some(1.0),
                time_unit: None,
                time_flagged: false,
                same_day_cutoff: None,
                channel: "online".into(),
                submitted_by: None,
            },
            &user,
        )
        .await
        .unwrap();
    let doc = |v| {
        let store = store.clone();
        let user = user.clone();
        let id = d.id.clone();
        async move {
            let nd = NewDocument {
                dossier_id: &id,
                kind: "required",
                name: "x",
                file_name: "x.pdf",
                content_type: "application/pdf",
                bytes: bytes::Bytes::from_static(b"%PDF-1.4 %%EOF"),
            };
            store.add_document(nd, &user, v).await
        }
    };
    assert!(doc(d.version).await.is_ok());
    // The dossier moved to version 2: a writer still holding version 1 loses.
    assert!(matches!(doc(d.version).await, Err(motcua_store::StoreError::Conflict(_))));
    assert_eq!(store.documents(&d.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn gc_sweeps_unreferenced_files_past_the_grace_period_only() {
    let dir = tempfile::tempdir().unwrap();
    // Documents in the local directory whatever the test backend (the test plants its orphan
    // there; the same sweep on S3 is tested in objects_s3.rs).
    let config = scratch::config_for_tests(dir.path()).await;
    let store =
        Store::connect(&motcua_store::StoreConfig { objects: None, objects_prefix: None, ..config }).await.unwrap();
    // An orphan left by an upload whose row was never written.
    let orphan = dir.path().join("documents/sha256/ab");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("ab".to_string() + &"0".repeat(62)), b"orphan").unwrap();
    let r = store.gc_documents(motcua_store::Duration::minutes(60)).await.unwrap();
    assert_eq!((r.scanned, r.too_recent, r.deleted), (1, 1, 0), "a recent orphan is kept");
    let r = store.gc_documents(motcua_store::Duration::zero()).await.unwrap();
    assert_eq!((r.scanned, r.deleted), (1, 1));
    assert_eq!(store.gc_documents(motcua_store::Duration::zero()).await.unwrap().scanned, 0);
}
