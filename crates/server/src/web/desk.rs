//! The official's desk: the agency's queue and the official's view of a dossier with the
//! actions the transition table allows now.

use super::dossiers::{done_message, handle_upload, load, row_vm, upload_error_form, DoneParam, DossierVm, RowVm};
use super::form::{FormState, PageForm};
use super::{labels, Ctx, Nav};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::service::{self, ActionInput};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::dossier::Status;
use motcua_store::dossiers::QueueFilter;
use serde::Deserialize;

/// Statuses an agency sees, in the order of the work.
const QUEUE_STATUSES: [Status; 6] = [
    Status::Submitted,
    Status::Received,
    Status::SupplementRequested,
    Status::Approved,
    Status::Refused,
    Status::Returned,
];

/// Most dossiers listed (and counted) per status.
const QUEUE_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct QueueParams {
    status: Option<String>,
}

struct CountVm {
    status: String,
    label: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct QueuePage {
    tr: Tr,
    nav: Nav,
    agency: String,
    form: FormState,
    counts: Vec<CountVm>,
    rows: Vec<RowVm>,
}

/// `GET /desk?status=`: the agency's queue, oldest due first.
pub async fn queue(ctx: Ctx, State(state): State<AppState>, Query(p): Query<QueueParams>) -> Response {
    let result = async {
        let (_, agency_code) = ctx.require_official()?;
        let tr = ctx.tr;
        let mut form = FormState::default();
        let chosen = p.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
        form.set("status", chosen.unwrap_or_default());
        let filter = match chosen {
            None => Ok(vec![]),
            Some(s) => match Status::parse(s).filter(|s| *s != Status::Draft) {
                Some(s) => Ok(vec![s]),
                None => Err(AppError::invalid("status", "status_choice")),
            },
        };
        let by_status = state.store.agency_status_counts(agency_code).await?;
        let counts = QUEUE_STATUSES
            .iter()
            .map(|&s| CountVm {
                status: s.as_str().to_string(),
                label: labels::status(&tr, s),
                count: by_status.iter().find(|(st, _)| *st == s).map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0)),
            })
            .collect();
        let agency = match state.store.agency(agency_code).await? {
            Some(a) if tr.lang == crate::i18n::Lang::En && !a.name_en.is_empty() => a.name_en,
            Some(a) => a.name,
            None => agency_code.to_string(),
        };
        let (rows, status) = match filter {
            Ok(statuses) => {
                let items =
                    state.store.agency_queue(agency_code, &QueueFilter { statuses, limit: QUEUE_LIMIT }).await?;
                let cal = state.calendar();
                let hours = crate::service::agency_hours(&state, agency_code).await?;
                let now = chrono::Utc::now();
                let rows = items
                    .iter()
                    .map(|d| {
                        let mut row = row_vm(&tr, d);
                        // The clock runs only between receipt and decision, and not while
                        // waiting on the applicant.
                        if let (Some(due), Status::Received) = (d.due_at, d.status) {
                            let p = motcua_core::legal_time::classify_progress(cal.as_ref(), &hours, due, now);
                            row.timeliness = labels::progress(&tr, p);
                        }
                        row
                    })
                    .collect();
                (rows, StatusCode::OK)
            }
            Err(e) => {
                form.add_error(&tr, &e, |_| Some("status".to_string()));
                (vec![], StatusCode::UNPROCESSABLE_ENTITY)
            }
        };
        Ok::<_, AppError>(ctx.render(status, &QueuePage { tr, nav: ctx.nav(), agency, form, counts, rows }))
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}

#[derive(Template)]
#[template(path = "desk_dossier.html")]
struct DeskDossierPage {
    tr: Tr,
    nav: Nav,
    d: DossierVm,
    form: FormState,
    done: Option<String>,
    upload_action: String,
    upload_button: String,
}

async fn show_page(
    ctx: &Ctx,
    state: &AppState,
    reference: &str,
    form: FormState,
    done: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let (user, _) = ctx.require_official()?;
    let d = load(state, &ctx.tr, user, reference, false).await?;
    let done = done_message(&ctx.tr, done);
    let upload_action = format!("/desk/dossiers/{}/documents", d.id);
    let upload_button = ctx.tr.t("desk-upload-result-button");
    Ok(ctx.render(status, &DeskDossierPage { tr: ctx.tr, nav: ctx.nav(), d, form, done, upload_action, upload_button }))
}

/// `GET /desk/dossiers/{ref}`: the official's view.
pub async fn show(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Query(p): Query<DoneParam>,
) -> Response {
    show_page(&ctx, &state, &reference, FormState::default(), p.done.as_deref(), StatusCode::OK)
        .await
        .unwrap_or_else(|e| ctx.error(e))
}

/// `POST /desk/dossiers/{ref}/actions` (`action`, `reason`, `document_id`, `csrf`).
pub async fn action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    let action = fields.get("action").cloned().unwrap_or_default();
    let reason = fields.get("reason").cloned();
    let result = async {
        ctx.check_csrf(&fields)?;
        let (user, _) = ctx.require_official()?;
        let input = ActionInput {
            action: action.clone(),
            reason: reason.clone(),
            document_id: fields.get("document_id").cloned(),
            target: fields.get("target").cloned(),
            assignee: fields.get("assignee").cloned(),
            legal_basis: fields.get("legal_basis").cloned(),
            new_appointment: fields.get("new_appointment").cloned(),
        };
        let d = service::act(&state, user, &reference, &input).await?;
        // Passed on to another agency: back to the queue, where the dossier no longer is.
        let still_here = service::visible_dossier(&state, user, &d.id).await.is_ok();
        let to = if still_here { format!("/desk/dossiers/{}?done=action", d.id) } else { "/desk?done=action".into() };
        Ok::<_, AppError>(ctx.redirect(&to))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut form = FormState::default();
            let reason_id = format!("{}-reason", action.trim());
            form.set(&reason_id, reason.unwrap_or_default());
            form.add_error(&ctx.tr, &e, |f| match f {
                "reason" => Some(reason_id.clone()),
                "document_id" => Some("document_id".to_string()),
                _ => None,
            });
            show_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}

/// `POST /desk/dossiers/{ref}/documents` (multipart `file`, `name`, `csrf`): a result
/// document.
pub async fn upload_result(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(e) = ctx.require_official() {
        return ctx.error(e);
    }
    match handle_upload(&ctx, &state, &reference, mp, Some("result")).await {
        Ok(doc) => ctx.redirect(&format!("/desk/dossiers/{}?done=uploaded", doc.dossier_id)),
        Err((e @ (AppError::Invalid(_) | AppError::TooLarge(_) | AppError::Conflict(_)), typed_name)) => {
            let form = upload_error_form(&ctx.tr, &e, &typed_name);
            show_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err((e, _)) => ctx.error(e),
    }
}
