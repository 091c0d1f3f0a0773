//! A dossier on its processing route (issue 5): which route it follows, which agency performs
//! each step, what an official may do now, where each action leads, assignment, the apology
//! with a new appointment (form 04), and the time spent at each step against its budget.
//!
//! The route decides (`motcua_core::route`); this module joins it to the stored dossier and
//! the official's duties. Every change is then written by `Store::apply_change_returning` in one
//! transaction with its history entry, against the version read here (a concurrent change
//! makes it a 409 and changes nothing).

use crate::error::{AppError, AppResult, FieldError};
use crate::service::{compute_due, explanation_json, ActionInput};
use crate::AppState;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use motcua_core::agency::Agency;
use motcua_core::calendar::{vietnam, WorkingHours};
use motcua_core::catalogue::Level;
use motcua_core::dossier::{Action, Status};
use motcua_core::legal_time::{working_time_between, ClockUnit, VietnamCalendar};
use motcua_core::route::{self, Role, Route, RouteError, RouteState, Step};
use motcua_store::accounts::User;
use motcua_store::dossiers::{Change, Dossier, HistoryEntry};
use motcua_store::officials::Duties;
use serde::Serialize;
use serde_json::json;

/// A dossier's route with what places its steps: the receiving agency and the procedure's
/// agency kinds.
pub struct Routing<'a> {
    pub route: &'a Route,
    pub receiving: Agency,
    pub kinds: Vec<String>,
}

impl Routing<'_> {
    /// The agency performing `step` (the receiving agency when the step's agency cannot be
    /// placed, e.g. a kind with no agency in the receiving unit).
    pub fn agency_of(&self, step: &Step) -> String {
        step.agency.resolve(&self.receiving, &self.kinds).unwrap_or_else(|| self.receiving.code.clone())
    }

    /// The agency performing the step `id`.
    pub fn agency_of_id(&self, id: &str) -> Option<String> {
        self.route.step(id).map(|s| self.agency_of(s))
    }

    /// Where the dossier stands: its stored step, or for a dossier submitted before routes
    /// existed, the receive step (before receipt) or the step receipt leads to.
    pub fn state(&self, d: &Dossier) -> Option<RouteState> {
        let received = d.received_at.is_some();
        let fallback = || {
            let receive = self.route.receive_step();
            match receive.rule(route::Action::Receive) {
                Some(rule) if received => rule.targets.first().cloned(),
                _ => Some(receive.id.clone()),
            }
        };
        let step = d.step.clone().filter(|s| self.route.step(s).is_some()).or_else(fallback);
        RouteState::of(d.status, step.as_deref(), received)
    }

    /// True when `duties` perform `step` (its role in its agency).
    pub fn performs(&self, duties: &Duties, step: &Step) -> bool {
        duties.holds(&self.agency_of(step), step.role)
    }
}

/// The route a dossier follows: the one recorded at submission, else the route naming its
/// procedure, else the default route of the receiving agency's level (a ministry or other
/// agency takes the province's).
pub fn route_for<'a>(state: &'a AppState, d: &Dossier, level: Level) -> AppResult<&'a Route> {
    let routes = state.routes.as_ref();
    d.route_id
        .as_deref()
        .and_then(|id| routes.get(id))
        .or_else(|| routes.route_for(&d.procedure_code, level))
        .or_else(|| routes.route_for(&d.procedure_code, Level::Province))
        .ok_or_else(|| AppError::Internal(format!("no route for {} at level {level:?}", d.procedure_code)))
}

/// Loads what places the steps of `d`'s route.
pub async fn routing<'a>(state: &'a AppState, d: &Dossier) -> AppResult<Routing<'a>> {
    let receiving = state
        .store
        .agency(&d.agency_code)
        .await?
        .ok_or_else(|| AppError::Internal(format!("agency {} of {} is gone", d.agency_code, d.id)))?;
    let kinds =
        state.store.procedure_shared(&d.procedure_code).await?.map(|p| p.agency_kinds.clone()).unwrap_or_default();
    let route = route_for(state, d, receiving.level)?;
    Ok(Routing { route, receiving, kinds })
}

/// True when an official with `duties` may see `d`: they serve its receiving agency or the
/// agency performing its current step.
pub fn official_sees(duties: &Duties, d: &Dossier) -> bool {
    duties.serves(&d.agency_code) || d.step_agency_code.as_deref().is_some_and(|a| duties.serves(a))
}

fn route_error(e: RouteError) -> AppError {
    match e {
        RouteError::WrongRole { .. } => AppError::Conflict("err-action-not-for-step-role"),
        RouteError::TargetRequired { .. } => AppError::invalid("target", "required"),
        RouteError::UnknownTarget { .. } => AppError::invalid("target", "target_unknown"),
        RouteError::TargetNotExpected { .. } => AppError::invalid("target", "target_not_expected"),
        RouteError::UnknownStep(_)
        | RouteError::NotAllowed { .. }
        | RouteError::NotReceived { .. }
        | RouteError::AwaitingSupplement { .. }
        | RouteError::NotAwaitingSupplement
        | RouteError::Ended => AppError::Conflict("err-action-not-allowed"),
    }
}

/// True when `duties` hold a supervising role (leader or agency administrator) in `agency`:
/// they may act on a step assigned to someone else and (re)assign it.
fn supervises(duties: &Duties, agency: &str) -> bool {
    duties.holds(agency, Role::Leader) || duties.holds(agency, Role::AgencyAdmin)
}

/// The official actions the caller may take on `d` now, in the order the API lists them.
pub fn allowed(r: &Routing<'_>, d: &Dossier, duties: &Duties, user: &User) -> Vec<&'static str> {
    let Some(state) = r.state(d) else { return vec![] };
    let holds = |s: &Step| r.performs(duties, s);
    let step_agency = d.step_agency_code.clone().unwrap_or_else(|| d.agency_code.clone());
    if d.assignee_id.is_some_and(|a| a != user.id) && !supervises(duties, &step_agency) {
        return vec![];
    }
    let mut out: Vec<&'static str> = route::Action::ALL
        .into_iter()
        .filter(|a| r.route.plan(&state, *a, None, &holds).is_ok())
        .map(route::Action::as_str)
        .collect();
    if may_apologise(d, duties) {
        out.push(Action::Apologise.as_str());
    }
    if !state.is_final() && supervises(duties, &step_agency) {
        out.push(Action::Assign.as_str());
    }
    out
}

/// An apology is for a received dossier still in the agency's hands, issued by its receiving
/// desk or by the agency performing the current step.
fn may_apologise(d: &Dossier, duties: &Duties) -> bool {
    d.received_at.is_some()
        && matches!(d.status, Status::Received | Status::SupplementRequested | Status::Approved)
        && (duties.holds(&d.agency_code, Role::ReceivingDesk)
            || d.step_agency_code.as_deref().is_some_and(|a| duties.serves(a)))
}

/// Parses a new appointment: `YYYY-MM-DD` (the end of that day's working hours, Vietnam
/// time) or an RFC 3339 instant.
fn parse_appointment(s: &str, hours: &WorkingHours) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()?;
    let close: NaiveTime = hours.close();
    vietnam().from_local_datetime(&date.and_time(close)).single().map(|t| t.with_timezone(&Utc))
}

fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An official's action on a dossier they can see.
pub async fn official_act(
    state: &AppState,
    user: &User,
    duties: &Duties,
    d: &Dossier,
    action: Action,
    input: &ActionInput,
    reason: Option<&str>,
) -> AppResult<(Dossier, HistoryEntry)> {
    let r = routing(state, d).await?;
    let now = Utc::now();
    let step_agency = d.step_agency_code.clone().unwrap_or_else(|| d.agency_code.clone());
    let mut change = Change::keeping(d, action, user, now);
    change.reason = reason;
    match action {
        Action::Apologise => return apologise(state, d, duties, change, input).await,
        Action::Assign => {
            let state_now = r.state(d).ok_or(AppError::Conflict("err-action-not-allowed"))?;
            if state_now.is_final() {
                return Err(AppError::Conflict("err-action-not-allowed"));
            }
            if !supervises(duties, &step_agency) {
                return Err(AppError::Conflict("err-action-not-for-step-role"));
            }
            let step = state_now.step().and_then(|s| r.route.step(s));
            let assignee = assignee(state, &r, step, trimmed(&input.assignee)).await?;
            change.assignee_id = assignee.as_ref().map(|u| u.id);
            change.detail =
                Some(json!({ "assignee": assignee.map(|u| json!({"username": u.username, "name": u.full_name})) }));
            return Ok(state.store.apply_change_returning(d, &change).await?);
        }
        _ => {}
    }
    let ra = action.route_action().ok_or(AppError::Forbidden("err-action-not-for-role"))?;
    let current = r.state(d).ok_or(AppError::Conflict("err-action-not-allowed"))?;
    if d.assignee_id.is_some_and(|a| a != user.id) && !supervises(duties, &step_agency) {
        return Err(AppError::Conflict("err-assigned-to-other"));
    }
    let holds = |s: &Step| r.performs(duties, s);
    let hops = r.route.plan(&current, ra, trimmed(&input.target), &holds).map_err(route_error)?;
    let last = hops.last().map(|h| h.to.clone()).unwrap_or(current);
    change.to = r.route.status_of(&last);
    let new_step = last.step().map(str::to_string);
    let new_agency = new_step.as_deref().and_then(|s| r.agency_of_id(s));
    change.step = new_step.as_deref();
    change.step_agency_code = new_agency.as_deref();
    // A step reached anew goes to its role pool unless a named official is given.
    if change.step != d.step.as_deref() {
        let target_step = new_step.as_deref().and_then(|s| r.route.step(s));
        let named = match trimmed(&input.assignee) {
            Some(name) if matches!(ra, route::Action::Forward | route::Action::SendBack | route::Action::Receive) => {
                assignee(state, &r, target_step, Some(name)).await?
            }
            Some(_) => return Err(AppError::invalid("assignee", "assignee_not_expected")),
            None => None,
        };
        change.assignee_id = named.map(|u| u.id);
    }
    let mut detail = serde_json::Map::new();
    if hops.len() > 1 {
        let passed: Vec<_> = hops[..hops.len() - 1]
            .iter()
            .map(|h| json!({"step": h.step, "action": h.action.as_str(), "to": h.to.step()}))
            .collect();
        detail.insert("passed".into(), passed.into());
    }
    if let Some(basis) = trimmed(&input.legal_basis) {
        if ra != route::Action::Refuse {
            return Err(AppError::invalid("legal_basis", "legal_basis_not_expected"));
        }
        let basis = motcua_core::values::clean_text("legal_basis", basis, 1000, false)
            .map_err(|e| AppError::Invalid(vec![e.into()]))?;
        detail.insert("legal_basis".into(), basis.into());
    }
    if let Some(a) = change.assignee_id.filter(|_| change.step != d.step.as_deref()) {
        detail.insert("assignee_id".into(), a.into());
    }
    change.detail = (!detail.is_empty()).then_some(serde_json::Value::Object(detail));

    // The clock and the dates each action fixes.
    let cal = state.calendar();
    let hours = crate::service::agency_hours(state, &d.agency_code).await?;
    let mut result_doc = None;
    match ra {
        route::Action::Receive => {
            change.set_received = true;
            let comp = compute_due(&cal, &hours, d, now, &[], now)?;
            (change.due_at, change.due_explanation) = (Some(comp.due_at), Some(explanation_json(&comp.explanation)));
        }
        route::Action::RequestSupplement => {
            change.open_pause = Some("supplement");
            change.resume_status = Some(d.status);
        }
        route::Action::Refuse => {
            change.set_decided = true;
            // A refusal while waiting on the applicant ends that pause too.
            change.close_pause = d.status == Status::SupplementRequested;
        }
        route::Action::ReturnResult => change.set_returned = true,
        _ => {}
    }
    // The result document: named with approve or sign, and needed by the time the result is
    // ready to return (the foundation's approve needs one).
    if let Some(id) = trimmed(&input.document_id) {
        if !matches!(ra, route::Action::Approve | route::Action::Sign) {
            return Err(AppError::invalid("document_id", "document_not_expected"));
        }
        match state.store.document(&d.id, id).await? {
            Some(doc) if doc.kind == "result" => result_doc = Some(doc.id),
            _ => return Err(AppError::invalid("document_id", "not_a_result_document")),
        }
    }
    if change.to == Status::Approved && d.status != Status::Approved {
        if result_doc.is_none() && d.result_document_id.is_none() {
            return Err(AppError::invalid("document_id", "required"));
        }
        change.set_decided = true;
    }
    change.result_document_id = result_doc.as_deref();
    Ok(state.store.apply_change_returning(d, &change).await?)
}

/// The official named to take a step: must perform it. `None` for the role pool.
async fn assignee(
    state: &AppState,
    r: &Routing<'_>,
    step: Option<&Step>,
    username: Option<&str>,
) -> AppResult<Option<User>> {
    let Some(name) = username else { return Ok(None) };
    let user =
        state.store.user_by_username(name).await?.ok_or_else(|| AppError::invalid("assignee", "assignee_unknown"))?;
    let duties = state.store.duties(&user).await?;
    match step {
        Some(s) if r.performs(&duties, s) => Ok(Some(user)),
        _ => Err(AppError::invalid("assignee", "assignee_not_for_step")),
    }
}

/// Form 04: the apology with a new appointment. Needs a reason and a new appointment later
/// than the current one; the due instant for the indices stays (LEGAL-TIME.md).
async fn apologise(
    state: &AppState,
    d: &Dossier,
    duties: &Duties,
    mut change: Change<'_>,
    input: &ActionInput,
) -> AppResult<(Dossier, HistoryEntry)> {
    if !may_apologise(d, duties) {
        return Err(if d.received_at.is_none() || d.status.is_final() {
            AppError::Conflict("err-action-not-allowed")
        } else {
            AppError::Conflict("err-action-not-for-step-role")
        });
    }
    let hours = crate::service::agency_hours(state, &d.agency_code).await?;
    let raw = trimmed(&input.new_appointment).ok_or_else(|| AppError::invalid("new_appointment", "required"))?;
    let at =
        parse_appointment(raw, &hours).ok_or_else(|| AppError::invalid("new_appointment", "appointment_format"))?;
    let current = d.appointment_at.or(d.due_at);
    let now = Utc::now();
    if current.is_some_and(|c| at <= c) || at <= now {
        return Err(AppError::Invalid(vec![FieldError::new("new_appointment", "appointment_not_later")]));
    }
    // A new appointment is a promise for a working day, within a year: a typo of a year far
    // ahead would otherwise stand, since a later apology can only move it later still.
    let limit = current.unwrap_or(now).max(now) + chrono::Duration::days(366);
    if at > limit {
        return Err(AppError::invalid("new_appointment", "appointment_too_far"));
    }
    let local_day = at.with_timezone(&vietnam()).date_naive();
    if !motcua_core::calendar::WorkingCalendar::is_working_day(state.calendar().as_ref(), local_day) {
        return Err(AppError::invalid("new_appointment", "appointment_day_off"));
    }
    change.appointment_at = Some(at);
    change.detail = Some(json!({"form": "04", "new_appointment": at, "previous_appointment": current}));
    Ok(state.store.apply_change_returning(d, &change).await?)
}

/// The time a dossier spent at one step, against the step's budget.
#[derive(Debug, Clone, Serialize)]
pub struct StepTime {
    pub step: String,
    pub name_vi: String,
    pub name_en: String,
    pub agency_code: String,
    pub entered_at: DateTime<Utc>,
    /// `None` while the dossier is still there.
    pub left_at: Option<DateTime<Utc>>,
    /// Working hours spent there, not counting time waiting on the applicant.
    pub spent_working_hours: f64,
    /// The step's budget in working hours (a share of the statutory time converted with
    /// the receiving agency's daily hours); `None` when the step has none.
    pub budget_working_hours: Option<f64>,
    pub over_budget: bool,
}

/// The steps a dossier passed, from its history, each with the working time spent there
/// (the receiving agency's working hours and the national calendar) and its budget.
pub fn step_times(
    r: &Routing<'_>,
    d: &Dossier,
    history: &[HistoryEntry],
    cal: &VietnamCalendar,
    hours: &WorkingHours,
    now: DateTime<Utc>,
) -> Vec<StepTime> {
    let per_day = hours.minutes_per_day() as f64 / 60.0;
    let statutory = d.time_value.map(|v| {
        let unit = d.time_unit.and_then(ClockUnit::from_catalogue).unwrap_or(ClockUnit::WorkingDays);
        route::statutory_working_hours(v, unit, per_day)
    });
    let secs = |a: DateTime<Utc>, b: DateTime<Utc>| working_time_between(cal, hours, a, b) as f64 / 3600.0;
    let mut out: Vec<StepTime> = Vec::new();
    // The instant from which the current step's clock counts; `None` while the dossier waits
    // on the applicant (or once it has ended).
    let mut counting_from: Option<DateTime<Utc>> = None;
    let mut open = false;
    for h in history {
        let ended = Status::parse(&h.status).is_some_and(Status::is_final);
        let waiting = h.status == Status::SupplementRequested.as_str();
        let current = out.last_mut().filter(|_| open);
        let moved =
            h.to_step.is_some() && current.as_ref().is_none_or(|c| Some(c.step.as_str()) != h.to_step.as_deref());
        if ended || waiting || moved {
            if let Some(c) = current {
                if let Some(from) = counting_from.take() {
                    c.spent_working_hours += secs(from, h.at);
                }
                if ended || moved {
                    c.left_at = Some(h.at);
                    open = false;
                }
            }
        } else if let (Some(_), None) = (current, counting_from) {
            // Back from the applicant: the step's clock runs again.
            counting_from = Some(h.at);
        }
        if moved && !ended && !waiting {
            if let Some(step) = h.to_step.as_deref().and_then(|s| r.route.step(s)) {
                out.push(StepTime {
                    step: step.id.clone(),
                    name_vi: step.name_vi.clone(),
                    name_en: step.name_en.clone(),
                    agency_code: r.agency_of(step),
                    entered_at: h.at,
                    left_at: None,
                    spent_working_hours: 0.0,
                    budget_working_hours: step.budget.zip(statutory).map(|(b, s)| b.working_hours(s)),
                    over_budget: false,
                });
                open = true;
                counting_from = Some(h.at);
            }
        }
    }
    if let (Some(c), Some(from), false) = (out.last_mut().filter(|_| open), counting_from, d.status.is_final()) {
        c.spent_working_hours += secs(from, now);
    }
    for s in &mut out {
        s.spent_working_hours = (s.spent_working_hours * 100.0).round() / 100.0;
        s.over_budget = s.budget_working_hours.is_some_and(|b| s.spent_working_hours > b + 1e-9);
    }
    out
}

/// An assisted submission (the one-stop desk, channel `in_person`): the desk official who
/// prepared the draft for a citizen present submits it and receives it on the spot, in one
/// transaction with two history entries (`submit`, then `receive`, by the official at the
/// same instant). The code is issued and the receipt instant fixed together, so the receipt
/// and appointment slip (form 01 of Circular 01/2018/TT-VPCP) handed over at the counter is
/// never for a dossier that is only submitted; the due instant runs from that receipt
/// (LEGAL-TIME.md). The receipt is planned on the route exactly as a receive at the desk
/// (`plan` from the receive step), so a route with another first step after receipt is
/// followed.
///
/// # Errors
/// 409 when the official does not perform the route's receive step (their duties changed
/// since the draft), when the draft cannot be submitted, or when a concurrent change won.
pub async fn submit_and_receive(
    state: &AppState,
    user: &User,
    duties: &Duties,
    d: &Dossier,
) -> AppResult<(Dossier, Vec<HistoryEntry>)> {
    use motcua_core::dossier::{next_status, Actor};
    let submitted = next_status(d.status, Action::Submit, Actor::Applicant, d.resume_status)
        .map_err(|_| AppError::Conflict("err-action-not-allowed"))?;
    let r = routing(state, d).await?;
    let receive = r.route.receive_step();
    if !r.performs(duties, receive) {
        return Err(AppError::Conflict("err-action-not-for-step-role"));
    }
    let receive_agency = r.agency_of(receive);
    let now = Utc::now();
    let cal = state.calendar();
    let hours = crate::service::agency_hours(state, &d.agency_code).await?;
    // Received now: the due instant is final at once, not an estimate.
    let comp = compute_due(&cal, &hours, d, now, &[], now)?;
    let explanation = explanation_json(&comp.explanation);

    let mut submit = Change::keeping(d, Action::Submit, user, now);
    submit.to = submitted;
    submit.issue_code = true;
    (submit.due_at, submit.due_explanation) = (Some(comp.due_at), Some(explanation.clone()));
    submit.route_id = Some(&r.route.id);
    submit.step = Some(&receive.id);
    submit.step_agency_code = Some(&receive_agency);
    submit.assignee_id = None;
    submit.detail = Some(json!({"channel": d.channel}));

    // The dossier as the submission leaves it, for planning the receipt.
    let mut after = d.clone();
    after.status = submitted;
    after.version = d.version + 1;
    after.route_id = Some(r.route.id.clone());
    after.step = Some(receive.id.clone());
    after.step_agency_code = Some(receive_agency.clone());
    after.assignee_id = None;
    let current = r.state(&after).ok_or(AppError::Conflict("err-action-not-allowed"))?;
    let holds = |s: &Step| r.performs(duties, s);
    let hops = r.route.plan(&current, route::Action::Receive, None, &holds).map_err(route_error)?;
    let last = hops.last().map(|h| h.to.clone()).unwrap_or(current);
    let new_step = last.step().map(str::to_string);
    let new_agency = new_step.as_deref().and_then(|s| r.agency_of_id(s));
    let mut receive_change = Change::keeping(&after, Action::Receive, user, now);
    receive_change.to = r.route.status_of(&last);
    receive_change.step = new_step.as_deref();
    receive_change.step_agency_code = new_agency.as_deref();
    receive_change.assignee_id = None;
    receive_change.set_received = true;
    (receive_change.due_at, receive_change.due_explanation) = (Some(comp.due_at), Some(explanation));
    let mut detail = serde_json::Map::new();
    detail.insert("channel".into(), json!(d.channel));
    if hops.len() > 1 {
        let passed: Vec<_> = hops[..hops.len() - 1]
            .iter()
            .map(|h| json!({"step": h.step, "action": h.action.as_str(), "to": h.to.step()}))
            .collect();
        detail.insert("passed".into(), passed.into());
    }
    receive_change.detail = Some(serde_json::Value::Object(detail));
    match state.store.apply_changes_returning(d, &[submit, receive_change]).await {
        Err(motcua_store::StoreError::Conflict(_)) => Err(AppError::Conflict("err-lost-race")),
        other => Ok(other?),
    }
}
