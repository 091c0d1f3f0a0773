//! Attempt lists for the sign-in throttle, kept in the database so that every server process
//! counts the same attempts (several processes behind a proxy share one limit).

use crate::{with_db, Result, Store};

impl Store {
    /// Locks the attempt lists of `keys` (in the order given: callers use one fixed order, so
    /// two sign-ins never wait on each other in a cycle), lets `decide` read and change them,
    /// and stores what it leaves, all in one transaction: concurrent attempts on one key are
    /// counted one after the other. A list holds attempt instants in Unix milliseconds; an
    /// empty list removes its row.
    ///
    /// # Errors
    /// Database errors; nothing is changed then.
    pub async fn with_login_attempts<T>(&self, keys: &[&str], decide: impl FnOnce(&mut [Vec<i64>]) -> T) -> Result<T> {
        with_db!(self, |writer, reader| {
            let now = crate::now();
            let mut tx = writer.begin().await?;
            let mut lists = Vec::with_capacity(keys.len());
            for key in keys {
                // The upsert takes the row's lock (PostgreSQL) until the transaction ends.
                let text: String = sqlx::query_scalar(
                    "INSERT INTO login_throttle (key, attempts, updated_at) VALUES ($1, '[]', $2)
                     ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at RETURNING attempts",
                )
                .bind(*key)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                lists.push(serde_json::from_str::<Vec<i64>>(&text).unwrap_or_default());
            }
            let out = decide(&mut lists);
            for (key, list) in keys.iter().zip(&lists) {
                if list.is_empty() {
                    sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(*key).execute(&mut *tx).await?;
                } else {
                    sqlx::query("UPDATE login_throttle SET attempts = $1 WHERE key = $2")
                        .bind(serde_json::to_string(list)?)
                        .bind(*key)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            // Housekeeping: lists untouched for a day are long out of any window.
            sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1")
                .bind(now - chrono::Duration::days(1))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(out)
        })
    }
}
