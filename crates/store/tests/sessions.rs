//! Page sessions against a real database (SQLite, or PostgreSQL when MOTCUA_TEST_DATABASE_URL
//! is set): "stay signed in" extends a live session, never an ended one nor one signed in more
//! than a day ago; bearer tokens read from memory are still refused once deleted or expired.

use motcua_store::accounts::{NewUser, Role, SessionKind, SESSION_MAX_AGE};
use motcua_store::{scratch, Duration, Store};

async fn age_session(config: &motcua_store::StoreConfig, dir: &std::path::Path, secret_hash: &str, by: Duration) {
    let at = chrono::Utc::now() - by;
    match config.database_url.as_deref() {
        Some(url) if url.starts_with("postgres") => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query("UPDATE sessions SET created_at = $1 WHERE secret_hash = $2")
                .bind(at)
                .bind(secret_hash)
                .execute(&pool)
                .await
                .unwrap();
        }
        _ => {
            let url = format!("sqlite://{}", dir.join("motcua.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query("UPDATE sessions SET created_at = $1 WHERE secret_hash = $2")
                .bind(at)
                .bind(secret_hash)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
}

fn hash(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

#[tokio::test]
async fn stay_signed_in_has_a_limit_and_bearer_memory_forgets_what_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let config = scratch::config_for_tests(dir.path()).await;
    let store = Store::connect(&config).await.unwrap();
    let user = store
        .create_user(&NewUser {
            username: "hoa",
            full_name: "Nguyễn Thị Hoa",
            phone: None,
            email: None,
            password: "mat-khau-dai-du",
            role: Role::Citizen,
            agency_code: None,
        })
        .await
        .unwrap();
    let ttl = Duration::hours(8);

    // A live session is extended to the full time from now.
    let page = store.create_session(user.id, SessionKind::Cookie, ttl).await.unwrap();
    let at = store.extend_session(&page, ttl).await.unwrap().expect("extended");
    let left = at - chrono::Utc::now();
    assert!(left > Duration::hours(8) - Duration::minutes(1) && left <= Duration::hours(8), "{left}");
    // Signed in just under a day ago: still extended; just over: not, whatever is left.
    age_session(&config, dir.path(), &hash(&page), SESSION_MAX_AGE - Duration::minutes(5)).await;
    assert!(store.extend_session(&page, ttl).await.unwrap().is_some());
    age_session(&config, dir.path(), &hash(&page), SESSION_MAX_AGE + Duration::minutes(5)).await;
    assert_eq!(store.extend_session(&page, ttl).await.unwrap(), None);
    assert!(store.session(&page, SessionKind::Cookie).await.unwrap().is_some(), "the session itself runs on");
    // An ended session is not revived, and is still known as its account's for a day.
    let short = store.create_session(user.id, SessionKind::Cookie, Duration::seconds(1)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(store.extend_session(&short, ttl).await.unwrap(), None);
    assert_eq!(store.ended_session_owner(&short).await.unwrap(), Some(user.id));

    // A bearer token read (and so remembered) is refused at once once deleted here.
    let token = store.create_session(user.id, SessionKind::Bearer, ttl).await.unwrap();
    assert!(store.session(&token, SessionKind::Bearer).await.unwrap().is_some());
    store.delete_session(&token).await.unwrap();
    assert!(store.session(&token, SessionKind::Bearer).await.unwrap().is_none());
    // And an expired one is refused even while remembered.
    let brief = store.create_session(user.id, SessionKind::Bearer, Duration::seconds(1)).await.unwrap();
    assert!(store.session(&brief, SessionKind::Bearer).await.unwrap().is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert!(store.session(&brief, SessionKind::Bearer).await.unwrap().is_none());
}
