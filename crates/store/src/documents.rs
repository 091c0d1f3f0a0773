//! Documents: bytes in object storage under their SHA-256, metadata in the database.
//! The bytes are written first, so a committed row always has its file; a crash between the
//! two leaves at most an unreferenced file (to be swept), never a row without a file.

use crate::accounts::User;
use crate::{Result, Store};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A stored document's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    pub dossier_id: String,
    /// `required`, `supplement` or `result`.
    pub kind: String,
    pub name: String,
    pub file_name: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A document to store.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub dossier_id: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: Bytes,
}

fn object_path(sha256: &str) -> ObjectPath {
    ObjectPath::from(format!("sha256/{}/{}", &sha256[..2], sha256))
}

fn document_from_row(r: &sqlx::sqlite::SqliteRow) -> Document {
    Document {
        id: r.get("id"),
        dossier_id: r.get("dossier_id"),
        kind: r.get("kind"),
        name: r.get("name"),
        file_name: r.get("file_name"),
        content_type: r.get("content_type"),
        size: r.get("size"),
        sha256: r.get("sha256"),
        uploaded_by: r.get("uploaded_by"),
        created_at: r.get("created_at"),
    }
}

impl Store {
    /// Stores the bytes (content-addressed, idempotent), then, in one transaction, the row and
    /// a new version of the dossier, if it is still at `expected_version` (the caller
    /// checked its status at that version): an upload racing a submission loses with
    /// [`crate::StoreError::Conflict`] instead of slipping in after it.
    pub async fn add_document(&self, d: NewDocument<'_>, by: &User, expected_version: i64) -> Result<Document> {
        let sha = hex::encode(Sha256::digest(&d.bytes));
        let size = i64::try_from(d.bytes.len()).unwrap_or(i64::MAX);
        self.objects.put(&object_path(&sha), d.bytes.into()).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = crate::now();
        let mut tx = self.writer.begin().await?;
        let bumped =
            sqlx::query("UPDATE dossiers SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
                .bind(now)
                .bind(d.dossier_id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?;
        if bumped.rows_affected() != 1 {
            return Err(crate::StoreError::Conflict("the dossier changed meanwhile".into()));
        }
        let r = sqlx::query(
            "INSERT INTO documents (id, dossier_id, kind, name, file_name, content_type, size, sha256, uploaded_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(&id)
        .bind(d.dossier_id)
        .bind(d.kind)
        .bind(d.name)
        .bind(d.file_name)
        .bind(d.content_type)
        .bind(size)
        .bind(&sha)
        .bind(by.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(document_from_row(&r))
    }

    /// A dossier's documents, oldest first.
    pub async fn documents(&self, dossier_id: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query("SELECT * FROM documents WHERE dossier_id = ? ORDER BY created_at, id")
            .bind(dossier_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(document_from_row).collect())
    }

    /// One document of a dossier.
    pub async fn document(&self, dossier_id: &str, id: &str) -> Result<Option<Document>> {
        let r = sqlx::query("SELECT * FROM documents WHERE dossier_id = ? AND id = ?")
            .bind(dossier_id)
            .bind(id)
            .fetch_optional(&self.writer)
            .await?;
        Ok(r.as_ref().map(document_from_row))
    }

    /// A document's bytes.
    pub async fn document_bytes(&self, doc: &Document) -> Result<Bytes> {
        Ok(self.objects.get(&object_path(&doc.sha256)).await?.bytes().await?)
    }
}

/// What a sweep of the document store did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct GcReport {
    /// Objects looked at.
    pub scanned: usize,
    /// Objects referenced by a document row (kept).
    pub referenced: usize,
    /// Unreferenced objects younger than the grace period (kept: their row may be committing).
    pub too_recent: usize,
    /// Unreferenced objects deleted.
    pub deleted: usize,
}

impl Store {
    /// Deletes stored files that no document row references and that are older than
    /// `grace` (a file is written before its row, so a younger one may belong to an upload
    /// whose transaction has not committed yet). Safe to run while the server runs.
    pub async fn gc_documents(&self, grace: chrono::Duration) -> Result<GcReport> {
        use futures_util::StreamExt;
        let mut report = GcReport::default();
        let cutoff = crate::now() - grace;
        let mut listing = self.objects.list(Some(&ObjectPath::from("sha256")));
        let mut candidates = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            report.scanned += 1;
            let Some(sha) = meta.location.filename().map(str::to_string) else { continue };
            candidates.push((sha, meta.last_modified, meta.location));
        }
        for (sha, modified, location) in candidates {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE sha256 = ?")
                .bind(&sha)
                .fetch_one(&self.writer)
                .await?;
            if n > 0 {
                report.referenced += 1;
            } else if modified > cutoff {
                report.too_recent += 1;
            } else {
                self.objects.delete(&location).await?;
                report.deleted += 1;
            }
        }
        Ok(report)
    }
}
