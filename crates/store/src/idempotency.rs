//! Idempotency keys: the first answer to a state-changing call, replayed for a retry.
//!
//! A key is reserved before the call runs (one row, inserted only if absent), so two
//! concurrent requests with the same key cannot both run: the second sees the reservation.
//!
//! The call's effect and the mark that it happened commit together: the server runs the call
//! within [`CALL`], and the store functions that change a dossier ([`Store::create_dossier`],
//! [`Store::add_document`], [`Store::apply_change`]) mark the reservation applied, naming what
//! they made, in their own transaction. A process that dies after that commit and before the
//! answer is recorded leaves an applied reservation, which a retry answers from what was made
//! ([`Reservation::Applied`]) instead of running the call a second time.

use crate::{with_db, Result, Store};
use chrono::Duration;

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// SHA-256 of the request (method, path and body) that produced it.
    pub body_hash: String,
    pub status: u16,
    pub response: String,
    /// The answer's `Location` header, if it had one (a created dossier's address).
    pub location: Option<String>,
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
    /// The call's effect is committed but its answer was not recorded (the process died in
    /// between): answer from `resource` (the id of the dossier or document it made or changed)
    /// without running the call again.
    Applied { body_hash: String, resource: String },
}

tokio::task_local! {
    /// The (account id, key) of the idempotent call the current task runs (set by the server
    /// around the call): the store functions that change state mark its reservation applied in
    /// their transaction.
    pub static CALL: (i64, String);
}

/// `status` of a reservation whose effect is committed and whose answer is not recorded yet
/// (0: running; an HTTP status: answered).
pub(crate) const APPLIED: i64 = 1;

/// The idempotent call the current task runs, if any.
pub(crate) fn current_call() -> Option<(i64, String)> {
    CALL.try_with(Clone::clone).ok()
}

/// Within the transaction `$tx`, marks the reservation of the current idempotent call (if
/// any) applied, naming `$resource` (a macro, so that it runs on either backend's transaction).
macro_rules! mark_applied {
    ($tx:expr, $resource:expr) => {{
        match $crate::idempotency::current_call() {
            Some((user_id, key)) => sqlx::query(
                "UPDATE idempotency_keys SET status = $1, response = $2 WHERE user_id = $3 AND key = $4 AND status = 0",
            )
            .bind($crate::idempotency::APPLIED)
            .bind($resource)
            .bind(user_id)
            .bind(key)
            .execute(&mut *$tx)
            .await
            .map(|_| ()),
            None => Ok(()),
        }
    }};
}
pub(crate) use mark_applied;

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
            let (hash, status, response, location): (String, i64, String, Option<String>) = sqlx::query_as(
                "SELECT body_hash, status, response, location FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_one(writer)
            .await?;
            Ok(if status == 0 {
                Reservation::InProgress { body_hash: hash }
            } else if status == APPLIED {
                Reservation::Applied { body_hash: hash, resource: response }
            } else {
                Reservation::Done(StoredResponse {
                    body_hash: hash,
                    status: u16::try_from(status).unwrap_or(500),
                    response,
                    location,
                })
            })
        })
    }

    /// Records the answer of a reserved (or applied) call.
    pub async fn complete_idempotent(&self, user_id: i64, key: &str, r: &StoredResponse) -> Result<()> {
        with_db!(self, |writer, reader| {
            sqlx::query(
                "UPDATE idempotency_keys SET status = $1, response = $2, location = $3 WHERE user_id = $4 AND key = $5",
            )
            .bind(i64::from(r.status))
            .bind(&r.response)
            .bind(&r.location)
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
