//! Dossier operations shared by the API and the pages: access, validation, the transition
//! table and the clock. Handlers parse the request and render; this module decides.

use crate::error::{AppError, AppResult, FieldError};
use crate::AppState;
use bytes::Bytes;
use chrono::{DateTime, NaiveTime, Utc};
use motcua_core::calendar::WorkingHours;
use motcua_core::catalogue::{Channel, TimeUnit};
use motcua_core::dossier::{allowed_actions, next_status, Action, Actor, Status, TransitionError};
use motcua_core::legal_time::{
    classify_completion, classify_progress, due, parse_working_hours, ClockPause, ClockUnit, Completion,
    DueComputation, DueRequest, Progress, VietnamCalendar,
};
use motcua_core::values::{Address, FullName, IdNumber, PhoneNumber};
use motcua_store::accounts::{Role, User};
use motcua_store::documents::{Document, NewDocument};
use motcua_store::dossiers::{Applicant, Change, Dossier, DossierRecord, HistoryEntry, NewDossier};
use motcua_store::officials::Duties;
use serde::{Deserialize, Serialize};

/// Default processing time when the catalogue gives none: 10 working days, flagged for review
/// (LEGAL-TIME.md: the agency's configured default applies; per-agency defaults come with the
/// legal-time work).
const DEFAULT_TIME: (f64, TimeUnit) = (10.0, TimeUnit::WorkingDays);

/// Largest accepted `form` object, in bytes of JSON.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Applicant details as submitted (unparsed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicantInput {
    pub full_name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

/// A new dossier as submitted (unparsed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DossierInput {
    pub procedure_code: String,
    pub agency_code: String,
    pub applicant: ApplicantInput,
    pub delivery: String,
    pub form: Option<serde_json::Value>,
    /// How it comes in: `online` (the default when absent) for a citizen's own; `in_person`
    /// for a desk official submitting for a citizen present at the one-stop desk (assisted
    /// submission; the official must hold the receiving-desk duty at `agency_code`).
    pub channel: String,
}

/// Parses the applicant, collecting every error (field names prefixed with `applicant.`).
pub fn parse_applicant(a: &ApplicantInput, errors: &mut Vec<FieldError>) -> Option<Applicant> {
    let name = FullName::parse("applicant.full_name", &a.full_name).map_err(|e| errors.push(e.into())).ok();
    let id = IdNumber::parse("applicant.id_number", &a.id_number).map_err(|e| errors.push(e.into())).ok();
    let phone = PhoneNumber::parse("applicant.phone", &a.phone).map_err(|e| errors.push(e.into())).ok();
    let address = Address::parse("applicant.address", &a.address).map_err(|e| errors.push(e.into())).ok();
    Some(Applicant {
        full_name: name?.to_string(),
        id_number: id?.to_string(),
        phone: phone?.to_string(),
        address: address?.to_string(),
    })
}

fn role_actor(u: &User) -> Option<Actor> {
    match u.role {
        Role::Citizen => Some(Actor::Applicant),
        Role::Official => Some(Actor::Official),
        Role::Admin => None,
    }
}

/// How `user` (with `duties`, for an official) relates to `d`: its applicant account, an
/// official serving its receiving agency or the agency at its current step, or nobody (then
/// the dossier is invisible: 404). Drafts are visible only to their author.
///
/// An assisted submission (`submitted_by` set) is owned by the submitting official's account
/// until the applicant claims it. That official acts as the applicant's agent only while it is
/// a draft and only while they still hold the receiving-desk duty at its agency (to upload the
/// scanned papers and submit); from submission on they are an official like any other and see
/// it only through their duties ([`crate::processing::official_sees`]), so an official never
/// sees another agency's dossiers by having typed them in.
pub fn relation(user: &User, duties: &Duties, d: &Dossier) -> Option<Actor> {
    if d.submitted_by == Some(user.id) && user.role == Role::Official {
        if d.status == Status::Draft {
            return (d.awaits_claim() && duties.holds(&d.agency_code, motcua_core::route::Role::ReceivingDesk))
                .then_some(Actor::Applicant);
        }
    } else if d.owner_id == user.id {
        return Some(Actor::Applicant);
    }
    if d.status == Status::Draft {
        return None;
    }
    match user.role {
        Role::Official if crate::processing::official_sees(duties, d) => Some(Actor::Official),
        _ => None,
    }
}

/// True when `user` acts for the applicant of `d` as `rel` says: the applicant's own account,
/// or the desk official who is preparing an assisted submission (see [`relation`]).
fn acts_as(user: &User, d: &Dossier, rel: Actor) -> bool {
    role_actor(user) == Some(rel) || (rel == Actor::Applicant && is_desk_agent(user, d))
}

/// True when `user` is the desk official preparing the assisted submission `d` (a draft).
fn is_desk_agent(user: &User, d: &Dossier) -> bool {
    user.role == Role::Official && d.submitted_by == Some(user.id) && d.awaits_claim() && d.status == Status::Draft
}

/// Loads a dossier the user may see, with the user's duties; 404 otherwise.
pub async fn visible_dossier_with(
    state: &AppState,
    user: &User,
    reference: &str,
) -> AppResult<(Dossier, Actor, Duties)> {
    let d = state.store.dossier(reference.trim()).await?.ok_or(AppError::NotFound)?;
    let duties = state.store.duties(user).await?;
    let rel = relation(user, &duties, &d).ok_or(AppError::NotFound)?;
    Ok((d, rel, duties))
}

/// Loads a dossier the user may see with its history and documents (one statement), and the
/// user's duties; 404 otherwise.
pub async fn visible_record(
    state: &AppState,
    user: &User,
    reference: &str,
) -> AppResult<(DossierRecord, Actor, Duties)> {
    let r = state.store.dossier_record(reference.trim()).await?.ok_or(AppError::NotFound)?;
    let duties = state.store.duties(user).await?;
    let rel = relation(user, &duties, &r.dossier).ok_or(AppError::NotFound)?;
    Ok((r, rel, duties))
}

/// Loads a dossier the user may see; 404 otherwise.
pub async fn visible_dossier(state: &AppState, user: &User, reference: &str) -> AppResult<(Dossier, Actor)> {
    let (d, rel, _) = visible_dossier_with(state, user, reference).await?;
    Ok((d, rel))
}

/// Creates a draft for a citizen.
pub async fn create_draft(state: &AppState, user: &User, input: &DossierInput) -> AppResult<Dossier> {
    Ok(create_draft_record(state, user, input).await?.dossier)
}

/// Creates a draft for a citizen, or an assisted submission's draft for a desk official
/// (`channel: "in_person"`); returns it with its history and documents as written.
///
/// # Errors
/// 403 for an official without `in_person` or without the receiving-desk duty at the agency,
/// and for administrators; 422 naming each bad field (`channel` when a citizen sets a channel
/// other than `online`).
pub async fn create_draft_record(state: &AppState, user: &User, input: &DossierInput) -> AppResult<DossierRecord> {
    let channel = input.channel.trim();
    let channel = if channel.is_empty() { "online" } else { channel };
    let mut errors = Vec::new();
    match (user.role, channel) {
        (Role::Citizen, "online") | (Role::Official, "in_person") => {}
        (Role::Citizen, "in_person" | "post") => errors.push(FieldError::new("channel", "channel_desk_only")),
        (Role::Citizen, _) => errors.push(FieldError::new("channel", "channel_choice")),
        // An official without a channel is where a citizen's submission was asked of them:
        // 403 as always; with another channel than in person, the channel is what is wrong.
        (Role::Official, c) if c != "online" => errors.push(FieldError::new("channel", "channel_desk_in_person")),
        _ => return Err(AppError::Forbidden("err-citizens-only")),
    }
    let assisted = channel == "in_person";
    let code = input.procedure_code.trim();
    let procedure = if code.is_empty() {
        errors.push(FieldError::new("procedure_code", "required"));
        None
    } else {
        let p = state.store.procedure_shared(code).await?;
        if p.is_none() {
            errors.push(FieldError::new("procedure_code", "unknown_procedure"));
        }
        p
    };
    let agency_code = input.agency_code.trim();
    if let Some(e) = agency_error(state, procedure.is_some().then_some(code), agency_code).await? {
        errors.push(e);
    }
    let applicant = parse_applicant(&input.applicant, &mut errors);
    let delivery = input.delivery.trim();
    if !matches!(delivery, "online" | "post" | "in_person") {
        errors.push(FieldError::new("delivery", if delivery.is_empty() { "required" } else { "delivery_choice" }));
    }
    let form = input.form.clone().unwrap_or_else(|| serde_json::json!({}));
    if !form.is_object() {
        errors.push(FieldError::new("form", "form_object"));
    } else if serde_json::to_vec(&form).map_or(0, |v| v.len()) > MAX_FORM_BYTES {
        errors.push(FieldError::new("form", "form_too_large"));
    }
    let (Some(procedure), Some(applicant), true) = (procedure, applicant, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if assisted && !state.store.duties(user).await?.holds(agency_code, motcua_core::route::Role::ReceivingDesk) {
        return Err(AppError::Forbidden("err-not-receiving-desk"));
    }
    // LEGAL-TIME.md: a bare number takes the agency's default unit; no time at all takes its
    // default value and unit; either way the dossier is flagged for review.
    let (default_value, default_unit) = agency_default_time(state, agency_code).await?;
    let catalogue_channel = if assisted { Channel::InPerson } else { Channel::Online };
    let (time, flagged) = match procedure.processing_time_for(catalogue_channel) {
        Some((value, TimeUnit::Unstated)) => ((value, default_unit), true),
        None => ((default_value, default_unit), true),
        Some(t) => (t, false),
    };
    let new = NewDossier {
        procedure_code: procedure.code.clone(),
        agency_code: agency_code.to_string(),
        owner_id: user.id,
        applicant,
        delivery: delivery.to_string(),
        form,
        time_value: Some(time.0),
        time_unit: Some(time.1),
        time_flagged: flagged,
        same_day_cutoff: procedure.same_day_cutoff.clone(),
        channel: channel.to_string(),
        submitted_by: assisted.then_some(user.id),
    };
    Ok(state.store.create_dossier_record(&new, user).await?)
}

/// What is wrong with `agency_code` as the receiving agency of procedure `code` (`None`: an
/// unknown procedure, checked elsewhere): empty (`required`), unknown (`unknown_agency`) or
/// not receiving that procedure (`agency_not_for_procedure`); `Ok(None)` when it is right.
pub async fn agency_error(state: &AppState, code: Option<&str>, agency_code: &str) -> AppResult<Option<FieldError>> {
    let agency_code = agency_code.trim();
    let key = if agency_code.is_empty() {
        "required"
    } else if state.store.agency(agency_code).await?.is_none() {
        "unknown_agency"
    } else if let Some(code) = code {
        if receives(state, agency_code, code).await? {
            return Ok(None);
        }
        "agency_not_for_procedure"
    } else {
        return Ok(None);
    };
    Ok(Some(FieldError::new("agency_code", key)))
}

/// The agencies where `user` (an official) holds the receiving-desk duty and which receive
/// procedure `code`: where they may take an assisted submission of it.
pub async fn desk_agencies_for(
    state: &AppState,
    user: &User,
    code: &str,
) -> AppResult<Vec<motcua_core::agency::Agency>> {
    let duties = state.store.duties(user).await?;
    let mut codes: Vec<String> = if duties.recorded.is_empty() {
        duties.home_agency.iter().cloned().collect()
    } else {
        duties
            .recorded
            .iter()
            .filter(|(_, r)| *r == motcua_core::route::Role::ReceivingDesk)
            .map(|(a, _)| a.clone())
            .collect()
    };
    codes.sort();
    codes.dedup();
    let mut out = Vec::new();
    for c in codes {
        if receives(state, &c, code).await? {
            if let Some(a) = state.store.agency(&c).await? {
                out.push(a);
            }
        }
    }
    Ok(out)
}

/// True when `agency_code` receives dossiers of procedure `code`: its kind is one of the
/// procedure's agency kinds in the catalogue, or the route naming the procedure has its
/// receive step at agencies of that kind (a chained procedure received at the commune whose
/// catalogue record names only the competent ministry, such as 2.000986).
async fn receives(state: &AppState, agency_code: &str, code: &str) -> AppResult<bool> {
    if state.store.agency_receives(agency_code, code).await? {
        return Ok(true);
    }
    let Some(route) = state.routes.routes().iter().find(|r| r.names_procedure(code)) else { return Ok(false) };
    let motcua_core::route::StepAgency::Kind(kind) = &route.receive_step().agency else { return Ok(false) };
    Ok(state.store.agency(agency_code).await?.is_some_and(|a| &a.kind == kind))
}

/// An agency's default processing time for procedures whose catalogue gives none: its
/// configured value and unit, else 10 working days.
pub async fn agency_default_time(state: &AppState, agency_code: &str) -> AppResult<(f64, TimeUnit)> {
    let (value, unit) = state.store.agency_default_time(agency_code).await?;
    let unit = unit
        .and_then(|u| serde_json::from_value::<TimeUnit>(serde_json::Value::String(u)).ok())
        .filter(|u| *u != TimeUnit::Unstated);
    Ok((value.unwrap_or(DEFAULT_TIME.0), unit.unwrap_or(DEFAULT_TIME.1)))
}

/// An agency's working hours: its configured periods, else the default 07:30–11:30 and
/// 13:00–17:00 (LEGAL-TIME.md).
pub async fn agency_hours(state: &AppState, agency_code: &str) -> AppResult<WorkingHours> {
    Ok(state
        .store
        .agency_working_hours(agency_code)
        .await?
        .and_then(|h| parse_working_hours(&h).ok())
        .unwrap_or_default())
}

/// The clock's unit, amount and cut-off for a dossier: the catalogue's unit (an unstated
/// unit counts as working days, flagged at creation); a procedure with a same-day cut-off
/// and at most one working day is a same-day procedure.
fn clock_terms(d: &Dossier) -> (f64, ClockUnit, Option<NaiveTime>) {
    let value = d.time_value.unwrap_or(DEFAULT_TIME.0);
    let (unit, _) = ClockUnit::resolve(d.time_unit.unwrap_or(DEFAULT_TIME.1), ClockUnit::WorkingDays);
    let cutoff = d.same_day_cutoff.as_deref().and_then(|c| NaiveTime::parse_from_str(c, "%H:%M").ok());
    match cutoff {
        Some(cut) if unit == ClockUnit::WorkingDays && value <= 1.0 => (value, ClockUnit::SameDay, Some(cut)),
        _ => (value, unit, None),
    }
}

/// The due instant of `d` received at `received_at`, with its pauses (`now` closes a running
/// one) and the explanation of how it was computed.
pub fn compute_due(
    cal: &VietnamCalendar,
    hours: &WorkingHours,
    d: &Dossier,
    received_at: DateTime<Utc>,
    pauses: &[ClockPause],
    now: DateTime<Utc>,
) -> AppResult<DueComputation> {
    let (amount, unit, cutoff) = clock_terms(d);
    due(cal, hours, &DueRequest { received_at, amount, unit, cutoff, pauses, now })
        .map_err(|e| AppError::Internal(format!("due instant of {}: {e}", d.id)))
}

/// Input of an action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionInput {
    pub action: String,
    pub reason: Option<String>,
    /// A result document (`approve`, `sign`).
    pub document_id: Option<String>,
    /// The step to go to, for `forward`, `send_back`, `approve`, `sign` where the route
    /// offers several; the first listed when absent.
    pub target: Option<String>,
    /// The username of the official the next step goes to (`forward`, `send_back`,
    /// `receive`, `assign`); the step's role pool when absent.
    pub assignee: Option<String>,
    /// The legal basis of a refusal (Decree 61/2018/NĐ-CP Art. 19: a refusal states its
    /// reasons).
    pub legal_basis: Option<String>,
    /// An apology's new appointment: `YYYY-MM-DD` (the close of that working day) or an RFC
    /// 3339 instant.
    pub new_appointment: Option<String>,
}

fn transition_error(e: TransitionError) -> AppError {
    match e {
        TransitionError::NotAllowed { .. } => AppError::Conflict("err-action-not-allowed"),
        TransitionError::WrongActor { .. } => AppError::Forbidden("err-action-not-for-role"),
    }
}

/// Takes an action on a dossier the user can see: the applicant's `submit` and `withdraw`
/// by the transition table, the officials' by the dossier's route
/// ([`crate::processing::official_act`]).
///
/// # Errors
/// 404 when the dossier is not visible; 403 for an action of the other side; 409 when the
/// dossier's state or step does not allow it, the official does not perform the step, or a
/// concurrent change won; 422 for a missing reason or a bad field.
pub async fn act(state: &AppState, user: &User, reference: &str, input: &ActionInput) -> AppResult<Dossier> {
    Ok(act_record(state, user, reference, input).await?.dossier)
}

/// Takes an action as [`act`] does; returns the dossier with its history and documents as
/// they are after it: as read before the change plus the new history entry (the change is
/// applied only if the dossier's version is still the one read, and every history entry and
/// document comes with a new version, so nothing else can have been added in between).
pub async fn act_record(
    state: &AppState,
    user: &User,
    reference: &str,
    input: &ActionInput,
) -> AppResult<DossierRecord> {
    let (DossierRecord { dossier: d, mut history, documents }, rel, duties) =
        visible_record(state, user, reference).await?;
    let action = Action::parse(input.action.trim()).ok_or_else(|| {
        AppError::invalid("action", if input.action.trim().is_empty() { "required" } else { "unknown_action" })
    })?;
    if !acts_as(user, &d, rel) || action.actor() != rel {
        return Err(AppError::Forbidden("err-action-not-for-role"));
    }
    // The desk official's only action as the applicant's agent: submit, which receives it on
    // the spot (see `processing::submit_and_receive`).
    if is_desk_agent(user, &d) {
        if action != Action::Submit {
            return Err(AppError::Forbidden("err-action-not-for-role"));
        }
        // The papers are scanned at the desk before it is received (digitisation at receipt).
        if documents.is_empty() {
            return Err(AppError::Conflict("err-assisted-no-documents"));
        }
        let (dossier, entries) = crate::processing::submit_and_receive(state, user, &duties, &d).await?;
        history.extend(entries);
        return Ok(DossierRecord { dossier, history, documents });
    }
    let reason = match input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(
            motcua_core::values::clean_text("reason", r, 2000, true).map_err(|e| AppError::Invalid(vec![e.into()]))?,
        ),
        None => None,
    };
    if action.needs_reason() && reason.is_none() {
        return Err(AppError::invalid("reason", "required"));
    }
    check_fields_belong(action, input)?;
    let (dossier, entry) = match rel {
        Actor::Official => {
            crate::processing::official_act(state, user, &duties, &d, action, input, reason.as_deref()).await?
        }
        Actor::Applicant => applicant_act(state, user, &d, action, reason.as_deref()).await?,
    };
    history.push(entry);
    Ok(DossierRecord { dossier, history, documents })
}

/// Refuses a field the action does not take (422 naming it), so that nothing typed is
/// silently dropped: `target` for the moves to a named step, `assignee` for those that give a
/// step to someone, `document_id` for approve and sign, `legal_basis` for a refusal,
/// `new_appointment` for an apology.
fn check_fields_belong(action: Action, input: &ActionInput) -> AppResult<()> {
    use Action as A;
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let rules: [(&str, &Option<String>, &[Action]); 5] = [
        ("target", &input.target, &[A::Forward, A::SendBack, A::Approve, A::Sign, A::Receive]),
        ("assignee", &input.assignee, &[A::Receive, A::Forward, A::SendBack, A::Assign]),
        ("document_id", &input.document_id, &[A::Approve, A::Sign]),
        ("legal_basis", &input.legal_basis, &[A::Refuse]),
        ("new_appointment", &input.new_appointment, &[A::Apologise]),
    ];
    for (field, value, takes) in rules {
        if given(value) && !takes.contains(&action) {
            return Err(AppError::invalid(field, &format!("{field}_not_expected")));
        }
    }
    Ok(())
}

/// The applicant's own actions: submit a draft (it enters its route's receive step), answer
/// a supplement request (the clock resumes), withdraw a dossier not yet decided.
async fn applicant_act(
    state: &AppState,
    user: &User,
    d: &Dossier,
    action: Action,
    reason: Option<&str>,
) -> AppResult<(Dossier, HistoryEntry)> {
    let to = next_status(d.status, action, Actor::Applicant, d.resume_status).map_err(transition_error)?;
    let now = Utc::now();
    let cal = state.calendar();
    let hours = agency_hours(state, &d.agency_code).await?;
    let mut change = Change::keeping(d, action, user, now);
    (change.to, change.reason) = (to, reason);
    let routing;
    let (step, step_agency);
    match action {
        Action::Submit if d.status == Status::Draft => {
            change.issue_code = true;
            // An estimate, as if received now; receipt fixes it.
            let comp = compute_due(&cal, &hours, d, now, &[], now)?;
            (change.due_at, change.due_explanation) = (Some(comp.due_at), Some(explanation_json(&comp.explanation)));
            routing = crate::processing::routing(state, d).await?;
            let receive = routing.route.receive_step();
            (step, step_agency) = (receive.id.clone(), routing.agency_of(receive));
            change.route_id = Some(&routing.route.id);
            change.step = Some(&step);
            change.step_agency_code = Some(&step_agency);
        }
        Action::Submit => {
            // Answering a supplement request: the clock resumes.
            change.close_pause = true;
            let mut pauses = state.store.dossier_pauses(&d.id).await?;
            if let Some(p) = pauses.iter_mut().find(|p| p.until.is_none()) {
                p.until = Some(now);
            }
            let start = d.received_at.unwrap_or(now);
            let counted: Vec<ClockPause> = if d.received_at.is_some() { pauses.clone() } else { vec![] };
            let mut comp = compute_due(&cal, &hours, d, start, &counted, now)?;
            // A pause only ever moves the due instant later; if today's calendar or working
            // hours (changed since) would bring it earlier, the appointment given is kept.
            if let Some(given) = d.due_at.filter(|given| d.received_at.is_some() && *given > comp.due_at) {
                comp.due_at = given;
                comp.explanation.push(motcua_core::legal_time::clock::step(
                    motcua_core::legal_time::Step::AppointmentKept { at: given },
                ));
            }
            (change.due_at, change.due_explanation) = (Some(comp.due_at), Some(explanation_json(&comp.explanation)));
        }
        Action::Withdraw => {
            // The dossier leaves every queue; a running pause ends with it.
            change.close_pause = d.status == Status::SupplementRequested;
            change.step = None;
            change.step_agency_code = None;
            change.assignee_id = None;
        }
        _ => return Err(AppError::Forbidden("err-action-not-for-role")),
    }
    Ok(state.store.apply_change_returning(d, &change).await?)
}

/// Document kinds and who may add them when.
fn may_upload(rel: Actor, status: Status, kind: &str) -> AppResult<()> {
    let ok = match (rel, kind) {
        (Actor::Applicant, "required") => status == Status::Draft,
        (Actor::Applicant, "supplement") => matches!(status, Status::Draft | Status::SupplementRequested),
        (Actor::Official, "result") => status == Status::Received,
        (Actor::Applicant, "result") | (Actor::Official, "required" | "supplement") => {
            return Err(AppError::Forbidden("err-document-kind-not-for-role"))
        }
        _ => return Err(AppError::invalid("kind", "document_kind")),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::Conflict("err-upload-not-allowed"))
    }
}

/// The content types accepted for documents, recognised from the bytes (never the name),
/// with the structure a real file has at both ends, not only its first bytes: a PDF starts
/// with `%PDF-` and has `%%EOF` in its last kilobyte; a JPEG starts with FF D8 FF and ends
/// with the EOI marker FF D9 (trailing padding allowed); a PNG has its signature, an IHDR
/// chunk first and an IEND chunk last.
pub fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    let tail = |n: usize| &bytes[bytes.len().saturating_sub(n)..];
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let mime = infer::get(bytes).map(|t| t.mime_type())?;
    let ok = match mime {
        "application/pdf" => bytes.starts_with(b"%PDF-") && bytes.len() >= 32 && contains(tail(1024), b"%%EOF"),
        "image/jpeg" => {
            let end = bytes.iter().rposition(|&b| b != 0 && b != b'\n' && b != b'\r').map_or(0, |i| i + 1);
            bytes.len() >= 32 && end >= 2 && bytes[end - 2..end] == [0xFF, 0xD9]
        }
        "image/png" => bytes.len() >= 45 && &bytes[12..16] == b"IHDR" && contains(tail(12), b"IEND"),
        _ => false,
    };
    ok.then_some(match mime {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        _ => "image/png",
    })
}

/// The extension a document is downloaded with, from its checked content type (never the
/// name it was uploaded with).
pub fn extension_for(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    }
}

/// An uploaded file, read from a form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
    pub name: Option<String>,
    pub kind: Option<String>,
}

/// Adds a document to a dossier, checking the role, the status, the size and the content.
pub async fn upload(state: &AppState, user: &User, reference: &str, up: Upload) -> AppResult<Document> {
    let (d, rel) = visible_dossier(state, user, reference).await?;
    let kind = up.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()).unwrap_or(match rel {
        Actor::Official => "result",
        Actor::Applicant if d.status == Status::SupplementRequested => "supplement",
        Actor::Applicant => "required",
    });
    may_upload(rel, d.status, kind)?;
    if up.bytes.is_empty() {
        return Err(AppError::invalid("file", "file_empty"));
    }
    if up.bytes.len() as u64 > state.config.max_upload_bytes {
        return Err(AppError::TooLarge(state.config.max_upload_bytes));
    }
    let content_type = sniff_document(&up.bytes).ok_or_else(|| AppError::invalid("file", "file_type"))?;
    let file_name: String =
        up.file_name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(200).collect();
    let name =
        up.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).unwrap_or(file_name.clone());
    if name.chars().count() > 200 {
        return Err(AppError::invalid("name", "too_long"));
    }
    let doc = NewDocument {
        dossier_id: &d.id,
        kind,
        name: &name,
        file_name: if file_name.is_empty() { "document" } else { &file_name },
        content_type,
        bytes: up.bytes,
    };
    match state.store.add_document(doc.clone(), user, d.version).await {
        Err(motcua_store::StoreError::Conflict(_)) => {}
        other => return Ok(other?),
    }
    // Another change won the race (often another upload of the same applicant): retry against
    // the dossier as it is now, if it still takes this kind of document.
    for _ in 0..4 {
        let (now, rel) = visible_dossier(state, user, reference).await?;
        may_upload(rel, now.status, kind)?;
        match state.store.add_document(doc.clone(), user, now.version).await {
            Err(motcua_store::StoreError::Conflict(_)) => continue,
            other => return Ok(other?),
        }
    }
    Err(AppError::Conflict("err-lost-race"))
}

/// The full view of a dossier for its applicant or its agency.
#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    #[serde(flatten)]
    pub dossier: Dossier,
    pub due_is_estimate: bool,
    /// While in progress: `on_track`, `due_soon` (less than one working day left) or
    /// `overdue`; `None` before submission and once finished.
    pub progress: Option<Progress>,
    /// Once decided: `early`, `on_time` or `late` against the due instant.
    pub completion: Option<Completion>,
    /// How the due instant was computed (days skipped and why, pauses).
    pub due_explanation: Vec<motcua_core::legal_time::ExplanationStep>,
    pub allowed_actions: Vec<&'static str>,
    /// The national dossier status list's code (1 Mới đăng ký … 10 Đã trả kết quả), for
    /// reporting and synchronisation; `None` for a draft, which the list does not know.
    pub national_status: Option<u8>,
    /// Its official Vietnamese name.
    pub national_status_name: Option<&'static str>,
    /// The current step's names (the step's id is `step`).
    pub step_name_vi: Option<String>,
    pub step_name_en: Option<String>,
    /// The official the current step is assigned to (username and name); `None`: the step's
    /// role pool.
    pub assignee: Option<serde_json::Value>,
    /// The desk official who submitted it for the applicant (assisted submission, username
    /// and name); `None` for a citizen's own.
    pub submitted_by: Option<serde_json::Value>,
    /// True while an assisted submission waits for its applicant to claim it
    /// (`POST /api/v1/dossiers/claim`).
    pub awaits_claim: bool,
    /// For officials: the steps passed, the working hours spent at each against its budget.
    pub steps: Vec<crate::processing::StepTime>,
    pub history: Vec<HistoryEntry>,
    pub documents: Vec<Document>,
}

/// Loads the full view of a dossier the user can see.
pub async fn view(state: &AppState, user: &User, reference: &str) -> AppResult<DossierView> {
    let (record, rel, duties) = visible_record(state, user, reference).await?;
    build_view(state, user, record, rel, &duties).await
}

/// The view of a dossier the user has just created or acted on, from the record the change
/// returned: as [`view`], except that an official who has just passed it to another agency
/// still gets the answer to the action (with no actions left), not a 404.
pub async fn view_of(state: &AppState, user: &User, record: DossierRecord) -> AppResult<DossierView> {
    let duties = state.store.duties(user).await?;
    match relation(user, &duties, &record.dossier) {
        Some(rel) => build_view(state, user, record, rel, &duties).await,
        None if user.role == Role::Official => {
            let none = Duties { recorded: vec![], home_agency: None };
            build_view(state, user, record, Actor::Official, &none).await
        }
        None => Err(AppError::NotFound),
    }
}

/// The view answering a retried idempotent call (by the dossier's id), as [`view_of`].
pub async fn view_retried(state: &AppState, user: &User, id: &str) -> AppResult<DossierView> {
    let record = state.store.dossier_record(id).await?.ok_or(AppError::NotFound)?;
    view_of(state, user, record).await
}

async fn build_view(
    state: &AppState,
    user: &User,
    record: DossierRecord,
    rel: Actor,
    duties: &Duties,
) -> AppResult<DossierView> {
    let DossierRecord { dossier: d, history, documents } = record;
    let routing = match d.status {
        Status::Draft => None,
        _ => Some(crate::processing::routing(state, &d).await?),
    };
    let allowed = match (acts_as(user, &d, rel), rel, &routing) {
        (false, _, _) => vec![],
        (true, Actor::Applicant, _) if is_desk_agent(user, &d) => vec![Action::Submit.as_str()],
        (true, Actor::Applicant, _) => allowed_actions(d.status, rel).into_iter().map(Action::as_str).collect(),
        (true, Actor::Official, Some(r)) => crate::processing::allowed(r, &d, duties, user),
        (true, Actor::Official, None) => vec![],
    };
    let (progress, completion, due_explanation) = timeliness(state, &d).await?;
    let route_state = routing.as_ref().and_then(|r| r.state(&d).map(|s| (r, s)));
    let national = match &route_state {
        // Received and not yet moved on since: "Được tiếp nhận" (2); then the route's own.
        Some(_) if d.status == Status::Received && d.step_since.is_some() && d.step_since == d.received_at => {
            Some(motcua_core::national_status::NationalStatus::Received)
        }
        Some((r, s)) => Some(r.route.national_status(s)),
        None => motcua_core::national_status::NationalStatus::of_status(d.status, d.received_at.is_some()),
    };
    let step = route_state.as_ref().and_then(|(r, s)| s.step().and_then(|id| r.route.step(id)));
    let steps = match (&routing, rel) {
        (Some(r), Actor::Official) => {
            let hours = agency_hours(state, &d.agency_code).await?;
            crate::processing::step_times(r, &d, &history, state.calendar().as_ref(), &hours, Utc::now())
        }
        _ => vec![],
    };
    let assignee = match d.assignee_id {
        Some(id) => {
            state.store.user(id).await?.map(|u| serde_json::json!({"username": u.username, "name": u.full_name}))
        }
        None => None,
    };
    let submitted_by = match d.submitted_by {
        Some(id) => {
            state.store.user(id).await?.map(|u| serde_json::json!({"username": u.username, "name": u.full_name}))
        }
        None => None,
    };
    Ok(DossierView {
        submitted_by,
        awaits_claim: d.awaits_claim(),
        step_name_vi: step.map(|s| s.name_vi.clone()),
        step_name_en: step.map(|s| s.name_en.clone()),
        assignee,
        steps,
        national_status: national.map(|n| n.code()),
        national_status_name: national.map(|n| n.name_vi()),
        due_is_estimate: d.received_at.is_none(),
        progress,
        completion,
        due_explanation,
        dossier: d,
        allowed_actions: allowed,
        history,
        documents,
    })
}

/// Timeliness and the due explanation of a dossier: the due instant and its explanation as
/// they were fixed (at submission, receipt or resumption), so a later change of the calendar
/// or of working hours never rewrites them; progress is measured against them now.
async fn timeliness(
    state: &AppState,
    d: &Dossier,
) -> AppResult<(Option<Progress>, Option<Completion>, Vec<motcua_core::legal_time::ExplanationStep>)> {
    let Some(due_at) = d.due_at else { return Ok((None, None, vec![])) };
    let explanation = d.due_explanation.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    let finished = d.decided_at.filter(|_| d.status.is_final() || d.status == Status::Approved);
    let (progress, completion) = match (finished, d.status) {
        (Some(at), _) => (None, Some(classify_completion(due_at, at))),
        // The clock runs between receipt and decision, and not while waiting on the applicant.
        (None, Status::Received) => {
            let hours = agency_hours(state, &d.agency_code).await?;
            (Some(classify_progress(state.calendar().as_ref(), &hours, due_at, Utc::now())), None)
        }
        _ => (None, None),
    };
    Ok((progress, completion, explanation))
}

pub(crate) fn explanation_json(steps: &[motcua_core::legal_time::ExplanationStep]) -> String {
    serde_json::to_string(steps).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_goes_by_content_not_name() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
        assert_eq!(sniff_document(pdf), Some("application/pdf"));
        // A 1×1 PNG: signature, IHDR, IDAT, IEND.
        let png: Vec<u8> = [
            &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
            &[0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89],
            &[0, 0, 0, 10, b'I', b'D', b'A', b'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4],
            &[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82],
        ]
        .concat();
        assert_eq!(sniff_document(&png), Some("image/png"));
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1];
        jpeg.extend_from_slice(&[0u8; 40]);
        jpeg.extend_from_slice(&[0xff, 0xd9]);
        assert_eq!(sniff_document(&jpeg), Some("image/jpeg"));
        // Only the first bytes of a type: refused.
        assert_eq!(sniff_document(b"%PDF"), None);
        assert_eq!(sniff_document(b"%PDF-1.4\n<html><script>alert(1)</script></html>"), None);
        assert_eq!(sniff_document(&[0xff, 0xd8, 0xff]), None);
        assert_eq!(sniff_document(&png[..8]), None);
        // A Windows executable (MZ header), whatever it is called.
        assert_eq!(sniff_document(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), None);
        assert_eq!(sniff_document(b"just text"), None);
    }

    #[test]
    fn upload_rules() {
        assert!(may_upload(Actor::Applicant, Status::Draft, "required").is_ok());
        assert!(matches!(may_upload(Actor::Applicant, Status::Submitted, "required"), Err(AppError::Conflict(_))));
        assert!(may_upload(Actor::Applicant, Status::SupplementRequested, "supplement").is_ok());
        assert!(matches!(may_upload(Actor::Applicant, Status::Received, "result"), Err(AppError::Forbidden(_))));
        assert!(may_upload(Actor::Official, Status::Received, "result").is_ok());
        assert!(matches!(may_upload(Actor::Official, Status::Received, "bogus"), Err(AppError::Invalid(_))));
    }
}

/// A claim of an assisted submission (unparsed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClaimInput {
    /// The dossier code on the receipt (`CAX.00004-261130-0001`).
    pub code: String,
    /// The applicant's ID number as the desk recorded it (12-digit citizen ID or 9-digit ID).
    pub id_number: String,
}

/// A citizen claims a dossier submitted for them at the desk: it becomes theirs (their "My
/// dossiers", their actions) in one transaction with a `claim` history entry.
///
/// Attempts are counted per account before the dossier is looked up
/// (`claim_failures_per_account` within `claim_window`: 5 in 15 minutes by default) and the
/// attempt is taken back when the code and ID number match, so only failures count; past
/// the limit, 429 with the seconds to wait.
///
/// # Errors
/// 403 for anyone but a citizen; 422 for a missing code or a malformed ID number; 404 for a
/// wrong code, a wrong ID number or a dossier not submitted at the desk (one answer, so that
/// neither can be probed); 409 when another account claimed it; 429 when throttled.
pub async fn claim(
    state: &AppState,
    user: &User,
    input: &ClaimInput,
    addr: std::net::IpAddr,
) -> AppResult<DossierRecord> {
    if user.role != Role::Citizen {
        return Err(AppError::Forbidden("err-citizens-only"));
    }
    let mut errors = Vec::new();
    let code = input.code.trim().to_uppercase();
    if code.is_empty() {
        errors.push(FieldError::new("code", "required"));
    } else if code.chars().count() > 64 {
        errors.push(FieldError::new("code", "too_long"));
    }
    let id = IdNumber::parse("id_number", &input.id_number).map_err(|e| errors.push(e.into())).ok();
    let Some(id) = id.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    // Per account, and per address: accounts are free to make, so a guesser with many of them
    // meets the address's limit.
    let (account, address) = (format!("claim:{}", user.id), format!("claim-ip:{addr}"));
    let keys = [account.as_str(), address.as_str()];
    state.claim_throttle.attempt_keys(&state.store, &keys).await?;
    match state.store.claim_dossier(&code, id.as_str(), user, Utc::now()).await {
        Ok(dossier_id) => {
            state.claim_throttle.take_back(&state.store, &keys).await?;
            state.store.dossier_record(&dossier_id).await?.ok_or(AppError::NotFound)
        }
        Err(motcua_store::StoreError::Conflict(_)) => {
            state.claim_throttle.take_back(&state.store, &keys).await?;
            Err(AppError::Conflict("err-claimed-by-other"))
        }
        Err(e) => Err(e.into()),
    }
}

/// A citizen's registration (unparsed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub full_name: String,
    pub phone: String,
    pub email: String,
    /// Optional; the phone (else the email) is the username when blank.
    pub username: String,
    pub password: String,
    /// When present (the page form), must equal `password`.
    pub password_confirm: Option<String>,
}

/// Registers a citizen account: full name, a phone or an email, a password (8+ characters).
pub async fn register(state: &AppState, input: &RegistrationInput) -> AppResult<User> {
    use motcua_core::values::{check_new_password, Email};
    let mut errors = Vec::new();
    let name = FullName::parse("full_name", &input.full_name).map_err(|e| errors.push(e.into())).ok();
    let phone = (!input.phone.trim().is_empty())
        .then(|| PhoneNumber::parse("phone", &input.phone).map_err(|e| errors.push(e.into())).ok())
        .flatten();
    let email = (!input.email.trim().is_empty())
        .then(|| Email::parse("email", &input.email).map_err(|e| errors.push(e.into())).ok())
        .flatten();
    if input.phone.trim().is_empty() && input.email.trim().is_empty() {
        errors.push(FieldError::new("phone", "contact_required"));
    }
    // A chosen username starts with a letter, so it can never be someone else's phone or
    // email (both are sign-in names too); without one, the account's own phone or email is it.
    let chosen = (!input.username.trim().is_empty())
        .then(|| {
            motcua_core::values::Username::parse("username", &input.username).map_err(|e| errors.push(e.into())).ok()
        })
        .flatten();
    if let Err(e) = check_new_password("password", &input.password) {
        errors.push(e.into());
    }
    if input.password_confirm.as_deref().is_some_and(|c| c != input.password) {
        errors.push(FieldError::new("password_confirm", "password_mismatch"));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let username = match &chosen {
        Some(u) => u.to_string(),
        None => {
            phone.as_ref().map(|p| p.to_string()).or_else(|| email.as_ref().map(|e| e.to_string())).unwrap_or_default()
        }
    };
    let new = motcua_store::accounts::NewUser {
        username: &username,
        full_name: name.as_str(),
        phone: phone.as_ref().map(|p| p.as_str()),
        email: email.as_ref().map(|e| e.as_str()),
        password: &input.password,
        role: Role::Citizen,
        agency_code: None,
    };
    match state.store.create_user(&new).await {
        Ok(u) => Ok(u),
        Err(motcua_store::StoreError::Conflict(field)) => Err(AppError::Invalid(vec![FieldError::new(field, "taken")])),
        Err(e) => Err(e.into()),
    }
}

/// An administrator marks a procedure's online level (e.g. full-process once every step is
/// online); the choice survives re-imports of the catalogue.
pub async fn set_online_level(state: &AppState, user: &User, code: &str, level: &str) -> AppResult<()> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("err-admins-only"));
    }
    let level = motcua_core::catalogue::OnlineLevel::parse(level.trim())
        .ok_or_else(|| AppError::invalid("online_level", "online_choice"))?;
    state.store.procedure_shared(code).await?.ok_or(AppError::NotFound)?;
    Ok(state.store.set_online_level(code, level).await?)
}

/// Validates and records a Government decisions file (days off, swaps, make-up working
/// days; the format of `data/holidays/`), with who loaded it. The caller rebuilds the
/// calendar afterwards.
///
/// # Errors
/// 422 naming the line, column and problem when the file does not parse.
pub async fn record_decisions(
    store: &motcua_store::Store,
    content: &str,
    who: &str,
) -> AppResult<motcua_store::calendar::DecisionLoad> {
    let parsed = motcua_core::legal_time::Decisions::parse(content).map_err(|e| {
        AppError::Invalid(vec![FieldError {
            field: "body".into(),
            key: "decisions_format".into(),
            extra: Some(format!("line {}, column {}: {}", e.line, e.column, e.reason)),
        }])
    })?;
    let years: Vec<i32> = parsed.years().collect();
    if years.is_empty() {
        return Err(AppError::invalid("body", "decisions_empty"));
    }
    // A year's decision replaces that year's computed days for the events it names: an empty
    // list would silently wipe a decision already loaded.
    if let Some(y) = years.iter().find(|y| parsed.year(**y).is_none_or(<[_]>::is_empty)) {
        return Err(AppError::Invalid(vec![FieldError {
            field: "body".into(),
            key: "decisions_year_empty".into(),
            extra: Some(y.to_string()),
        }]));
    }
    Ok(store.add_calendar_decisions(content, &years, who).await?)
}

/// Sets an agency's working hours (`None` or blank: back to the default); administrators.
pub async fn set_agency_hours(state: &AppState, user: &User, code: &str, hours: Option<&str>) -> AppResult<()> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("err-admins-only"));
    }
    let hours = hours.map(str::trim).filter(|h| !h.is_empty());
    if let Some(h) = hours {
        parse_working_hours(h).map_err(|_| AppError::invalid("working_hours", "working_hours_format"))?;
    }
    Ok(state.store.set_agency_working_hours(code, hours).await?)
}
