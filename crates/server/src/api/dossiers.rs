//! Dossier endpoints: drafts, documents, submission, actions, the desk queue.

use super::idempotency::AlreadyApplied;
use super::ApiJson;
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult};
use crate::service::{self, ActionInput, DossierInput, DossierView, Upload};
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::BytesMut;
use motcua_store::documents::Document;
use serde_json::{json, Value};
use std::collections::HashMap;

/// `POST /api/v1/dossiers`: a new draft (201).
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    applied: Option<Extension<AlreadyApplied>>,
    ApiJson(input): ApiJson<DossierInput>,
) -> AppResult<(StatusCode, [(header::HeaderName, String); 1], Json<DossierView>)> {
    let view = match applied {
        Some(Extension(AlreadyApplied(id))) => service::view_retried(&state, &user, &id).await?,
        None => service::view_of(&state, &user, service::create_draft_record(&state, &user, &input).await?).await?,
    };
    let location = format!("/api/v1/dossiers/{}", view.dossier.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)))
}

/// `POST /api/v1/dossiers/claim` `{"code", "id_number"}`: a citizen claims a dossier a desk
/// official submitted for them; 200 with the dossier's view (see [`service::claim`] for 404,
/// 409 and 429).
pub async fn claim(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    ApiUser(user): ApiUser,
    applied: Option<Extension<AlreadyApplied>>,
    ApiJson(input): ApiJson<service::ClaimInput>,
) -> AppResult<Json<DossierView>> {
    let view = match applied {
        Some(Extension(AlreadyApplied(id))) => service::view_retried(&state, &user, &id).await?,
        None => service::view_of(&state, &user, service::claim(&state, &user, &input, addr.ip()).await?).await?,
    };
    Ok(Json(view))
}

/// `GET /api/v1/dossiers/claim`: the path of the claim is not a dossier reference; answered
/// as a dossier called `claim` would be (404), as before the claim existed.
pub async fn get_claim(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<DossierView>> {
    Ok(Json(service::view(&state, &user, "claim").await?))
}

/// `GET /api/v1/dossiers`: the caller's own dossiers, newest first.
pub async fn mine(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<Value>> {
    let items = state.store.dossiers_of_owner(user.id, 200).await?;
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/dossiers/{ref}`: by id or code, with history and documents.
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(r): Path<String>,
) -> AppResult<Json<DossierView>> {
    Ok(Json(service::view(&state, &user, &r).await?))
}

/// `POST /api/v1/dossiers/{ref}/submit`: submit a draft, or answer a supplement request.
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(r): Path<String>,
    applied: Option<Extension<AlreadyApplied>>,
) -> AppResult<Json<DossierView>> {
    let view = match applied {
        Some(Extension(AlreadyApplied(id))) => service::view_retried(&state, &user, &id).await?,
        None => {
            let input = ActionInput { action: "submit".into(), ..ActionInput::default() };
            service::view_of(&state, &user, service::act_record(&state, &user, &r, &input).await?).await?
        }
    };
    Ok(Json(view))
}

/// `POST /api/v1/dossiers/{ref}/actions` `{"action","reason"?,"document_id"?}`.
pub async fn action(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(r): Path<String>,
    applied: Option<Extension<AlreadyApplied>>,
    ApiJson(input): ApiJson<ActionInput>,
) -> AppResult<Json<DossierView>> {
    let view = match applied {
        Some(Extension(AlreadyApplied(id))) => service::view_retried(&state, &user, &id).await?,
        None => service::view_of(&state, &user, service::act_record(&state, &user, &r, &input).await?).await?,
    };
    Ok(Json(view))
}

/// Reads a multipart form: the `file` field (bounded by `max` bytes) and the text fields.
///
/// # Errors
/// 413 past `max`; 422 for a missing file or a malformed form.
pub async fn read_multipart(mut mp: Multipart, max: u64) -> AppResult<(Option<Upload>, HashMap<String, String>)> {
    let mut fields = HashMap::new();
    let mut upload = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge(max)),
            Err(_) => return Err(AppError::invalid("body", "multipart_format")),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut buf = BytesMut::new();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        if (buf.len() + c.len()) as u64 > max {
                            return Err(AppError::TooLarge(max));
                        }
                        buf.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge(max)),
                    Err(_) => return Err(AppError::invalid("file", "multipart_format")),
                }
            }
            // An empty file input in a browser form sends a part with no name and no bytes.
            if !(file_name.is_empty() && buf.is_empty()) {
                if upload.is_some() {
                    return Err(AppError::invalid("file", "one_file_only"));
                }
                upload = Some(Upload { file_name, bytes: buf.freeze(), name: None, kind: None });
            }
        } else {
            let text = field.text().await.map_err(|_| AppError::invalid(&name, "multipart_format"))?;
            if text.len() > 10_000 {
                return Err(AppError::invalid(&name, "too_long"));
            }
            fields.insert(name, text);
        }
    }
    if let Some(u) = upload.as_mut() {
        u.name = fields.get("name").cloned();
        u.kind = fields.get("kind").cloned();
    }
    Ok((upload, fields))
}

/// `POST /api/v1/dossiers/{ref}/documents` (multipart `file`, `name`?, `kind`?): 201.
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(r): Path<String>,
    applied: Option<Extension<AlreadyApplied>>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<(StatusCode, Json<Document>)> {
    // Visibility first: an invisible dossier is a 404 before any body is read.
    let (d, _) = service::visible_dossier(&state, &user, &r).await?;
    if let Some(Extension(AlreadyApplied(id))) = applied {
        let doc = state.store.document(&d.id, &id).await?.ok_or(AppError::NotFound)?;
        return Ok((StatusCode::CREATED, Json(doc)));
    }
    let mp = mp.map_err(|_| AppError::invalid("body", "multipart_content_type"))?;
    let (up, _) = read_multipart(mp, state.config.max_upload_bytes).await?;
    let up = up.ok_or_else(|| AppError::invalid("file", "required"))?;
    let doc = service::upload(&state, &user, &r, up).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// `GET /api/v1/dossiers/{ref}/documents`.
pub async fn documents(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(r): Path<String>,
) -> AppResult<Json<Value>> {
    let (d, _) = service::visible_dossier(&state, &user, &r).await?;
    Ok(Json(json!({ "items": state.store.documents(&d.id).await? })))
}

/// `GET /api/v1/dossiers/{ref}/documents/{id}`: the bytes, as an attachment.
pub async fn download(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((r, id)): Path<(String, String)>,
) -> AppResult<Response> {
    document_response(&state, &user, &r, &id).await
}

/// The bytes of a document the user may see, as a download (shared with the pages).
pub async fn document_response(
    state: &AppState,
    user: &motcua_store::accounts::User,
    reference: &str,
    id: &str,
) -> AppResult<Response> {
    let (d, _) = service::visible_dossier(state, user, reference).await?;
    let doc = state.store.document(&d.id, id).await?.ok_or(AppError::NotFound)?;
    let bytes = state.store.document_bytes(&doc).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&doc.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // The name's stem, in ASCII, with the extension of the checked content type: a file
    // uploaded as "invoice.exe" that is a PDF downloads as "invoice.pdf".
    let stem = doc.file_name.rsplit_once('.').map_or(doc.file_name.as_str(), |(s, _)| s);
    let ascii: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(100)
        .collect();
    let ext = service::extension_for(&doc.content_type);
    let name = if ascii.trim_matches('_').is_empty() { format!("document.{ext}") } else { format!("{ascii}.{ext}") };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

/// `GET /api/v1/desk/dossiers?status=&procedure=&step=&due=soon|overdue|waiting&mine=1&sort=due|submitted|updated&page=&per_page=&agency=`:
/// a page of the official's agency queue (200 a page unless asked), with `total` and `counts`.
pub async fn desk_queue(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    super::ApiQuery(p): super::ApiQuery<crate::desk::DeskParams>,
) -> AppResult<Json<Value>> {
    let q = crate::desk::queue(&state, &user, &p, 200).await?;
    let by_status: serde_json::Map<String, Value> =
        q.counts.by_status.iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
    Ok(Json(json!({
        "items": q.items, "agency_code": q.agency_code, "total": q.total, "page": q.page, "per_page": q.per_page,
        "counts": {"by_status": by_status, "overdue": q.counts.overdue, "due_soon": q.counts.due_soon},
    })))
}

/// `POST /api/v1/desk/bulk` `{"action": "receive"|"forward", "dossiers": [id or code…], "target"?, "assignee"?}`:
/// each dossier in its own transaction; `results` says what happened to each.
pub async fn desk_bulk(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    lang: crate::i18n::Lang,
    ApiJson(input): ApiJson<crate::desk::BulkInput>,
) -> AppResult<Json<Value>> {
    let results = crate::desk::bulk(&state, &user, &input, &crate::i18n::Tr::new(lang)).await?;
    Ok(Json(json!({ "results": results })))
}
