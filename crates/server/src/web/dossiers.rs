//! The applicant's pages: my dossiers, one dossier (status, due instant, documents,
//! history, what can be done now), document upload, submission and downloads.

use super::form::{FormState, PageForm};
use super::{labels, Ctx, Nav};
use crate::api::dossiers::{document_response, read_multipart};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::service::{self, ActionInput, DossierView};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::dossier::Status;
use motcua_store::accounts::User;
use motcua_store::documents::Document;
use motcua_store::dossiers::{Applicant, Dossier};
use serde::Deserialize;

/// One document, for display.
pub struct DocVm {
    pub id: String,
    pub name: String,
    pub kind_label: String,
    pub size: String,
    pub at: String,
}

/// One history entry, for display.
pub struct HistVm {
    pub at: String,
    pub action: String,
    pub status: String,
    pub by: String,
    pub reason: String,
    /// "from step → to step" when the action moved the dossier on its route.
    pub steps: String,
}

/// A choice in a select.
pub struct OptVm {
    pub value: String,
    pub label: String,
}

/// The time a dossier spent at a step, for display.
pub struct StepVm {
    pub name: String,
    pub agency: String,
    pub entered: String,
    pub left: String,
    pub spent: String,
    pub budget: String,
    pub over: bool,
}

/// A dossier, for display to its applicant or its agency.
pub struct DossierVm {
    pub id: String,
    /// The code, or the localised "draft" label before submission.
    pub title_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency: String,
    pub status: Status,
    pub status_label: String,
    pub due: String,
    pub due_is_estimate: bool,
    /// On track / due soon / overdue, or early / on time / late once decided.
    pub timeliness: Option<String>,
    /// The catalogue gave no usable processing time: the agency's default was applied.
    pub time_flagged: bool,
    /// "How this date was computed", one sentence a step.
    pub explanation: Vec<String>,
    pub submitted: String,
    pub received: String,
    pub applicant: Applicant,
    pub delivery: String,
    pub documents: Vec<DocVm>,
    pub result_documents: Vec<DocVm>,
    pub history: Vec<HistVm>,
    pub allowed: Vec<&'static str>,
    /// The reason of the latest supplement request (while it is open).
    pub supplement_reason: Option<String>,
    /// The reason of the refusal.
    pub refusal_reason: Option<String>,
    /// The approved result document.
    pub result: Option<DocVm>,
    /// The current step's name on the route (empty for a draft or an ended dossier).
    pub step_name: String,
    /// The official the step is assigned to (empty: the step's role pool).
    pub assignee: String,
    /// The steps passed and the working hours spent at each against its budget (officials).
    pub steps: Vec<StepVm>,
    /// Where `forward` and `send_back` may lead from the current step.
    pub forward_targets: Vec<OptVm>,
    pub send_back_targets: Vec<OptVm>,
    /// Officials who perform the current step (for `assign`).
    pub assignable: Vec<OptVm>,
    /// The latest apology (form 04): the new appointment and why.
    pub appointment: Option<String>,
    pub apology_reason: Option<String>,
    /// The legal basis stated with the refusal.
    pub refusal_basis: Option<String>,
    /// The procedure's form as filled in: (field, value), in the order given.
    pub form: Vec<(String, String)>,
}

impl DossierVm {
    pub fn can(&self, action: &str) -> bool {
        self.allowed.contains(&action)
    }

    pub fn is(&self, status: &str) -> bool {
        self.status.as_str() == status
    }

    /// The kind of document the applicant uploads now: `required` for a draft, `supplement`
    /// when a supplement is requested; none otherwise.
    pub fn applicant_upload_kind(&self) -> Option<&'static str> {
        match self.status {
            Status::Draft => Some("required"),
            Status::SupplementRequested => Some("supplement"),
            _ => None,
        }
    }
}

fn doc_vm(tr: &Tr, d: &Document) -> DocVm {
    DocVm {
        id: d.id.clone(),
        name: d.name.clone(),
        kind_label: labels::document_kind(tr, &d.kind),
        size: labels::size(tr, d.size),
        at: tr.datetime(&d.created_at),
    }
}

fn last_reason(v: &DossierView, action: &str) -> Option<String> {
    v.history.iter().rev().find(|h| h.action == action).and_then(|h| h.reason.clone())
}

/// Loads a dossier the user may see, for display. The applicant's view lists result
/// documents only once the result is returned (before, they are the agency's drafts).
pub async fn load(
    state: &AppState,
    tr: &Tr,
    user: &User,
    reference: &str,
    applicant_view: bool,
) -> AppResult<DossierVm> {
    let v = service::view(state, user, reference).await?;
    let agency = state.store.agency(&v.dossier.agency_code).await?;
    let agency = match agency {
        Some(a) if tr.lang == Lang::En && !a.name_en.is_empty() => a.name_en,
        Some(a) => a.name,
        None => v.dossier.agency_code.clone(),
    };
    let d: &Dossier = &v.dossier;
    let shown = |doc: &&Document| !applicant_view || doc.kind != "result" || d.status == Status::Returned;
    let documents: Vec<DocVm> = v.documents.iter().filter(shown).map(|doc| doc_vm(tr, doc)).collect();
    let result_documents = v.documents.iter().filter(|doc| doc.kind == "result").map(|doc| doc_vm(tr, doc)).collect();
    let result = d
        .result_document_id
        .as_deref()
        .and_then(|id| v.documents.iter().find(|doc| doc.id == id))
        .map(|doc| doc_vm(tr, doc));
    let route = d.route_id.as_deref().and_then(|id| state.routes.get(id));
    let step_label = |id: &str| {
        route
            .and_then(|r| r.step(id))
            .map_or_else(|| id.to_string(), |s| if tr.lang == Lang::En { s.name_en.clone() } else { s.name_vi.clone() })
    };
    let current = route.and_then(|r| d.step.as_deref().and_then(|s| r.step(s)));
    let targets = |a: motcua_core::route::Action| -> Vec<OptVm> {
        current
            .and_then(|s| s.rule(a))
            .map(|rule| rule.targets.iter().map(|t| OptVm { value: t.clone(), label: step_label(t) }).collect())
            .unwrap_or_default()
    };
    let mut assignable = Vec::new();
    if let (Some(step), Some(agency), true) =
        (current, d.step_agency_code.as_deref(), v.allowed_actions.contains(&"assign"))
    {
        for o in state.store.officials_of(agency).await? {
            if o.roles.contains(&step.role) {
                assignable.push(OptVm { value: o.user.username.clone(), label: o.user.full_name.clone() });
            }
        }
    }
    let apology = v.history.iter().rev().find(|h| h.action == "apologise");
    let refusal = v.history.iter().rev().find(|h| h.action == "refuse").filter(|_| d.status == Status::Refused);
    let hours = |h: f64| labels::number(tr, h);
    Ok(DossierVm {
        step_name: if d.status.is_final() {
            String::new()
        } else {
            d.step.as_deref().map(step_label).unwrap_or_default()
        },
        assignee: v.assignee.as_ref().and_then(|a| a["name"].as_str()).unwrap_or_default().to_string(),
        steps: v
            .steps
            .iter()
            .map(|st| StepVm {
                name: if tr.lang == Lang::En { st.name_en.clone() } else { st.name_vi.clone() },
                agency: st.agency_code.clone(),
                entered: tr.datetime(&st.entered_at),
                left: tr.datetime_opt(&st.left_at),
                spent: hours(st.spent_working_hours),
                budget: st.budget_working_hours.map(hours).unwrap_or_default(),
                over: st.over_budget,
            })
            .collect(),
        forward_targets: targets(motcua_core::route::Action::Forward),
        send_back_targets: targets(motcua_core::route::Action::SendBack),
        assignable,
        appointment: d.appointment_at.as_ref().map(|a| tr.datetime(a)),
        apology_reason: apology.and_then(|h| h.reason.clone()),
        refusal_basis: refusal
            .and_then(|h| h.detail.as_ref())
            .and_then(|x| x["legal_basis"].as_str())
            .map(str::to_string),
        form: d
            .form
            .as_object()
            .map(|o| {
                o.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
            })
            .unwrap_or_default(),
        id: d.id.clone(),
        title_code: d.code.clone().unwrap_or_else(|| tr.t("dossier-draft")),
        procedure_code: d.procedure_code.clone(),
        procedure_name: d.procedure_name.clone(),
        agency,
        status: d.status,
        status_label: labels::status(tr, d.status),
        due: tr.datetime_opt(&d.due_at),
        due_is_estimate: v.due_is_estimate && d.due_at.is_some(),
        timeliness: v
            .completion
            .map(|c| labels::completion(tr, c))
            .or_else(|| v.progress.map(|p| labels::progress(tr, p))),
        explanation: v.due_explanation.iter().map(|s| labels::explain_step(tr, s)).collect(),
        time_flagged: d.time_flagged,
        submitted: tr.datetime_opt(&d.submitted_at),
        received: tr.datetime_opt(&d.received_at),
        applicant: d.applicant.clone(),
        delivery: labels::delivery(tr, &d.delivery),
        history: v
            .history
            .iter()
            .map(|h| HistVm {
                at: tr.datetime(&h.at),
                action: labels::action(tr, &h.action),
                status: labels::status_name(tr, &h.status),
                by: format!("{} ({})", h.by, labels::role(tr, &h.by_role)),
                reason: match h.detail.as_ref().and_then(|x| x["legal_basis"].as_str()) {
                    Some(basis) => {
                        format!("{} ({}: {basis})", h.reason.clone().unwrap_or_default(), tr.t("dossier-refused-basis"))
                    }
                    None => h.reason.clone().unwrap_or_default(),
                },
                steps: match (&h.from_step, &h.to_step) {
                    (Some(a), Some(b)) if a != b => format!("{} → {}", step_label(a), step_label(b)),
                    (None, Some(b)) => step_label(b),
                    _ => String::new(),
                },
            })
            .collect(),
        supplement_reason: (d.status == Status::SupplementRequested)
            .then(|| last_reason(&v, "request_supplement"))
            .flatten(),
        refusal_reason: (d.status == Status::Refused).then(|| last_reason(&v, "refuse")).flatten(),
        allowed: v.allowed_actions.clone(),
        documents,
        result_documents,
        result,
    })
}

/// A row of a dossier list.
pub struct RowVm {
    pub id: String,
    pub code: String,
    pub procedure_name: String,
    pub applicant: String,
    pub status: String,
    pub submitted: String,
    pub due: String,
    pub due_is_estimate: bool,
    /// On track / due soon / overdue (desk queue; empty elsewhere).
    pub timeliness: String,
    /// The agency's default processing time was applied (the catalogue gives none).
    pub time_flagged: bool,
    pub created: String,
}

pub fn row_vm(tr: &Tr, d: &Dossier) -> RowVm {
    RowVm {
        id: d.id.clone(),
        code: d.code.clone().unwrap_or_else(|| tr.t("dossier-draft")),
        procedure_name: d.procedure_name.clone(),
        applicant: d.applicant.full_name.clone(),
        status: labels::status(tr, d.status),
        submitted: tr.datetime_opt(&d.submitted_at),
        // A dossier withdrawn before it was received has no result to wait for.
        due: if d.status == Status::Withdrawn && d.received_at.is_none() {
            String::new()
        } else {
            tr.datetime_opt(&d.due_at)
        },
        due_is_estimate: d.received_at.is_none() && d.due_at.is_some() && d.status != Status::Withdrawn,
        timeliness: String::new(),
        time_flagged: d.time_flagged,
        created: tr.datetime(&d.created_at),
    }
}

#[derive(Template)]
#[template(path = "dossiers.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    rows: Vec<RowVm>,
    /// The claim form (code and ID number of a dossier submitted at the desk).
    form: FormState,
    /// Submissions in steps not yet made into a dossier draft, most recent first.
    unfinished: Vec<UnfinishedVm>,
}

/// A submission in steps not finished: where to continue it.
struct UnfinishedVm {
    procedure_code: String,
    procedure_name: String,
    /// "Step 2 of 5: …".
    step: String,
    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    saved_at: String,
}

async fn list_page(ctx: &Ctx, state: &AppState, form: FormState, status: StatusCode) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let items = state.store.dossiers_of_owner(user.id, 200).await?;
    let rows = items.iter().map(|d| row_vm(&ctx.tr, d)).collect();
    let unfinished = state
        .store
        .form_drafts_of(user.id, 50)
        .await?
        .into_iter()
        .map(|f| {
            let (step, saved_at) = super::apply::draft_place(&ctx.tr, &f);
            UnfinishedVm { step, saved_at, procedure_code: f.procedure_code, procedure_name: f.procedure_name }
        })
        .collect();
    Ok(ctx.render(status, &ListPage { tr: ctx.tr, nav: ctx.nav(), rows, form, unfinished }))
}

/// `GET /dossiers`: the signed-in account's dossiers, newest first, and the claim form.
pub async fn list(ctx: Ctx, State(state): State<AppState>) -> Response {
    list_page(&ctx, &state, FormState::default(), StatusCode::OK).await.unwrap_or_else(|e| ctx.error(e))
}

/// `POST /dossiers/claim` (`code`, `id_number`, `csrf`): a citizen claims a dossier submitted
/// for them at the one-stop desk and goes to it. A wrong code or ID number, a dossier claimed
/// by someone else or too many attempts are told on "My dossiers" above the form, with what
/// was typed.
pub async fn claim(
    ctx: Ctx,
    State(state): State<AppState>,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    PageForm(fields): PageForm,
) -> Response {
    let input = service::ClaimInput {
        code: fields.get("code").cloned().unwrap_or_default(),
        id_number: fields.get("id_number").cloned().unwrap_or_default(),
    };
    let result = async {
        ctx.check_csrf(&fields)?;
        let user = ctx.require_user()?;
        let record = service::claim(&state, user, &input, addr.ip()).await?;
        Ok::<_, AppError>(ctx.redirect(&format!("/dossiers/{}?done=claimed", record.dossier.id)))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e @ (AppError::Invalid(_) | AppError::NotFound | AppError::Conflict(_) | AppError::TooManyRequests(_))) => {
            let mut form = FormState::default();
            form.set("code", input.code);
            form.set("id_number", input.id_number);
            match &e {
                AppError::Invalid(_) => form.add_error(&ctx.tr, &e, |f| Some(f.to_string())),
                AppError::NotFound => form.add("code", ctx.tr.t("err-claim-not-found")),
                AppError::TooManyRequests(s) => form.summary.push(super::form::SummaryItem {
                    target: None,
                    message: ctx.tr.t_args("err-claim-too-many", &[("seconds", &s.to_string())]),
                }),
                _ => form.add_error(&ctx.tr, &e, |_| None),
            }
            let mut res = list_page(&ctx, &state, form, e.status()).await.unwrap_or_else(|e| ctx.error(e));
            if let AppError::TooManyRequests(s) = e {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(s));
            }
            res
        }
        Err(e) => ctx.error(e),
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    tr: Tr,
    nav: Nav,
    d: DossierVm,
    form: FormState,
    done: Option<String>,
    upload_action: String,
    upload_button: String,
    /// The submission's steps while the dossier is a draft (4: documents, 5: check and submit).
    progress: Vec<super::apply::ProgressItem>,
    progress_heading: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct DoneParam {
    pub done: Option<String>,
}

/// A confirmation after a redirect (`?done=upload`…), from a fixed list.
pub fn done_message(tr: &Tr, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "created" => "done-created",
        "uploaded" => "done-uploaded",
        "submitted" => "done-submitted",
        "action" => "done-action",
        "withdrawn" => "done-withdrawn",
        "claimed" => "done-claimed",
        _ => return None,
    };
    Some(tr.t(key))
}

async fn show_page(
    ctx: &Ctx,
    state: &AppState,
    reference: &str,
    form: FormState,
    done: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let d = load(state, &ctx.tr, user, reference, true).await?;
    let done = done_message(&ctx.tr, done);
    let upload_action = format!("/dossiers/{}/documents", d.id);
    let upload_button = ctx.tr.t("upload-button");
    let (progress, progress_heading) = if d.status == Status::Draft {
        let n = if d.documents.is_empty() { 4 } else { 5 };
        (super::apply::progress(&ctx.tr, n), super::apply::step_heading(&ctx.tr, n))
    } else {
        (vec![], String::new())
    };
    let page = DossierPage {
        tr: ctx.tr,
        nav: ctx.nav(),
        d,
        form,
        done,
        upload_action,
        upload_button,
        progress,
        progress_heading,
    };
    Ok(ctx.render(status, &page))
}

/// `GET /dossiers/{ref}`: the applicant's view.
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

/// `POST /dossiers/{ref}/submit`: submits the draft, or answers a supplement request.
pub async fn submit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    let result = async {
        ctx.check_csrf(&fields)?;
        let user = ctx.require_user()?;
        let input = ActionInput { action: "submit".into(), ..ActionInput::default() };
        let d = service::act(&state, user, &reference, &input).await?;
        Ok::<_, AppError>(ctx.redirect(&format!("/dossiers/{}?done=submitted", d.id)))
    }
    .await;
    match result {
        Ok(r) => r,
        // A conflict (nothing uploaded, already submitted…) is told on the dossier page.
        Err(e @ AppError::Conflict(_)) => {
            let mut form = FormState::default();
            form.add_error(&ctx.tr, &e, |_| None);
            show_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}

/// `POST /dossiers/{ref}/withdraw` (`reason`, `csrf`): the applicant withdraws a dossier not
/// yet decided.
pub async fn withdraw(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    let result = async {
        ctx.check_csrf(&fields)?;
        let user = ctx.require_user()?;
        let input =
            ActionInput { action: "withdraw".into(), reason: fields.get("reason").cloned(), ..ActionInput::default() };
        let d = service::act(&state, user, &reference, &input).await?;
        Ok::<_, AppError>(ctx.redirect(&format!("/dossiers/{}?done=withdrawn", d.id)))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let mut form = FormState::default();
            form.set("withdraw-reason", fields.get("reason").cloned().unwrap_or_default());
            form.add_error(&ctx.tr, &e, |f| (f == "reason").then(|| "withdraw-reason".to_string()));
            show_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}

/// The element of an upload form for a field error.
pub fn upload_field_id(field: &str) -> Option<String> {
    match field {
        "file" | "body" | "kind" => Some("file".to_string()),
        "name" => Some("doc-name".to_string()),
        _ => None,
    }
}

/// The upload form shown again with the error of `e` at the file field, and the document
/// name that was typed (a browser never lets a page fill a file input again).
pub fn upload_error_form(tr: &Tr, e: &AppError, typed_name: &str) -> FormState {
    let mut form = FormState::default();
    form.set("doc-name", typed_name);
    match e {
        AppError::TooLarge(_) => form.add("file", e.detail(tr)),
        _ => form.add_error(tr, e, upload_field_id),
    }
    form
}

/// Reads an upload form, checks its CSRF token and stores the document. The error, if any,
/// is shown on the dossier page by the caller, with the document name typed (empty when the
/// form could not be read, as when the file is too large).
pub async fn handle_upload(
    ctx: &Ctx,
    state: &AppState,
    reference: &str,
    mp: Result<Multipart, MultipartRejection>,
    kind: Option<&str>,
) -> Result<Document, (AppError, String)> {
    let user = ctx.require_user().map_err(|e| (e, String::new()))?;
    // Visibility first: an invisible dossier is a 404 before any body is read.
    service::visible_dossier(state, user, reference).await.map_err(|e| (e, String::new()))?;
    let mp = mp.map_err(|_| (AppError::invalid("body", "multipart_format"), String::new()))?;
    let (up, fields) = read_multipart(mp, state.config.max_upload_bytes).await.map_err(|e| (e, String::new()))?;
    let typed_name = fields.get("name").cloned().unwrap_or_default();
    let stored = async {
        crate::auth::check_csrf(&ctx.jar, fields.get("csrf").map_or("", String::as_str))?;
        let mut up = up.ok_or_else(|| AppError::invalid("file", "required"))?;
        if let Some(k) = kind {
            up.kind = Some(k.to_string());
        }
        service::upload(state, user, reference, up).await
    }
    .await;
    stored.map_err(|e| (e, typed_name))
}

/// `POST /dossiers/{ref}/documents` (multipart `file`, `name`, `csrf`): the applicant adds
/// a document; the kind follows the status.
pub async fn upload(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    match handle_upload(&ctx, &state, &reference, mp, None).await {
        Ok(doc) => ctx.redirect(&format!("/dossiers/{}?done=uploaded", doc.dossier_id)),
        Err((e @ (AppError::Invalid(_) | AppError::TooLarge(_) | AppError::Conflict(_)), typed_name)) => {
            let form = upload_error_form(&ctx.tr, &e, &typed_name);
            show_page(&ctx, &state, &reference, form, None, e.status()).await.unwrap_or_else(|e| ctx.error(e))
        }
        Err((e, _)) => ctx.error(e),
    }
}

/// `GET /dossiers/{ref}/documents/{id}`: a document of a visible dossier, as a download.
pub async fn download(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    let result = async {
        let user = ctx.require_user()?;
        document_response(&state, user, &reference, &id).await
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}
