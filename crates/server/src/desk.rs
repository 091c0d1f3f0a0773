//! The officials' desk (issue 5, item 4): the queue of an agency or of one official, filtered
//! and sorted, with its counts; bulk receive and bulk forward. Shared by the API and pages.

use crate::error::{AppError, AppResult};
use crate::service::{self, ActionInput};
use crate::AppState;
use chrono::{DateTime, Utc};
use motcua_core::dossier::Status;
use motcua_store::accounts::{Role, User};
use motcua_store::dossiers::{DeskCounts, Dossier, QueueFilter, QueueSort};
use serde::{Deserialize, Serialize};

/// Most dossiers a bulk action takes at once.
pub const BULK_MAX: usize = 200;

/// The queue's query, as given (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeskParams {
    /// An agency the official serves; their own agency when absent.
    pub agency: Option<String>,
    /// Statuses, comma-separated; those in progress when absent.
    pub status: Option<String>,
    /// A procedure code.
    pub procedure: Option<String>,
    /// A step id of the routes.
    pub step: Option<String>,
    /// `soon` (received, less than one working day left), `overdue`, or `waiting` (on the
    /// applicant's supplement).
    pub due: Option<String>,
    /// `1`/`true`: only the dossiers assigned to the caller.
    pub mine: Option<String>,
    /// `due` (default), `submitted` or `updated`.
    pub sort: Option<String>,
    /// 1-based page (1–100,000), as text: a malformed one is a 422 naming it.
    pub page: Option<String>,
    /// Page size (1–1000); `limit` is the same.
    pub per_page: Option<String>,
    pub limit: Option<String>,
}

/// Most pages a queue is paged to (100,000 × 1,000 rows is far past any backlog).
const MAX_PAGE: i64 = 100_000;

/// Parses a whole-number parameter; absent or blank is `None`.
fn number(field: &str, v: &Option<String>) -> AppResult<Option<i64>> {
    match some(v) {
        None => Ok(None),
        Some(t) => t.parse::<i64>().map(Some).map_err(|_| AppError::invalid(field, "whole_number")),
    }
}

/// A page of the queue with its counts.
#[derive(Debug, Clone, Serialize)]
pub struct DeskQueue {
    pub agency_code: String,
    pub items: Vec<Dossier>,
    /// How many match the filter in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub counts: DeskCounts,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The agency whose queue `user` asks for: one they serve.
async fn desk_agency(state: &AppState, user: &User, asked: Option<&str>) -> AppResult<String> {
    if user.role != Role::Official {
        return Err(AppError::Forbidden("err-officials-only"));
    }
    let duties = state.store.duties(user).await?;
    let home = user.agency_code.clone().or_else(|| duties.recorded.first().map(|(a, _)| a.clone()));
    match asked.map(str::to_string).or(home) {
        Some(a) if duties.serves(&a) => Ok(a),
        Some(_) => Err(AppError::invalid("agency", "agency_not_served")),
        None => Err(AppError::Forbidden("err-officials-only")),
    }
}

/// One working day from `now` at `agency`: "due soon" is before it (LEGAL-TIME.md).
async fn one_working_day_from(state: &AppState, agency: &str, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let hours = service::agency_hours(state, agency).await?;
    let cal = state.calendar();
    let at = motcua_core::legal_time::add_working_time(cal.as_ref(), &hours, now, hours.minutes_per_day() * 60)
        .map_err(|e| AppError::Internal(format!("one working day from {now}: {e}")))?;
    // The clock counts whole seconds; keep `now`'s fraction so that a dossier received in this
    // same second, due exactly one working day after its receipt, is due soon.
    Ok(at + chrono::Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos())))
}

/// The queue page `p` asks for. `default_per_page` applies when it names none.
///
/// # Errors
/// 403 for anyone but an official; 422 naming the parameter for an unknown status, due
/// filter, sort or an agency the official does not serve.
pub async fn queue(state: &AppState, user: &User, p: &DeskParams, default_per_page: i64) -> AppResult<DeskQueue> {
    let agency = desk_agency(state, user, some(&p.agency)).await?;
    let now = Utc::now();
    let soon = one_working_day_from(state, &agency, now).await?;
    let mut f = QueueFilter {
        procedure_code: some(&p.procedure).map(str::to_string),
        step: some(&p.step).map(str::to_string),
        ..QueueFilter::default()
    };
    if let Some(step) = &f.step {
        if !state.routes.routes().iter().any(|r| r.step(step).is_some()) {
            return Err(AppError::invalid("step", "step_unknown"));
        }
    }
    if let Some(s) = some(&p.status) {
        f.statuses = s
            .split(',')
            .map(|x| {
                Status::parse(x.trim())
                    .filter(|s| *s != Status::Draft)
                    .ok_or_else(|| AppError::invalid("status", "status_choice"))
            })
            .collect::<AppResult<Vec<_>>>()?;
    }
    match some(&p.due) {
        None => {}
        // The clock runs between receipt and decision, and not while waiting on the applicant.
        Some("soon") => (f.statuses, f.due_from, f.due_before) = (vec![Status::Received], Some(now), Some(soon)),
        Some("overdue") => (f.statuses, f.due_before) = (vec![Status::Received], Some(now)),
        Some("waiting") => f.statuses = vec![Status::SupplementRequested],
        Some(_) => return Err(AppError::invalid("due", "due_choice")),
    }
    if matches!(some(&p.mine), Some("1" | "true" | "on")) {
        f.assignee_id = Some(user.id);
    }
    f.sort = match some(&p.sort) {
        None | Some("due") => QueueSort::Due,
        Some("submitted") => QueueSort::Submitted,
        Some("updated") => QueueSort::Updated,
        Some(_) => return Err(AppError::invalid("sort", "sort_choice")),
    };
    let per_page =
        number("per_page", &p.per_page)?.or(number("limit", &p.limit)?).unwrap_or(default_per_page).clamp(1, 1000);
    let page = number("page", &p.page)?.unwrap_or(1).clamp(1, MAX_PAGE);
    (f.limit, f.offset) = (per_page, (page - 1) * per_page);
    let counts = state.store.desk_counts(&agency, now, soon).await?;
    let unfiltered = f.statuses.is_empty()
        && f.procedure_code.is_none()
        && f.step.is_none()
        && f.due_before.is_none()
        && f.assignee_id.is_none();
    if unfiltered {
        f.known_total = Some(counts.by_status.iter().filter(|(s, _)| !s.is_final()).map(|(_, n)| n).sum());
    }
    let result = state.store.agency_queue(&agency, &f).await?;
    Ok(DeskQueue { agency_code: agency, items: result.items, total: result.total, page, per_page, counts })
}

/// A bulk action's input: `receive` or `forward` on up to [`BULK_MAX`] dossiers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BulkInput {
    pub action: String,
    /// Dossier ids or codes.
    pub dossiers: Vec<String>,
    pub target: Option<String>,
    pub assignee: Option<String>,
}

/// What happened to one dossier of a bulk action: each is its own transaction, so one
/// refusal (a 409 for a dossier another official took meanwhile) never undoes the others.
#[derive(Debug, Clone, Serialize)]
pub struct BulkResult {
    pub dossier: String,
    /// The HTTP status the single action would have had.
    pub status: u16,
    /// The dossier's code once acted on.
    pub code: Option<String>,
    /// Why it failed, in `lang`.
    pub detail: Option<String>,
}

/// Takes `receive` or `forward` on each listed dossier in turn.
///
/// # Errors
/// 422 for another action, no dossier or more than [`BULK_MAX`]; 403 for non-officials.
pub async fn bulk(
    state: &AppState,
    user: &User,
    input: &BulkInput,
    tr: &crate::i18n::Tr,
) -> AppResult<Vec<BulkResult>> {
    if user.role != Role::Official {
        return Err(AppError::Forbidden("err-officials-only"));
    }
    let action = input.action.trim();
    if !matches!(action, "receive" | "forward") {
        return Err(AppError::invalid("action", if action.is_empty() { "required" } else { "bulk_action" }));
    }
    let refs: Vec<&str> = input.dossiers.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if refs.is_empty() {
        return Err(AppError::invalid("dossiers", "required"));
    }
    if refs.len() > BULK_MAX {
        return Err(AppError::invalid("dossiers", "too_many"));
    }
    let one = ActionInput {
        action: action.to_string(),
        target: input.target.clone(),
        assignee: input.assignee.clone(),
        ..ActionInput::default()
    };
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        out.push(match service::act(state, user, r, &one).await {
            Ok(d) => BulkResult { dossier: r.to_string(), status: 200, code: d.code, detail: None },
            Err(e @ AppError::Unavailable) | Err(e @ AppError::Internal(_)) => return Err(e),
            Err(e) => {
                let detail = match &e {
                    AppError::Invalid(fields) => {
                        fields.iter().map(|f| AppError::field_message(tr, f)).collect::<Vec<_>>().join("; ")
                    }
                    other => other.detail(tr),
                };
                BulkResult { dossier: r.to_string(), status: e.status().as_u16(), code: None, detail: Some(detail) }
            }
        });
    }
    Ok(out)
}
