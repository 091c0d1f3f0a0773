//! Idempotency keys: the first answer to a state-changing call, replayed for a retry.
//!
//! A key is reserved before the call runs (one row, inserted only if absent), so two
//! concurrent requests with the same key cannot both run: the second sees the reservation.

use crate::{with_db, Result, Store};
use chrono::Duration;

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// SHA-256 of the request (method, path and body) that produced it.
    pub body_hash: String,
    pub status: u16,
    pub response: String,
}

/// What a reservation found.
#[derive(Debug, Clone)]
pub enum Reservation {
    /// The key is now ours: run the call, then [`Store::complete_idempotent`].
    Reserved,
    /// Another request with this key is running (or crashed less than a minute ago).
    InProgress { body_hash: String },
    /// The call already ran: replay this.
    Done(StoredResponse),
}

/// A reservation older than this is taken over: its request died without an answer.
const STALE_SECONDS: i64 = 60;

impl Store {
    /// Reserves `(user_id, key)` for a request hashing to `body_hash`.
    pub async fn reserve_idempotent(&self, user_id: i64, key: &str, body_hash: &str) -> Result<Reservation> {
        with_db!(self, |writer, reader| {
            let now = crate::now();
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, body_hash, status, response, created_at)
                 VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT(user_id, key) DO NOTHING",
            )
            .bind(user_id)
            .bind(key)
            .bind(body_hash)
            .bind(now)
            .execute(writer)
            .await?;
            if inserted.rows_affected() == 1 {
                return Ok(Reservation::Reserved);
            }
            // A stale reservation (its request died) is taken over.
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET body_hash = $1, created_at = $2 WHERE user_id = $3 AND key = $4 AND status = 0
                   AND created_at < $5",
            )
            .bind(body_hash)
            .bind(now)
            .bind(user_id)
            .bind(key)
            .bind(now - Duration::seconds(STALE_SECONDS))
            .execute(writer)
            .await?;
            if taken.rows_affected() == 1 {
                return Ok(Reservation::Reserved);
            }
            let (hash, status, response): (String, i64, String) = sqlx::query_as(
                "SELECT body_hash, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_one(writer)
            .await?;
            Ok(if status == 0 {
                Reservation::InProgress { body_hash: hash }
            } else {
                Reservation::Done(StoredResponse {
                    body_hash: hash,
                    status: u16::try_from(status).unwrap_or(500),
                    response,
                })
            })
        })
    }

    /// Records the answer of a reserved call.
    pub async fn complete_idempotent(&self, user_id: i64, key: &str, r: &StoredResponse) -> Result<()> {
        with_db!(self, |writer, reader| {
            sqlx::query("UPDATE idempotency_keys SET status = $1, response = $2 WHERE user_id = $3 AND key = $4")
                .bind(i64::from(r.status))
                .bind(&r.response)
                .bind(user_id)
                .bind(key)
                .execute(writer)
                .await?;
            Ok(())
        })
    }

    /// Gives a reservation back (the call failed in a way a retry should run again).
    pub async fn release_idempotent(&self, user_id: i64, key: &str) -> Result<()> {
        with_db!(self, |writer, reader| {
            sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0")
                .bind(user_id)
                .bind(key)
                .execute(writer)
                .await?;
            Ok(())
        })
    }
}
