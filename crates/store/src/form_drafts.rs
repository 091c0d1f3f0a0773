//! Form drafts: what a citizen has typed in a submission's first steps, before the dossier
//! draft exists, saved at every step so that a dropped connection, a closed tab or another
//! device resumes where the person left off (DESIGN.md §3). One per account and procedure.

use crate::{with_db, Col, Result, Store};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The step of a form draft being made into a dossier draft (see
/// [`Store::begin_finishing_form_draft`]).
pub const FINISHING: &str = "finishing";

/// A saved form draft.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDraft {
    pub owner_id: i64,
    pub procedure_code: String,
    /// The procedure's name (for lists).
    pub procedure_name: String,
    /// The step the person is at (the wizard's own names, such as `applicant`).
    pub step: String,
    /// The values typed, by field name, as typed (not necessarily valid yet).
    pub fields: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT f.owner_id, f.procedure_code, p.name AS procedure_name, f.step, f.fields, f.created_at, f.updated_at
     FROM form_drafts f JOIN procedures p ON p.code = f.procedure_code";

fn from_row<R: Col>(r: &R) -> FormDraft {
    let fields: String = r.col("fields");
    FormDraft {
        owner_id: r.col("owner_id"),
        procedure_code: r.col("procedure_code"),
        procedure_name: r.col("procedure_name"),
        step: r.col("step"),
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        created_at: r.col("created_at"),
        updated_at: r.col("updated_at"),
    }
}

impl Store {
    /// The form draft of `owner_id` for procedure `code`, if any.
    pub async fn form_draft(&self, owner_id: i64, code: &str) -> Result<Option<FormDraft>> {
        with_db!(self, |writer, reader| {
            let sql = format!("{SELECT} WHERE f.owner_id = $1 AND f.procedure_code = $2");
            let r = sqlx::query(&sql).bind(owner_id).bind(code).fetch_optional(reader).await?;
            Ok(r.as_ref().map(from_row))
        })
    }

    /// The form drafts of `owner_id`, most recently saved first (at most `limit`).
    pub async fn form_drafts_of(&self, owner_id: i64, limit: i64) -> Result<Vec<FormDraft>> {
        with_db!(self, |writer, reader| {
            let sql = format!("{SELECT} WHERE f.owner_id = $1 ORDER BY f.updated_at DESC LIMIT $2");
            let rows = sqlx::query(&sql).bind(owner_id).bind(limit).fetch_all(reader).await?;
            Ok(rows.iter().map(from_row).collect())
        })
    }

    /// Saves the form draft of `owner_id` for procedure `code` at `step` with `fields`
    /// (replacing what was saved; the creation instant is kept). The caller bounds the fields.
    ///
    /// # Errors
    /// Database errors (an unknown procedure code is a foreign-key error).
    pub async fn save_form_draft(
        &self,
        owner_id: i64,
        code: &str,
        step: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<()> {
        let json = serde_json::to_string(fields)?;
        with_db!(self, |writer, reader| {
            let now = crate::now();
            sqlx::query(
                "INSERT INTO form_drafts (owner_id, procedure_code, step, fields, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT(owner_id, procedure_code)
                 DO UPDATE SET step = excluded.step, fields = excluded.fields, updated_at = excluded.updated_at",
            )
            .bind(owner_id)
            .bind(code)
            .bind(step)
            .bind(&json)
            .bind(now)
            .execute(writer)
            .await?;
            Ok(())
        })
    }

    /// Marks the form draft of `owner_id` for procedure `code` as being made into a dossier
    /// draft (its step becomes [`FINISHING`]). Returns true for the one request that marked it:
    /// false when there is none, or when another request marked it less than `stale` ago (an
    /// older mark is of a request that died, and is taken over).
    pub async fn begin_finishing_form_draft(&self, owner_id: i64, code: &str, stale: chrono::Duration) -> Result<bool> {
        with_db!(self, |writer, reader| {
            let now = crate::now();
            let n = sqlx::query(
                "UPDATE form_drafts SET step = $1, updated_at = $2
                 WHERE owner_id = $3 AND procedure_code = $4 AND (step <> $5 OR updated_at < $6)",
            )
            .bind(FINISHING)
            .bind(now)
            .bind(owner_id)
            .bind(code)
            .bind(FINISHING)
            .bind(now - stale)
            .execute(writer)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    /// Deletes the form draft of `owner_id` for procedure `code` (none: nothing happens).
    /// Returns true when there was one: of two requests deleting it at once, only one gets true.
    pub async fn delete_form_draft(&self, owner_id: i64, code: &str) -> Result<bool> {
        with_db!(self, |writer, reader| {
            let n = sqlx::query("DELETE FROM form_drafts WHERE owner_id = $1 AND procedure_code = $2")
                .bind(owner_id)
                .bind(code)
                .execute(writer)
                .await?
                .rows_affected();
            Ok(n > 0)
        })
    }
}
