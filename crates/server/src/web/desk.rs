//! The official's desk: the agency's queue and the official's view of a dossier with the
//! actions the transition table allows now.

use super::dossiers::{done_message, handle_upload, load, row_vm, upload_error_form, DoneParam, DossierVm, RowVm};
use super::form::{FormState, PageForm, PageFormList};
use super::{labels, Ctx, Nav};
use crate::desk::DeskParams;
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
use motcua_core::route::Role as Duty;

/// Statuses an agency sees, in the order of the work.
const QUEUE_STATUSES: [Status; 7] = [
    Status::Submitted,
    Status::Received,
    Status::SupplementRequested,
    Status::Approved,
    Status::Refused,
    Status::Returned,
    Status::Withdrawn,
];

/// Dossiers per page of the desk.
const PER_PAGE: i64 = 50;

struct CountVm {
    href: String,
    label: String,
    count: i64,
}

struct OptionVm {
    value: String,
    label: String,
}

struct DeskRowVm {
    row: RowVm,
    step: String,
}

/// What a bulk action did to one dossier.
struct BulkVm {
    dossier: String,
    ok: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct QueuePage {
    tr: Tr,
    nav: Nav,
    agency: String,
    form: FormState,
    counts: Vec<CountVm>,
    statuses: Vec<OptionVm>,
    steps: Vec<OptionVm>,
    rows: Vec<DeskRowVm>,
    /// For leaders and administrators: who holds how many dossiers in progress.
    assignments: Vec<(String, i64)>,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
    bulk: Vec<BulkVm>,
}

fn query_string(p: &DeskParams, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("status", &p.status),
        ("procedure", &p.procedure),
        ("step", &p.step),
        ("due", &p.due),
        ("mine", &p.mine),
        ("sort", &p.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((k, v.to_string()));
        }
    }
    pairs.push(("page", page.to_string()));
    format!("/desk?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

async fn queue_page(ctx: &Ctx, state: &AppState, p: &DeskParams, bulk: Vec<BulkVm>) -> AppResult<Response> {
    let (user, _) = ctx.require_official()?;
    let tr = ctx.tr;
    let mut form = FormState::default();
    for (k, v) in
        [("status", &p.status), ("procedure", &p.procedure), ("step", &p.step), ("due", &p.due), ("sort", &p.sort)]
    {
        form.set(k, v.as_deref().unwrap_or_default().trim());
    }
    form.set("mine", if matches!(p.mine.as_deref(), Some("1" | "true" | "on")) { "1" } else { "" });
    let (queue, status) = match crate::desk::queue(state, user, p, PER_PAGE).await {
        Ok(q) => (Some(q), StatusCode::OK),
        Err(e @ AppError::Invalid(_)) => {
            form.add_error(&tr, &e, |f| Some(f.to_string()));
            (None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e),
    };
    let agency_code =
        queue.as_ref().map_or_else(|| user.agency_code.clone().unwrap_or_default(), |q| q.agency_code.clone());
    let mut counts: Vec<CountVm> = QUEUE_STATUSES
        .iter()
        .map(|&s| CountVm {
            href: format!("/desk?status={}", s.as_str()),
            label: labels::status(&tr, s),
            count: queue
                .as_ref()
                .and_then(|q| q.counts.by_status.iter().find(|(st, _)| *st == s))
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    if let Some(q) = &queue {
        counts.push(CountVm { href: "/desk?due=overdue".into(), label: tr.t("desk-overdue"), count: q.counts.overdue });
        counts.push(CountVm { href: "/desk?due=soon".into(), label: tr.t("desk-due-soon"), count: q.counts.due_soon });
    }
    let statuses =
        QUEUE_STATUSES.iter().map(|&s| OptionVm { value: s.as_str().into(), label: labels::status(&tr, s) }).collect();
    let mut steps: Vec<OptionVm> = Vec::new();
    for r in state.routes.routes() {
        for s in &r.steps {
            if !steps.iter().any(|o| o.value == s.id) {
                let name = if tr.lang == crate::i18n::Lang::En { &s.name_en } else { &s.name_vi };
                steps.push(OptionVm { value: s.id.clone(), label: name.clone() });
            }
        }
    }
    let agency = match state.store.agency(&agency_code).await? {
        Some(a) if tr.lang == crate::i18n::Lang::En && !a.name_en.is_empty() => a.name_en,
        Some(a) => a.name,
        None => agency_code.clone(),
    };
    let cal = state.calendar();
    let hours = crate::service::agency_hours(state, &agency_code).await?;
    let now = chrono::Utc::now();
    let (mut rows, mut total, mut prev, mut next) = (vec![], 0, None, None);
    if let Some(q) = queue {
        total = q.total;
        if q.page > 1 {
            prev = Some(query_string(p, q.page - 1));
        }
        if q.page * q.per_page < q.total {
            next = Some(query_string(p, q.page + 1));
        }
        rows = q
            .items
            .iter()
            .map(|d| {
                let mut row = row_vm(&tr, d);
                // The clock runs only between receipt and decision, and not while waiting on
                // the applicant.
                if let (Some(due), Status::Received) = (d.due_at, d.status) {
                    let p = motcua_core::legal_time::classify_progress(cal.as_ref(), &hours, due, now);
                    row.timeliness = labels::progress(&tr, p);
                }
                let step = d
                    .step
                    .as_deref()
                    .and_then(|id| steps.iter().find(|o| o.value == id))
                    .map_or_else(String::new, |o| o.label.clone());
                DeskRowVm { row, step }
            })
            .collect();
    }
    let duties = state.store.duties(user).await?;
    let supervises = [Duty::Leader, Duty::AgencyAdmin].into_iter().any(|r| duties.holds(&agency_code, r));
    let assignments = if supervises {
        let named = state.store.assignments(&agency_code).await?;
        let in_progress: i64 =
            QUEUE_STATUSES.iter().zip(&counts).filter(|(s, _)| !s.is_final()).map(|(_, c)| c.count).sum();
        let pool = in_progress - named.iter().map(|(_, _, n)| n).sum::<i64>();
        let mut rows: Vec<(String, i64)> = named.into_iter().map(|(_, name, n)| (name, n)).collect();
        rows.push((tr.t("desk-assignments-pool"), pool));
        rows
    } else {
        vec![]
    };
    let page = QueuePage {
        tr,
        nav: ctx.nav(),
        agency,
        form,
        counts,
        statuses,
        steps,
        rows,
        assignments,
        total,
        prev,
        next,
        bulk,
    };
    Ok(ctx.render(status, &page))
}

/// `GET /desk?status=&procedure=&step=&due=&mine=&sort=&page=`: the agency's queue, due
/// soonest first, with counts and filters.
pub async fn queue(ctx: Ctx, State(state): State<AppState>, Query(p): Query<DeskParams>) -> Response {
    queue_page(&ctx, &state, &p, vec![]).await.unwrap_or_else(|e| ctx.error(e))
}

/// `POST /desk/bulk` (`action` = receive | forward, repeated `dossiers`, `csrf`): the action
/// on every ticked dossier; the queue shows what happened to each.
pub async fn bulk(ctx: Ctx, State(state): State<AppState>, PageFormList(pairs): PageFormList) -> Response {
    let result = async {
        let fields: std::collections::HashMap<String, String> = pairs.iter().cloned().collect();
        ctx.check_csrf(&fields)?;
        let (user, _) = ctx.require_official()?;
        let input = crate::desk::BulkInput {
            action: fields.get("action").cloned().unwrap_or_default(),
            dossiers: pairs.iter().filter(|(k, _)| k == "dossiers").map(|(_, v)| v.clone()).collect(),
            target: None,
            assignee: None,
        };
        let results: Vec<BulkVm> = match crate::desk::bulk(&state, user, &input, &ctx.tr).await {
            Ok(r) => r
                .into_iter()
                .map(|r| BulkVm {
                    ok: r.status == 200,
                    dossier: r.code.unwrap_or(r.dossier),
                    detail: r.detail.unwrap_or_else(|| labels::action(&ctx.tr, &input.action)),
                })
                .collect(),
            Err(AppError::Invalid(fields)) => fields
                .iter()
                .map(|f| BulkVm { ok: false, dossier: String::new(), detail: AppError::field_message(&ctx.tr, f) })
                .collect(),
            Err(e) => return Err(e),
        };
        let refused_whole = results.iter().all(|b: &BulkVm| !b.ok && b.dossier.is_empty());
        let mut res = queue_page(&ctx, &state, &DeskParams::default(), results).await?;
        if refused_whole {
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(res)
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
            for kept in ["new_appointment", "assignee", "legal_basis"] {
                form.set(kept, fields.get(kept).cloned().unwrap_or_default());
            }
            let assign = action.trim() == "assign";
            form.add_error(&ctx.tr, &e, |f| match f {
                "reason" => Some(reason_id.clone()),
                "assignee" if assign => Some("assign-assignee".to_string()),
                "document_id" | "new_appointment" | "assignee" | "legal_basis" => Some(f.to_string()),
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
