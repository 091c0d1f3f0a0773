//! Idempotency keys: the first answer to a state-changing call, replayed for a retry.

use crate::{Result, Store};

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// SHA-256 of the request (method, path and body) that produced it.
    pub body_hash: String,
    pub status: u16,
    pub response: String,
}

impl Store {
    /// The stored answer for `(user_id, key)`, if any.
    pub async fn idempotent_response(&self, user_id: i64, key: &str) -> Result<Option<StoredResponse>> {
        let r: Option<(String, i64, String)> =
            sqlx::query_as("SELECT body_hash, status, response FROM idempotency_keys WHERE user_id = ? AND key = ?")
                .bind(user_id)
                .bind(key)
                .fetch_optional(&self.writer)
                .await?;
        Ok(r.map(|(body_hash, status, response)| StoredResponse {
            body_hash,
            status: u16::try_from(status).unwrap_or(500),
            response,
        }))
    }

    /// Records the first answer; a concurrent first writer wins and is kept.
    pub async fn save_idempotent_response(&self, user_id: i64, key: &str, r: &StoredResponse) -> Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO idempotency_keys (user_id, key, body_hash, status, response, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(key)
        .bind(&r.body_hash)
        .bind(i64::from(r.status))
        .bind(&r.response)
        .bind(crate::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
