//! The submission in steps (issue 6: drafts that survive). A citizen answers one short
//! question per page: where to submit, who the dossier is for, how to receive the result;
//! then the dossier draft exists and its page takes the documents and the submission (steps 4
//! and 5). Every step is saved on the server when its button is pressed, valid or not, so a
//! dropped connection, a closed tab or another device resumes at the step where the person
//! left off (`/dossiers` lists the unfinished ones). A step posted after the session ended is
//! not lost: the sign-in page carries what was typed and saves it once signed in.
//!
//! The one-page form (`POST /procedures/{code}/dossiers`) stays for clients that post every
//! field at once.

use super::catalogue::AgencyVm;
use super::form::{FormState, PageForm};
use super::{safe_next, url_encode, Ctx, Nav};
use crate::error::{AppError, FieldError};
use crate::i18n::Tr;
use crate::service::{self, ApplicantInput};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_store::accounts::{Role, User};
use motcua_store::form_drafts::FormDraft;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The steps saved in a form draft, in order. Steps 4 (documents) and 5 (check and submit)
/// are on the dossier draft's page.
pub const STEPS: [&str; 3] = ["agency", "applicant", "delivery"];

/// Every step of the submission, for the progress list: the three above, then documents and
/// submission.
pub const ALL_STEPS: usize = 5;

/// The fields each step takes.
fn step_fields(step: &str) -> &'static [&'static str] {
    match step {
        "agency" => &["agency_code", "agency_q"],
        "applicant" => &["full_name", "id_number", "phone", "address"],
        "delivery" => &["delivery"],
        _ => &[],
    }
}

/// The longest value kept for a field, in characters: far above any valid value (the
/// validation says what is wrong), small enough that a draft stays a few kilobytes.
const MAX_FIELD_CHARS: usize = 500;

/// Where a field's error links to on its step's page.
fn field_id(field: &str) -> Option<String> {
    let f = field.strip_prefix("applicant.").unwrap_or(field);
    matches!(f, "full_name" | "id_number" | "phone" | "address" | "agency_code" | "delivery").then(|| f.to_string())
}

/// The step a field is asked on.
fn step_of(field: &str) -> &'static str {
    let f = field.strip_prefix("applicant.").unwrap_or(field);
    STEPS.iter().copied().find(|s| step_fields(s).contains(&f)).unwrap_or("agency")
}

fn step_index(step: &str) -> Option<usize> {
    STEPS.iter().position(|s| *s == step)
}

/// One entry of the progress list.
pub struct ProgressItem {
    /// 1 to [`ALL_STEPS`].
    pub number: usize,
    /// The step's name in the reader's language.
    pub label: String,
    /// The step shown now.
    pub current: bool,
    /// A step before it.
    pub done: bool,
}

/// The progress list with `current` (1-based) as the current step.
pub fn progress(tr: &Tr, current: usize) -> Vec<ProgressItem> {
    (1..=ALL_STEPS)
        .map(|n| ProgressItem {
            number: n,
            label: tr.t(&format!("apply-step-{n}")),
            current: n == current,
            done: n < current,
        })
        .collect()
}

/// "Step n of 5: <its name>".
pub fn step_heading(tr: &Tr, n: usize) -> String {
    let of = tr.t_args("apply-step-of", &[("n", &n.to_string()), ("total", &ALL_STEPS.to_string())]);
    format!("{of}: {}", tr.t(&format!("apply-step-{n}")))
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    tr: Tr,
    nav: Nav,
    code: String,
    procedure_name: String,
    step: &'static str,
    /// "Step 2 of 5: who the dossier is for".
    heading: String,
    progress: Vec<ProgressItem>,
    form: FormState,
    agencies: Vec<AgencyVm>,
    more_agencies: bool,
    /// When the draft was last saved (`dd/mm/yyyy HH:MM`, Vietnam time), for "saved at".
    saved_at: Option<String>,
    /// When the session ends (`HH:MM`, Vietnam time), said on the page for readers without
    /// the script's warning.
    session_until: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ApplyParams {
    step: Option<String>,
    agency_q: Option<String>,
    saved: Option<String>,
}

fn vietnam_time(at: chrono::DateTime<chrono::Utc>, fmt: &str) -> String {
    at.with_timezone(&motcua_core::calendar::vietnam()).format(fmt).to_string()
}

/// Where a saved submission stands, for the lists that offer to continue it: its step as
/// "Step n of 5: …" and when it was last saved (`dd/mm/yyyy HH:MM`, Vietnam time).
pub fn draft_place(tr: &Tr, d: &FormDraft) -> (String, String) {
    (step_heading(tr, step_index(&d.step).unwrap_or(0) + 1), vietnam_time(d.updated_at, SAVED_AT))
}

/// How "last saved" instants are written.
const SAVED_AT: &str = "%d/%m/%Y %H:%M";

/// The citizen signed in, or the error that sends others away (a redirect to sign in for
/// nobody, 403 for officials and administrators).
fn citizen(ctx: &Ctx) -> Result<User, AppError> {
    let u = ctx.require_user()?;
    if u.role != Role::Citizen {
        return Err(AppError::Forbidden("err-citizens-only"));
    }
    Ok(u.clone())
}

/// The step to show: the one asked for when it is not past the saved one, else the saved one.
fn shown_step(asked: Option<&str>, saved: Option<&FormDraft>) -> &'static str {
    let saved_i = saved.and_then(|d| step_index(&d.step)).unwrap_or(0);
    match asked.and_then(step_index) {
        Some(i) if i <= saved_i => STEPS[i],
        _ => STEPS[saved_i],
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_step(
    ctx: &Ctx,
    state: &AppState,
    code: &str,
    step: &'static str,
    mut form: FormState,
    saved_at: Option<chrono::DateTime<chrono::Utc>>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let p = state.store.procedure_shared(code).await?.ok_or(AppError::NotFound)?;
    let (mut agencies, mut more_agencies) = (vec![], false);
    if step == "agency" {
        let q = form.v("agency_q").trim().to_string();
        let q = (!q.is_empty()).then_some(q.as_str());
        let mut found = state.store.agencies_for_procedure(&p.code, q, None, super::catalogue::AGENCY_LIST + 1).await?;
        more_agencies = found.len() as i64 > super::catalogue::AGENCY_LIST;
        found.truncate(super::catalogue::AGENCY_LIST as usize);
        let chosen = form.v("agency_code").trim().to_string();
        if !chosen.is_empty() && !found.iter().any(|a| a.code == chosen) {
            if let Some(a) = state.store.agency(&chosen).await? {
                if service::agency_error(state, Some(&p.code), &a.code).await?.is_none() {
                    found.insert(0, a);
                }
            }
        }
        agencies = found.iter().map(|a| super::catalogue::agency_vm(a, ctx.tr.lang)).collect();
    }
    if step == "applicant" && form.v("full_name").is_empty() && !form.has_errors() {
        if let Some(u) = &ctx.user {
            form.set("full_name", u.full_name.clone());
            if form.v("phone").is_empty() {
                form.set("phone", u.phone.clone().unwrap_or_default());
            }
        }
    }
    if step == "delivery" && form.v("delivery").is_empty() {
        form.set("delivery", "online");
    }
    let step_number = step_index(step).unwrap_or(0) + 1;
    let page = ApplyPage {
        tr: ctx.tr,
        nav: ctx.nav(),
        code: p.code.clone(),
        procedure_name: p.name.clone(),
        step,
        heading: step_heading(&ctx.tr, step_number),
        progress: progress(&ctx.tr, step_number),
        form,
        agencies,
        more_agencies,
        saved_at: saved_at.map(|at| vietnam_time(at, SAVED_AT)),
        session_until: ctx.session_expires_at.map(|at| vietnam_time(at, "%H:%M %d/%m/%Y")),
        notice,
    };
    Ok(ctx.render(status, &page))
}

/// `GET /procedures/{code}/apply?step=&agency_q=`: the step the person is at (or an earlier
/// one they go back to), with what they saved.
pub async fn show(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<ApplyParams>,
) -> Response {
    let result = async {
        let user = citizen(&ctx)?;
        let code = code.trim();
        state.store.procedure_shared(code).await?.ok_or(AppError::NotFound)?;
        let draft = state.store.form_draft(user.id, code).await?;
        let step = shown_step(params.step.as_deref(), draft.as_ref());
        let mut values: HashMap<String, String> =
            draft.as_ref().map(|d| d.fields.clone().into_iter().collect()).unwrap_or_default();
        if let Some(q) = params.agency_q {
            values.insert("agency_q".into(), q.chars().take(MAX_FIELD_CHARS).collect());
        }
        let notice = params.saved.is_some().then(|| ctx.tr.t("apply-saved"));
        let saved_at = draft.as_ref().map(|d| d.updated_at);
        render_step(&ctx, &state, code, step, FormState::with_values(values), saved_at, notice, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}

/// The fields of `step` in a posted form, bounded.
fn posted_step_fields(step: &str, posted: &HashMap<String, String>) -> BTreeMap<String, String> {
    step_fields(step)
        .iter()
        .filter_map(|k| posted.get(*k).map(|v| (k.to_string(), v.chars().take(MAX_FIELD_CHARS).collect())))
        .collect()
}

/// What is wrong with the answers of `step` (empty when they are right).
async fn step_errors(
    state: &AppState,
    code: &str,
    step: &str,
    fields: &BTreeMap<String, String>,
) -> Result<Vec<FieldError>, AppError> {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut errors = vec![];
    match step {
        "agency" => errors.extend(service::agency_error(state, Some(code), &get("agency_code")).await?),
        "applicant" => {
            let a = ApplicantInput {
                full_name: get("full_name"),
                id_number: get("id_number"),
                phone: get("phone"),
                address: get("address"),
            };
            service::parse_applicant(&a, &mut errors);
        }
        "delivery" => {
            let d = get("delivery");
            if !matches!(d.trim(), "online" | "post" | "in_person") {
                errors.push(FieldError::new(
                    "delivery",
                    if d.trim().is_empty() { "required" } else { "delivery_choice" },
                ));
            }
        }
        _ => {}
    }
    Ok(errors)
}

/// Saves the fields of `step` posted by `user` into their draft for `code` (the step saved is
/// `at`). Returns the draft's fields after the merge.
pub async fn save_step(
    state: &AppState,
    user: &User,
    code: &str,
    step: &str,
    at: &str,
    posted: &HashMap<String, String>,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut fields = state.store.form_draft(user.id, code).await?.map(|d| d.fields).unwrap_or_default();
    fields.extend(posted_step_fields(step, posted));
    state.store.save_form_draft(user.id, code, at, &fields).await?;
    Ok(fields)
}

/// `POST /procedures/{code}/apply`: saves the step posted and goes on (`go=next`), back
/// (`go=back`), stays (`go=save`; `go=autosave` answers 204 for the script), or discards the
/// draft (`go=discard`). After the last step the dossier draft is created and the person goes
/// to its page for the documents.
pub async fn post(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    let code = code.trim().to_string();
    let step = fields.get("step").and_then(|s| step_index(s)).map_or(STEPS[0], |i| STEPS[i]);
    let go = fields.get("go").map_or("next", String::as_str);
    if let Err(e) = ctx.check_csrf(&fields) {
        // A tab older than the latest sign-in (which renewed the token) posts a stale token:
        // nothing is saved, but what it typed comes back on its step to be sent again.
        if ctx.user.as_ref().is_some_and(|u| u.role == Role::Citizen) && !matches!(go, "autosave" | "discard") {
            if let Ok(Some(_)) = state.store.procedure_shared(&code).await {
                let form = FormState::with_values(posted_step_fields(step, &fields).into_iter().collect());
                let notice = Some(ctx.tr.t("apply-resend"));
                return render_step(&ctx, &state, &code, step, form, None, notice, StatusCode::FORBIDDEN)
                    .await
                    .unwrap_or_else(|e| ctx.error(e));
            }
        }
        return ctx.error(e);
    }
    if ctx.user.is_none() {
        return match go {
            // The script's autosave saved nothing: said so, the sign-in page is for people.
            "autosave" => (ctx.jar.clone(), StatusCode::UNAUTHORIZED).into_response(),
            // A discard has nothing to keep: sign in, and the draft is there to discard.
            "discard" => ctx.error(AppError::Unauthorized),
            // The session ended while the person typed: keep what they typed through the sign-in.
            _ => super::account::login_carrying(&ctx, &state, &code, &fields).await,
        };
    }
    let result = async {
        let user = citizen(&ctx)?;
        state.store.procedure_shared(&code).await?.ok_or(AppError::NotFound)?;
        let i = step_index(step).unwrap_or(0);
        if go == "discard" {
            state.store.delete_form_draft(user.id, &code).await?;
            return Ok(ctx.redirect(&format!("/procedures/{code}?done=discarded")));
        }
        // A step never moves the saved position backwards past what was reached: going back
        // to fix something keeps the later answers and the later step.
        let reached = state.store.form_draft(user.id, &code).await?.and_then(|d| step_index(&d.step)).unwrap_or(0);
        let at = |j: usize| STEPS[j.max(reached).min(STEPS.len() - 1)];
        match go {
            "back" => {
                save_step(&state, &user, &code, step, at(i), &fields).await?;
                let prev = STEPS[i.saturating_sub(1)];
                Ok(ctx.redirect(&format!("/procedures/{code}/apply?step={prev}")))
            }
            "save" | "autosave" => {
                save_step(&state, &user, &code, step, at(i), &fields).await?;
                if go == "autosave" {
                    return Ok((ctx.jar.clone(), StatusCode::NO_CONTENT).into_response());
                }
                Ok(ctx.redirect(&format!("/procedures/{code}/apply?step={step}&saved=1")))
            }
            _ => {
                let draft = state.store.form_draft(user.id, &code).await?;
                let had_draft = draft.is_some();
                let mut saved = draft.map(|d| d.fields).unwrap_or_default();
                saved.extend(posted_step_fields(step, &fields));
                let errors = step_errors(&state, &code, step, &saved).await?;
                let ok = errors.is_empty();
                if ok && i + 1 == STEPS.len() {
                    return finish(&ctx, &state, &user, &code, saved, had_draft).await;
                }
                state.store.save_form_draft(user.id, &code, at(if ok { i + 1 } else { i }), &saved).await?;
                if !ok {
                    let mut form = FormState::with_values(saved.into_iter().collect());
                    form.add_error(&ctx.tr, &AppError::Invalid(errors), field_id);
                    return render_step(&ctx, &state, &code, step, form, None, None, StatusCode::UNPROCESSABLE_ENTITY)
                        .await;
                }
                Ok(ctx.redirect(&format!("/procedures/{code}/apply?step={}", STEPS[i + 1])))
            }
        }
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}

/// How long after a dossier draft is made from the steps a repeated post of the last step
/// (a double click, a second tab) is taken for the same one.
const REPEAT_WINDOW_SECONDS: i64 = 60;

/// Creates the dossier draft from every saved answer, deletes the form draft and goes to the
/// dossier's page (step 4, documents). An answer that is no longer right (an agency that
/// stopped receiving the procedure, say) takes the person back to its step, answers kept.
///
/// The form draft is marked first: of two posts of the last step at once (a double click, two
/// tabs), only the one that marked it makes a dossier draft; the other, and a repeat just
/// after, go to the dossier draft just made (or to "My dossiers") instead of making a second
/// one or showing the steps again, emptied.
async fn finish(
    ctx: &Ctx,
    state: &AppState,
    user: &User,
    code: &str,
    saved: BTreeMap<String, String>,
    had_draft: bool,
) -> Result<Response, AppError> {
    let window = chrono::Duration::seconds(REPEAT_WINDOW_SECONDS);
    if !state.store.begin_finishing_form_draft(user.id, code, window).await? {
        let since = chrono::Utc::now() - window;
        let recent = state.store.dossiers_of_owner(user.id, 5).await?.into_iter().find(|d| {
            d.status == motcua_core::dossier::Status::Draft && d.procedure_code == code && d.created_at > since
        });
        if let Some(d) = recent {
            return Ok(ctx.redirect(&format!("/dossiers/{}?done=created", d.id)));
        }
        if had_draft {
            return Ok(ctx.redirect("/dossiers"));
        }
    }
    let get = |k: &str| saved.get(k).cloned().unwrap_or_default();
    let input = super::form::dossier_input(code, "", get);
    match service::create_draft(state, user, &input).await {
        Ok(d) => {
            state.store.delete_form_draft(user.id, code).await?;
            Ok(ctx.redirect(&format!("/dossiers/{}?done=created", d.id)))
        }
        Err(AppError::Invalid(errors)) => show_invalid(ctx, state, user, code, saved, errors).await,
        Err(e) => {
            // Nothing made: the answers go back where they were.
            if let Err(save) = state.store.save_form_draft(user.id, code, STEPS[STEPS.len() - 1], &saved).await {
                tracing::warn!(error = %save, "could not put a form draft back");
            }
            Err(e)
        }
    }
}

/// Answers that did not make a dossier draft: saved in the form draft, and the earliest step
/// with an error shown with its errors and every answer kept.
pub async fn show_invalid(
    ctx: &Ctx,
    state: &AppState,
    user: &User,
    code: &str,
    saved: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let step = errors.iter().map(|e| step_of(&e.field)).min_by_key(|s| step_index(s)).unwrap_or("agency");
    state.store.save_form_draft(user.id, code, step, &saved).await?;
    let mut form = FormState::with_values(saved.into_iter().collect());
    let errors = errors.into_iter().filter(|e| step_of(&e.field) == step).collect();
    form.add_error(&ctx.tr, &AppError::Invalid(errors), field_id);
    render_step(ctx, state, code, step, form, None, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Every answer of every step in a posted one-page form, bounded.
pub fn posted_answers(posted: &HashMap<String, String>) -> BTreeMap<String, String> {
    STEPS.iter().flat_map(|s| posted_step_fields(s, posted)).collect()
}

/// After a sign-in that carried a step typed when the session had ended: saves it for
/// `user` (citizens only) and returns where to go, the step it was typed on. `None` when
/// nothing usable was carried.
pub async fn restore_carried(state: &AppState, user: &User, carried: &HashMap<String, String>) -> Option<String> {
    if user.role != Role::Citizen {
        return None;
    }
    // Typed under another account's ended session: not saved into this one.
    if carried.get("for").is_some_and(|owner| owner.trim() != user.id.to_string()) {
        return None;
    }
    let code = carried.get("procedure")?.trim().to_string();
    let step = carried.get("step").and_then(|s| step_index(s)).map(|i| STEPS[i])?;
    state.store.procedure_shared(&code).await.ok()??;
    let reached = state.store.form_draft(user.id, &code).await.ok()?.and_then(|d| step_index(&d.step)).unwrap_or(0);
    let at = STEPS[step_index(step).unwrap_or(0).max(reached)];
    save_step(state, user, &code, step, at, carried).await.ok()?;
    Some(format!("/procedures/{}/apply?step={step}&saved=1", url_encode(&code)))
}

/// The fields a sign-in page may carry for the step posted (the step's fields, the step and
/// the procedure), so nothing else rides through the sign-in form.
pub fn carried_fields(code: &str, posted: &HashMap<String, String>) -> Vec<(String, String)> {
    let step = posted.get("step").and_then(|s| step_index(s)).map_or(STEPS[0], |i| STEPS[i]);
    let mut out = vec![("procedure".to_string(), code.to_string()), ("step".to_string(), step.to_string())];
    out.extend(posted_step_fields(step, posted));
    out
}

/// Where a sign-in that carries a step comes back to.
pub fn carried_next(code: &str) -> String {
    safe_next(Some(&format!("/procedures/{}/apply", url_encode(code)))).unwrap_or_else(|| "/".into())
}
