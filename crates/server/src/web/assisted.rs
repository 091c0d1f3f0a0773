//! Assisted submission at the one-stop desk (issue 6, item 6): a desk official submits for a
//! citizen who is present (channel `in_person`), scanning their papers, and prints the receipt
//! and appointment slip (form 01 of Circular 01/2018/TT-VPCP); the citizen claims the dossier
//! later in their own account with its code and their ID number (the claim form on "My
//! dossiers").
//!
//! The pages, in order: `/desk/assisted` (find the procedure by code or name; then the agency,
//! the applicant and the delivery), `/desk/assisted/{ref}` (upload the scans; "Submit and
//! receive") and `/desk/dossiers/{ref}/receipt` (the printable slip).

use super::dossiers::{done_message, handle_upload, upload_error_form, DoneParam};
use super::form::{FormState, PageForm};
use super::{labels, Ctx, Nav};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::service::{self, ActionInput};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::calendar::vietnam;
use motcua_core::dossier::Status;
use motcua_store::catalogue::ProcedureQuery;
use serde::Deserialize;
use std::collections::HashMap;

/// Procedures listed for a search on the assisted form.
const MATCHES: i64 = 10;

struct ProcVm {
    code: String,
    name: String,
}

struct AgencyVm {
    code: String,
    name: String,
}

fn agency_name(a: &motcua_core::agency::Agency, lang: Lang) -> String {
    if lang == Lang::En && !a.name_en.is_empty() {
        a.name_en.clone()
    } else {
        a.name.clone()
    }
}

#[derive(Template)]
#[template(path = "assisted.html")]
struct AssistedPage {
    tr: Tr,
    nav: Nav,
    form: FormState,
    /// The procedure search was run (a term given that is not a code).
    searched: bool,
    matches: Vec<ProcVm>,
    chosen: Option<ProcVm>,
    agencies: Vec<AgencyVm>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AssistedParams {
    procedure: Option<String>,
}

async fn assisted_page(ctx: &Ctx, state: &AppState, mut form: FormState, status: StatusCode) -> AppResult<Response> {
    let (user, _) = ctx.require_official()?;
    let term = form.v("procedure").trim().to_string();
    let mut page = AssistedPage {
        tr: ctx.tr,
        nav: ctx.nav(),
        form: FormState::default(),
        searched: false,
        matches: vec![],
        chosen: None,
        agencies: vec![],
    };
    if !term.is_empty() {
        if let Some(p) = state.store.procedure_shared(&term).await? {
            let agencies = service::desk_agencies_for(state, user, &p.code).await?;
            if form.v("agency_code").is_empty() {
                if let Some(a) = agencies.first() {
                    form.set("agency_code", a.code.clone());
                }
            }
            page.agencies =
                agencies.iter().map(|a| AgencyVm { code: a.code.clone(), name: agency_name(a, ctx.tr.lang) }).collect();
            page.chosen = Some(ProcVm { code: p.code.clone(), name: p.name.clone() });
        } else {
            page.searched = true;
            let q = ProcedureQuery {
                q: Some(term.clone()),
                level: None,
                field: None,
                online_level: None,
                limit: MATCHES,
                offset: 0,
            };
            let (items, _) = state.store.search_procedures(&q).await?;
            page.matches = items.into_iter().map(|i| ProcVm { code: i.code, name: i.name }).collect();
        }
    }
    if form.v("delivery").is_empty() {
        form.set("delivery", "in_person");
    }
    page.form = form;
    Ok(ctx.render(status, &page))
}

/// `GET /desk/assisted?procedure=`: the assisted-submission form.
pub async fn start(ctx: Ctx, State(state): State<AppState>, Query(p): Query<AssistedParams>) -> Response {
    let mut form = FormState::default();
    form.set("procedure", p.procedure.unwrap_or_default());
    assisted_page(&ctx, &state, form, StatusCode::OK).await.unwrap_or_else(|e| ctx.error(e))
}

/// The element on the assisted form for a field of the draft.
fn field_id(field: &str) -> Option<String> {
    let f = field.strip_prefix("applicant.").unwrap_or(field);
    match f {
        "full_name" | "id_number" | "phone" | "address" | "agency_code" | "delivery" => Some(f.to_string()),
        "procedure_code" => Some("procedure".to_string()),
        _ => None,
    }
}

/// `POST /desk/assisted` (`procedure_code`, `agency_code`, applicant fields, `delivery`,
/// `csrf`): creates the in-person draft and goes to its documents.
pub async fn create(ctx: Ctx, State(state): State<AppState>, PageForm(fields): PageForm) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    let user = match ctx.require_official() {
        Ok((u, _)) => u.clone(),
        Err(e) => return ctx.error(e),
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let input = super::form::dossier_input(&get("procedure_code"), "in_person", get);
    match service::create_draft(&state, &user, &input).await {
        Ok(d) => ctx.redirect(&format!("/desk/assisted/{}?done=created", d.id)),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            let mut keep: HashMap<String, String> = fields.into_iter().filter(|(k, _)| k != "csrf").collect();
            keep.insert("procedure".into(), input.procedure_code.clone());
            let mut form = FormState::with_values(keep);
            form.add_error(&ctx.tr, &e, field_id);
            assisted_page(&ctx, &state, form, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}

struct DocVm {
    name: String,
    size: String,
}

#[derive(Template)]
#[template(path = "assisted_documents.html")]
struct DocumentsPage {
    tr: Tr,
    nav: Nav,
    form: FormState,
    done: Option<String>,
    id: String,
    procedure: String,
    agency: String,
    applicant: String,
    id_number: String,
    documents: Vec<DocVm>,
    upload_action: String,
    upload_button: String,
}

async fn documents_page(
    ctx: &Ctx,
    state: &AppState,
    reference: &str,
    form: FormState,
    done: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let (user, _) = ctx.require_official()?;
    let v = service::view(state, user, reference).await?;
    let d = &v.dossier;
    if d.status != Status::Draft {
        // Already submitted and received: its receipt.
        return Ok(ctx.redirect(&format!("/desk/dossiers/{}/receipt", d.id)));
    }
    let agency = state
        .store
        .agency(&d.agency_code)
        .await?
        .map_or_else(|| d.agency_code.clone(), |a| agency_name(&a, ctx.tr.lang));
    let page = DocumentsPage {
        tr: ctx.tr,
        nav: ctx.nav(),
        form,
        done: done_message(&ctx.tr, done),
        id: d.id.clone(),
        procedure: format!("{} — {}", d.procedure_code, d.procedure_name),
        agency,
        applicant: d.applicant.full_name.clone(),
        id_number: d.applicant.id_number.clone(),
        documents: v
            .documents
            .iter()
            .map(|x| DocVm { name: x.name.clone(), size: labels::size(&ctx.tr, x.size) })
            .collect(),
        upload_action: format!("/desk/assisted/{}/documents", d.id),
        upload_button: ctx.tr.t("assisted-upload-button"),
    };
    Ok(ctx.render(status, &page))
}

/// `GET /desk/assisted/{ref}`: the scans of an assisted submission, and "Submit and receive".
pub async fn documents(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Query(p): Query<DoneParam>,
) -> Response {
    documents_page(&ctx, &state, &reference, FormState::default(), p.done.as_deref(), StatusCode::OK)
        .await
        .unwrap_or_else(|e| ctx.error(e))
}

/// `POST /desk/assisted/{ref}/documents` (multipart `file`, `name`, `csrf`): a scanned paper.
pub async fn upload(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(e) = ctx.require_official() {
        return ctx.error(e);
    }
    match handle_upload(&ctx, &state, &reference, mp, Some("required")).await {
        Ok(doc) => ctx.redirect(&format!("/desk/assisted/{}?done=uploaded", doc.dossier_id)),
        Err((e @ (AppError::Invalid(_) | AppError::TooLarge(_) | AppError::Conflict(_)), typed_name)) => {
            let form = upload_error_form(&ctx.tr, &e, &typed_name);
            documents_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err((e, _)) => ctx.error(e),
    }
}

/// `POST /desk/assisted/{ref}/submit` (`csrf`): submits and receives it on the spot, then
/// shows the receipt.
pub async fn submit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    let result = async {
        ctx.check_csrf(&fields)?;
        let (user, _) = ctx.require_official()?;
        let input = ActionInput { action: "submit".into(), ..ActionInput::default() };
        let d = service::act(&state, user, &reference, &input).await?;
        Ok::<_, AppError>(ctx.redirect(&format!("/desk/dossiers/{}/receipt", d.id)))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e @ AppError::Conflict(_)) => {
            let mut form = FormState::default();
            form.add_error(&ctx.tr, &e, |_| None);
            documents_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    tr: Tr,
    nav: Nav,
    id: String,
    agency: String,
    code: String,
    procedure: String,
    applicant: motcua_store::dossiers::Applicant,
    documents: Vec<DocVm>,
    received: String,
    /// The appointment: the due date, `dd/mm/yyyy` in Vietnam time.
    appointment: String,
    official: String,
    delivery: String,
    follow: String,
}

/// `GET /desk/dossiers/{ref}/receipt`: the receipt and appointment slip of a received dossier
/// (form 01 of Circular 01/2018/TT-VPCP), for the official to print and hand over. 404 before
/// receipt.
pub async fn receipt(ctx: Ctx, State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    let result = async {
        let (user, _) = ctx.require_official()?;
        let v = service::view(&state, user, &reference).await?;
        let d = &v.dossier;
        let (Some(code), Some(received_at)) = (d.code.clone(), d.received_at) else { return Err(AppError::NotFound) };
        let tr = ctx.tr;
        let agency = state
            .store
            .agency(&d.agency_code)
            .await?
            .map_or_else(|| d.agency_code.clone(), |a| agency_name(&a, tr.lang));
        let official = v
            .history
            .iter()
            .find(|h| h.action == "receive")
            .map(|h| h.by.clone())
            .or_else(|| v.submitted_by.as_ref().and_then(|s| s["name"].as_str().map(str::to_string)))
            .unwrap_or_default();
        let appointment = d
            .appointment_at
            .or(d.due_at)
            .map(|t| t.with_timezone(&vietnam()).format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "—".into());
        let page = ReceiptPage {
            tr,
            nav: ctx.nav(),
            id: d.id.clone(),
            agency,
            follow: tr.t_args("receipt-follow-how", &[("code", &code)]),
            code,
            procedure: format!("{} — {}", d.procedure_code, d.procedure_name),
            applicant: d.applicant.clone(),
            documents: v
                .documents
                .iter()
                .filter(|x| x.kind != "result")
                .map(|x| DocVm { name: x.name.clone(), size: labels::size(&tr, x.size) })
                .collect(),
            received: tr.datetime(&received_at),
            appointment,
            official,
            delivery: labels::delivery(&tr, &d.delivery),
        };
        Ok(ctx.render(StatusCode::OK, &page))
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}
