//! Documents: bytes in object storage under their SHA-256, metadata in the database.
//! The bytes are written first, so a committed row always has its file; a crash between the
//! two leaves at most an unreferenced file (to be swept), never a row without a file.

use crate::accounts::User;
use crate::{with_db, Col, Result, Store};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stored document's metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Where the content with this lower-case hex SHA-256 is stored: `sha256/ab/abcd…`, the same
/// key in a local directory and in an S3 bucket.
pub fn object_path(sha256: &str) -> ObjectPath {
    ObjectPath::from(format!("sha256/{}/{}", &sha256[..2], sha256))
}

fn document_from_row(r: &impl Col) -> Document {
    Document {
        id: r.col("id"),
        dossier_id: r.col("dossier_id"),
        kind: r.col("kind"),
        name: r.col("name"),
        file_name: r.col("file_name"),
        content_type: r.col("content_type"),
        size: r.col("size"),
        sha256: r.col("sha256"),
        uploaded_by: r.col("uploaded_by"),
        created_at: r.col("created_at"),
    }
}

impl Store {
    /// Stores the bytes (content-addressed, idempotent; a local file is flushed to disk, see
    /// [`crate::objects::LocalFiles`]), then, in one transaction, the row and
    /// a new version of the dossier, if it is still at `expected_version` (the caller
    /// checked its status at that version): an upload racing a submission loses with
    /// [`crate::StoreError::Conflict`] instead of slipping in after it.
    pub async fn add_document(&self, d: NewDocument<'_>, by: &User, expected_version: i64) -> Result<Document> {
        with_db!(self, |writer, reader| {
            let sha = hex::encode(Sha256::digest(&d.bytes));
            let size = i64::try_from(d.bytes.len()).unwrap_or(i64::MAX);
            let path = object_path(&sha);
            self.objects.put(&path, d.bytes.into()).await?;
            if let Some(files) = &self.local_files {
                files.flush(&path).await?;
            }
            let id = uuid::Uuid::new_v4().to_string();
            let now = crate::now();
            let mut tx = writer.begin().await?;
            let bumped = sqlx::query(
                "UPDATE dossiers SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
            )
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
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
            crate::idempotency::mark_applied!(tx, &id)?;
            tx.commit().await?;
            Ok(document_from_row(&r))
        })
    }

    /// A dossier's documents, oldest first.
    pub async fn documents(&self, dossier_id: &str) -> Result<Vec<Document>> {
        with_db!(self, |writer, reader| {
            let rows = sqlx::query("SELECT * FROM documents WHERE dossier_id = $1 ORDER BY created_at, id")
                .bind(dossier_id)
                .fetch_all(reader)
                .await?;
            Ok(rows.iter().map(document_from_row).collect())
        })
    }

    /// One document of a dossier.
    pub async fn document(&self, dossier_id: &str, id: &str) -> Result<Option<Document>> {
        with_db!(self, |writer, reader| {
            let r = sqlx::query("SELECT * FROM documents WHERE dossier_id = $1 AND id = $2")
                .bind(dossier_id)
                .bind(id)
                .fetch_optional(writer)
                .await?;
            Ok(r.as_ref().map(document_from_row))
        })
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
        with_db!(self, |writer, reader| {
            sweep_unreferenced(self.objects.as_ref(), crate::now() - grace, |sha| async move {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
                    .bind(sha)
                    .fetch_one(writer)
                    .await?;
                Ok(n > 0)
            })
            .await
        })
    }
}

/// The sweep of [`Store::gc_documents`], independent of the database: deletes the objects
/// under `sha256/` that `is_referenced` (called with the object's SHA-256) says no row names
/// and that were last written before `cutoff`. Works alike on a local directory and on S3:
/// the listing is recursive over the prefix, `last_modified` is the file's mtime or S3's
/// `LastModified` (whole seconds, the S3 server's clock: keep the grace period well above
/// any clock skew), and an upload of the same content rewrites the object, which makes it
/// recent again. Each candidate is looked at once more (`head`) just before it is deleted, so
/// that one re-uploaded since the listing is kept; an object already gone is not an error.
pub async fn sweep_unreferenced<F, Fut>(
    objects: &dyn ObjectStore,
    cutoff: DateTime<Utc>,
    mut is_referenced: F,
) -> Result<GcReport>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    use futures_util::StreamExt;
    let mut report = GcReport::default();
    let mut listing = objects.list(Some(&ObjectPath::from("sha256")));
    let mut candidates = Vec::new();
    while let Some(meta) = listing.next().await {
        let meta = meta?;
        report.scanned += 1;
        let Some(sha) = meta.location.filename().map(str::to_string) else { continue };
        candidates.push((sha, meta.last_modified, meta.location));
    }
    drop(listing);
    for (sha, modified, location) in candidates {
        if is_referenced(sha).await? {
            report.referenced += 1;
            continue;
        }
        if modified > cutoff {
            report.too_recent += 1;
            continue;
        }
        match objects.head(&location).await {
            Ok(now) if now.last_modified > cutoff => report.too_recent += 1,
            Ok(_) => match objects.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => report.deleted += 1,
                Err(e) => return Err(e.into()),
            },
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}
