//! Processing routes (quy trình giải quyết): declarative workflows that take a dossier from the
//! one-stop desk through departments and agencies to the return of its result.
//!
//! A route is a TOML file (one per route, `routes/*.toml` in the repository) read with
//! [`parse`], or a whole directory's files with [`check_set`]. Both return every problem they
//! find, each with its file, line, column, stable [`ProblemCode`] and an English message.
//!
//! # The legal frame
//! The one-stop mechanism (cơ chế một cửa, một cửa liên thông): the one-stop desk (Bộ phận Một
//! cửa) receives the dossier, checks that it is complete, issues the receipt and appointment
//! slip or asks for a supplement or refuses; it passes the dossier to the competent agency,
//! whose specialists examine it and whose leaders decide and sign; the result goes back to the
//! desk, which returns it; an inter-agency ("liên thông") procedure passes through several
//! agencies, each with its share of the statutory time. Decree 61/2018/NĐ-CP, amended by Decree
//! 107/2021/NĐ-CP; the catalogue's records from 2025 cite Decree 118/2025/NĐ-CP of 9 June 2025
//! (its Art. 15, 17 and 22 for receipt) for the same mechanism. The forms (receipt, supplement
//! request, refusal, apology and new appointment) are those of Circular 01/2018/TT-VPCP.
//!
//! # The file format
//! ```toml
//! # Quy trình mặc định cấp xã — default commune route
//! id = "default-commune"
//! name_vi = "Quy trình mặc định cấp xã"
//! name_en = "Default commune route"
//! default_for = "commune"          # or: procedures = ["2.000986"]
//! source = "Nghị định 61/2018/NĐ-CP"   # optional, free text
//!
//! [[step]]
//! id = "receive"
//! name_vi = "Tiếp nhận hồ sơ"
//! name_en = "Receive the dossier"
//! role = "receiving_desk"          # receiving_desk | specialist | leader | agency_admin
//! agency = "receiving"             # receiving | competent | { kind = "STP" }
//! budget = { share = 0.1 }         # or { hours = 4 }: working hours
//! receive = "examine"              # a target step, or a list of alternatives
//! request_supplement = true
//! refuse = true
//!
//! [[step]]
//! id = "examine"
//! # …
//! forward = "decide"
//! send_back = "receive"
//! ```
//!
//! Steps are listed in the order a dossier passes them. The actions out of a step are keys of
//! the step: `receive`, `forward`, `approve`, `sign` (each to a step listed later),
//! `send_back` (to a step listed earlier; the official gives a reason), and
//! `request_supplement`, `refuse`, `return_result` (`true`). Validation: see [`parse`].
//!
//! # Using a route
//! A dossier's place on its route is a [`RouteState`]: it starts at the receive step
//! ([`Route::start`]), officials holding the step's role take the actions
//! [`Route::allowed_actions`] lists, and [`Route::apply`] / [`Route::advance`] say where each
//! leads. [`Route::national_status`] maps a state onto the national status list.

mod parse;
mod problem;
mod validate;

pub use parse::{check_set, parse};
pub use problem::{Pos, Problem, ProblemCode};
pub use validate::statutory_working_hours;

use crate::agency::{self, Agency};
use crate::catalogue::{Level, ProcessingTime};
use crate::legal_time::ClockUnit;
use crate::national_status::NationalStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The daily working time that converts working days into working hours when an agency has
/// configured none: 07:30–11:30 and 13:00–17:00 (LEGAL-TIME.md, "Working hours").
pub const DEFAULT_HOURS_PER_DAY: f64 = 8.0;

/// Who performs a step: a duty an official holds in an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The one-stop desk (Bộ phận Một cửa): receives dossiers and returns results.
    ReceivingDesk,
    /// A specialist (chuyên viên, công chức chuyên môn): examines the dossier.
    Specialist,
    /// A leader (lãnh đạo): decides and signs.
    Leader,
    /// The agency's administrator of officials and roles.
    AgencyAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::ReceivingDesk, Role::Specialist, Role::Leader, Role::AgencyAdmin];

    /// The name used in route files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ReceivingDesk => "receiving_desk",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::AgencyAdmin => "agency_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action an official takes on a dossier at a step. Names are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Receive the complete dossier (receipt and appointment slip; the clock starts) and pass it
    /// to the target step. Only at the receive step.
    Receive,
    /// Pass the dossier to the target step (chuyển xử lý).
    Forward,
    /// Send the dossier back to an earlier step, with a reason (trả lại).
    SendBack,
    /// Ask the applicant for missing documents; the dossier waits at this step and the clock
    /// pauses until the applicant answers.
    RequestSupplement,
    /// Refuse, with reasons: the dossier ends.
    Refuse,
    /// Decide in favour and pass the dossier on (phê duyệt).
    Approve,
    /// Sign the result document and pass the dossier on (ký).
    Sign,
    /// Return the result to the applicant: the dossier ends.
    ReturnResult,
}

impl Action {
    /// All actions, in the order a step's actions are listed.
    pub const ALL: [Action; 8] = [
        Action::Receive,
        Action::Forward,
        Action::Approve,
        Action::Sign,
        Action::SendBack,
        Action::RequestSupplement,
        Action::Refuse,
        Action::ReturnResult,
    ];

    /// The name used in route files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::Forward => "forward",
            Action::SendBack => "send_back",
            Action::RequestSupplement => "request_supplement",
            Action::Refuse => "refuse",
            Action::Approve => "approve",
            Action::Sign => "sign",
            Action::ReturnResult => "return_result",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// True for the actions that move the dossier to a named step (`receive`, `forward`,
    /// `send_back`, `approve`, `sign`).
    pub fn takes_target(self) -> bool {
        matches!(self, Action::Receive | Action::Forward | Action::SendBack | Action::Approve | Action::Sign)
    }

    /// True when the official must state a reason (`send_back`, `request_supplement`,
    /// `refuse`): Decree 61/2018/NĐ-CP requires supplement requests and refusals to say
    /// what is missing or why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::SendBack | Action::RequestSupplement | Action::Refuse)
    }

    /// True for the actions that end the dossier (`refuse`, `return_result`).
    pub fn is_terminal(self) -> bool {
        matches!(self, Action::Refuse | Action::ReturnResult)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which agency performs a step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAgency {
    /// The agency that received the dossier (the one the applicant submitted to).
    Receiving,
    /// The procedure's competent agency (see [`StepAgency::resolve`]).
    Competent,
    /// The agency of this kind (an [`agency::AgencyKind`] code such as `STP`, `CAX`) that
    /// serves the receiving agency's unit: a commune-level kind in its commune, a
    /// province-level kind in its province, a ministry-level kind is the ministry.
    Kind(String),
}

impl StepAgency {
    /// The code of the agency that performs the step, for a dossier received by `receiving`
    /// for a procedure whose agency kinds are `procedure_kinds` (`Procedure::agency_kinds`).
    /// [`StepAgency::Competent`] is the receiving agency when its kind is one of the
    /// procedure's, else the first of the procedure's kinds placed like [`StepAgency::Kind`].
    /// `None` when the kind is unknown or cannot be placed (a commune kind for a dossier
    /// received by a province agency; no procedure kinds).
    pub fn resolve(&self, receiving: &Agency, procedure_kinds: &[String]) -> Option<String> {
        let place = |code: &str| -> Option<String> {
            let kind = agency::kind(code)?;
            let unit = match kind.level {
                Level::Commune => receiving.commune_code.as_deref()?,
                Level::Province => receiving.province_code.as_deref()?,
                Level::Ministry | Level::Other => "",
            };
            Some(agency::agency_code(kind, unit))
        };
        match self {
            StepAgency::Receiving => Some(receiving.code.clone()),
            StepAgency::Competent if procedure_kinds.contains(&receiving.kind) => Some(receiving.code.clone()),
            StepAgency::Competent => place(procedure_kinds.first()?),
            StepAgency::Kind(code) => place(code),
        }
    }
}

/// A step's time budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// Working hours of the performing agency (`budget = { hours = 4 }`).
    WorkingHours(f64),
    /// A share of the procedure's statutory processing time, in (0, 1]
    /// (`budget = { share = 0.25 }`).
    Share(f64),
}

impl Budget {
    /// The budget in working hours, for a procedure whose statutory time is
    /// `statutory_hours` working hours (see [`statutory_working_hours`]).
    pub fn working_hours(self, statutory_hours: f64) -> f64 {
        match self {
            Budget::WorkingHours(h) => h,
            Budget::Share(s) => s * statutory_hours,
        }
    }
}

/// One allowed action out of a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRule {
    pub action: Action,
    /// The steps it may lead to, for actions that [`Action::takes_target`]; the first is the
    /// default when the official names none. Empty for the others.
    pub targets: Vec<String>,
    /// Where the action's key is in the file.
    pub at: Pos,
}

/// A step of a route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub role: Role,
    pub agency: StepAgency,
    pub budget: Option<Budget>,
    /// The allowed actions, in [`Action::ALL`] order.
    pub actions: Vec<ActionRule>,
    /// Where the step's `[[step]]` header is.
    pub at: Pos,
    /// Where its budget is, if it has one.
    pub budget_at: Option<Pos>,
}

impl Step {
    /// The rule for `action`, if the step allows it.
    pub fn rule(&self, action: Action) -> Option<&ActionRule> {
        self.actions.iter().find(|r| r.action == action)
    }

    pub fn allows(&self, action: Action) -> bool {
        self.rule(action).is_some()
    }

    /// True for the step where dossiers enter (it allows `receive`).
    pub fn is_receive_step(&self) -> bool {
        self.allows(Action::Receive)
    }

    /// True for a step that returns the result (it allows `return_result`).
    pub fn is_return_step(&self) -> bool {
        self.allows(Action::ReturnResult)
    }
}

/// What a route is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// These procedures (national codes).
    Procedures(Vec<String>),
    /// Every procedure of this level that has no route of its own.
    DefaultFor(Level),
}

/// A validated route: every step exists, every target exists and points the right way, one
/// receive step, at least one return step, every step reachable and able to reach a return
/// step, share budgets within the statutory time on every path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub applies_to: AppliesTo,
    /// Free text: the legal basis or catalogue record the route follows.
    pub source: Option<String>,
    /// In file order; the receive step is the only step that allows `receive`.
    pub steps: Vec<Step>,
    /// The file name it was parsed from.
    pub file: String,
    /// Where its `id` is in the file.
    pub at: Pos,
    /// Where its `procedures` or `default_for` is.
    pub applies_to_at: Pos,
}

/// Where a dossier stands on its route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RouteState {
    /// At `step`, to be acted on. `received` once the desk has taken `receive`.
    At { step: String, received: bool },
    /// Waiting on the applicant's supplement; resumes at `step`. The clock is paused.
    AwaitingSupplement { step: String, received: bool },
    /// Refused (ends the dossier), before or after receipt.
    Refused { received: bool },
    /// The result was returned (ends the dossier).
    Returned,
}

impl RouteState {
    /// The route state of a dossier from what is stored: its status, its step and whether it
    /// was received. `None` for a draft, a withdrawn dossier, or a state that needs a step
    /// and has none.
    pub fn of(status: crate::dossier::Status, step: Option<&str>, received: bool) -> Option<RouteState> {
        use crate::dossier::Status as S;
        let at = || step.map(str::to_string);
        Some(match status {
            S::Draft | S::Withdrawn => return None,
            S::Submitted | S::Received | S::Approved => RouteState::At { step: at()?, received },
            S::SupplementRequested => RouteState::AwaitingSupplement { step: at()?, received },
            S::Refused => RouteState::Refused { received },
            S::Returned => RouteState::Returned,
        })
    }

    /// The step the dossier is at or will resume at; `None` once it has ended.
    pub fn step(&self) -> Option<&str> {
        match self {
            RouteState::At { step, .. } | RouteState::AwaitingSupplement { step, .. } => Some(step),
            RouteState::Refused { .. } | RouteState::Returned => None,
        }
    }

    /// True once the dossier was received.
    pub fn received(&self) -> bool {
        match self {
            RouteState::At { received, .. }
            | RouteState::AwaitingSupplement { received, .. }
            | RouteState::Refused { received } => *received,
            RouteState::Returned => true,
        }
    }

    /// True once the dossier can no longer change.
    pub fn is_final(&self) -> bool {
        matches!(self, RouteState::Refused { .. } | RouteState::Returned)
    }

    /// The state after the applicant answers a supplement request: back at the step that
    /// asked, active again (the clock resumes).
    ///
    /// # Errors
    /// [`RouteError::NotAwaitingSupplement`] in any other state.
    pub fn supplemented(&self) -> Result<RouteState, RouteError> {
        match self {
            RouteState::AwaitingSupplement { step, received } => {
                Ok(RouteState::At { step: step.clone(), received: *received })
            }
            _ => Err(RouteError::NotAwaitingSupplement),
        }
    }
}

/// Where an action leads, by [`Route::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// To this step (for `receive`, `forward`, `send_back`, `approve`, `sign`).
    Step(String),
    /// The dossier waits on the applicant and resumes at this step (the current one).
    AwaitingSupplement(String),
    /// The dossier ends refused.
    Refused,
    /// The dossier ends with its result returned.
    Returned,
}

/// One move along a route: `action` taken at `step`, leading to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub step: String,
    pub action: Action,
    pub to: RouteState,
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the route has no step `{0}`")]
    UnknownStep(String),
    #[error("step `{step}` does not allow `{action}`")]
    NotAllowed { step: String, action: Action },
    #[error("step `{step}` is performed by the role `{role}`, which the official does not hold")]
    WrongRole { step: String, role: Role },
    #[error("`{action}` at step `{step}` may lead to several steps ({}); name one", choices.join(", "))]
    TargetRequired { step: String, action: Action, choices: Vec<String> },
    #[error("`{action}` at step `{step}` cannot lead to `{target}`")]
    UnknownTarget { step: String, action: Action, target: String },
    #[error("`{action}` does not lead to a named step")]
    TargetNotExpected { action: Action },
    #[error("the dossier has not been received yet: only receive, request_supplement and refuse are possible")]
    NotReceived { action: Action },
    #[error("the dossier waits on the applicant's supplement: only refuse is possible")]
    AwaitingSupplement { action: Action },
    #[error("the dossier is not waiting on a supplement")]
    NotAwaitingSupplement,
    #[error("the dossier has ended")]
    Ended,
}

impl Route {
    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The step where dossiers enter (validation guarantees exactly one).
    pub fn receive_step(&self) -> &Step {
        self.steps.iter().find(|s| s.is_receive_step()).unwrap_or(&self.steps[0])
    }

    /// A newly submitted dossier's state: at the receive step, not yet received.
    pub fn start(&self) -> RouteState {
        RouteState::At { step: self.receive_step().id.clone(), received: false }
    }

    /// True when the route applies to the procedure `code` by name.
    pub fn names_procedure(&self, code: &str) -> bool {
        matches!(&self.applies_to, AppliesTo::Procedures(codes) if codes.iter().any(|c| c == code))
    }

    /// The actions an official holding `roles` may take at `step`: all of the step's actions
    /// when the official holds the step's role, none otherwise (or when there is no such
    /// step). It does not know whether the dossier was received; see [`Route::allowed_in`].
    pub fn allowed_actions(&self, step: &str, roles: &[Role]) -> Vec<&ActionRule> {
        match self.step(step) {
            Some(s) if roles.contains(&s.role) => s.actions.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The actions an official holding `roles` may take on a dossier in `state`: before
    /// receipt only `receive`, `request_supplement` and `refuse` (the desk first checks the
    /// dossier is complete); while waiting on a supplement only `refuse`; none once ended.
    pub fn allowed_in(&self, state: &RouteState, roles: &[Role]) -> Vec<&ActionRule> {
        let (step, filter): (&str, fn(Action) -> bool) = match state {
            RouteState::At { step, received: false } => {
                (step, |a| matches!(a, Action::Receive | Action::RequestSupplement | Action::Refuse))
            }
            RouteState::At { step, received: true } => (step, |_| true),
            RouteState::AwaitingSupplement { step, .. } => (step, |a| a == Action::Refuse),
            RouteState::Refused { .. } | RouteState::Returned => return Vec::new(),
        };
        self.allowed_actions(step, roles).into_iter().filter(|r| filter(r.action)).collect()
    }

    /// Where `action` at `step` leads. `target` names the step to go to for actions that
    /// [`Action::takes_target`]; `None` takes the only (or first-listed) target.
    ///
    /// # Errors
    /// [`RouteError::UnknownStep`] for a step the route lacks; [`RouteError::NotAllowed`] when
    /// the step does not allow the action; [`RouteError::UnknownTarget`] for a target the
    /// action does not lead to; [`RouteError::TargetNotExpected`] for a target given to an
    /// action that takes none.
    pub fn apply(&self, step: &str, action: Action, target: Option<&str>) -> Result<Next, RouteError> {
        let s = self.step(step).ok_or_else(|| RouteError::UnknownStep(step.to_string()))?;
        let rule = s.rule(action).ok_or_else(|| RouteError::NotAllowed { step: step.to_string(), action })?;
        if !action.takes_target() {
            if target.is_some() {
                return Err(RouteError::TargetNotExpected { action });
            }
            return Ok(match action {
                Action::RequestSupplement => Next::AwaitingSupplement(step.to_string()),
                Action::Refuse => Next::Refused,
                _ => Next::Returned,
            });
        }
        match target {
            None => Ok(Next::Step(rule.targets[0].clone())),
            Some(t) if rule.targets.iter().any(|x| x == t) => Ok(Next::Step(t.to_string())),
            Some(t) => Err(RouteError::UnknownTarget { step: step.to_string(), action, target: t.to_string() }),
        }
    }

    /// The state after an official holding `roles` takes `action` (to `target`, see
    /// [`Route::apply`]) on a dossier in `state`. The server calls it in the transaction that
    /// records the action, and records nothing when it fails.
    ///
    /// # Errors
    /// [`RouteError::Ended`] for a refused or returned dossier; [`RouteError::NotReceived`] and
    /// [`RouteError::AwaitingSupplement`] for actions the state excludes (see
    /// [`Route::allowed_in`]); [`RouteError::WrongRole`] when `roles` lacks the step's role;
    /// otherwise those of [`Route::apply`].
    pub fn advance(
        &self,
        state: &RouteState,
        action: Action,
        target: Option<&str>,
        roles: &[Role],
    ) -> Result<RouteState, RouteError> {
        self.advance_with(state, action, target, &|s: &Step| roles.contains(&s.role))
    }

    /// As [`Route::advance`], for an official who performs the steps `holds` accepts (the
    /// step's role in the step's agency, decided by the caller).
    ///
    /// # Errors
    /// As [`Route::advance`].
    pub fn advance_with(
        &self,
        state: &RouteState,
        action: Action,
        target: Option<&str>,
        holds: &dyn Fn(&Step) -> bool,
    ) -> Result<RouteState, RouteError> {
        let (step, received) = match state {
            RouteState::Refused { .. } | RouteState::Returned => return Err(RouteError::Ended),
            RouteState::At { received: false, .. }
                if !matches!(action, Action::Receive | Action::RequestSupplement | Action::Refuse) =>
            {
                return Err(RouteError::NotReceived { action });
            }
            RouteState::AwaitingSupplement { .. } if action != Action::Refuse => {
                return Err(RouteError::AwaitingSupplement { action });
            }
            RouteState::At { step, received } | RouteState::AwaitingSupplement { step, received } => {
                (step.as_str(), *received)
            }
        };
        let s = self.step(step).ok_or_else(|| RouteError::UnknownStep(step.to_string()))?;
        if !holds(s) {
            return Err(RouteError::WrongRole { step: step.to_string(), role: s.role });
        }
        Ok(match self.apply(step, action, target)? {
            Next::Step(to) => RouteState::At { step: to, received: received || action == Action::Receive },
            Next::AwaitingSupplement(at) => RouteState::AwaitingSupplement { step: at, received },
            Next::Refused => RouteState::Refused { received },
            Next::Returned => RouteState::Returned,
        })
    }

    /// The moves that take `action` on a dossier in `state` for an official who performs
    /// the steps `holds` accepts: the action itself when the current step allows it;
    /// otherwise, when the official also performs every step in between, the `forward` and
    /// `sign` moves that bring the dossier to the nearest step allowing it, then the action.
    /// So an official who holds every duty of a small commune takes a dossier from `receive`
    /// to `return_result` with the same calls as before routes existed (issue 5, item 7);
    /// the server records the whole as one history entry naming each step passed.
    ///
    /// # Errors
    /// Those of [`Route::advance_with`] for the action at the current step, when no such path
    /// exists.
    pub fn plan(
        &self,
        state: &RouteState,
        action: Action,
        target: Option<&str>,
        holds: &dyn Fn(&Step) -> bool,
    ) -> Result<Vec<Hop>, RouteError> {
        let hop = |state: &RouteState, action, target| {
            let step = state.step().unwrap_or_default().to_string();
            self.advance_with(state, action, target, holds).map(|to| Hop { step, action, to })
        };
        let direct = hop(state, action, target);
        let (RouteState::At { step, received: true }, Err(RouteError::NotAllowed { .. })) = (state, &direct) else {
            return direct.map(|h| vec![h]);
        };
        // Breadth first over the pass-on moves, so the shortest path wins; a step is visited once.
        let mut seen = vec![step.clone()];
        let mut paths: std::collections::VecDeque<Vec<Hop>> = std::collections::VecDeque::new();
        paths.push_back(Vec::new());
        while let Some(path) = paths.pop_front() {
            let here = path.last().map_or_else(|| state.clone(), |h| h.to.clone());
            let Some(s) = here.step().and_then(|id| self.step(id)) else { continue };
            if !holds(s) {
                continue;
            }
            for rule in s.actions.iter().filter(|r| matches!(r.action, Action::Forward | Action::Sign)) {
                for t in &rule.targets {
                    if seen.contains(t) {
                        continue;
                    }
                    seen.push(t.clone());
                    let Ok(next) = hop(&here, rule.action, Some(t)) else { continue };
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    if let Ok(last) = hop(&next.to, action, target) {
                        longer.push(last);
                        return Ok(longer);
                    }
                    paths.push_back(longer);
                }
            }
        }
        direct.map(|h| vec![h])
    }

    /// The dossier status of a state on this route: not yet received is `submitted`; at a
    /// step that returns the result, `approved` (decided, result ready); at any other step
    /// `received`; waiting on the applicant `supplement_requested`; then `refused` and
    /// `returned`.
    pub fn status_of(&self, state: &RouteState) -> crate::dossier::Status {
        use crate::dossier::Status as S;
        match state {
            RouteState::At { received: false, .. } => S::Submitted,
            RouteState::At { step, .. } if self.step(step).is_some_and(Step::is_return_step) => S::Approved,
            RouteState::At { .. } => S::Received,
            RouteState::AwaitingSupplement { .. } => S::SupplementRequested,
            RouteState::Refused { .. } => S::Refused,
            RouteState::Returned => S::Returned,
        }
    }

    /// The national status of a dossier in `state` on this route:
    ///
    /// | state | national status |
    /// | --- | --- |
    /// | at a step, not yet received | 1 Mới đăng ký |
    /// | received, at a step of the receiving desk | 2 Được tiếp nhận |
    /// | received, at a step of a specialist, leader or administrator | 4 Đang xử lý |
    /// | received, at a step that returns the result | 9 Đã xử lý xong |
    /// | waiting on a supplement | 5 Yêu cầu bổ sung giấy tờ |
    /// | refused before receipt | 3 Không được tiếp nhận |
    /// | refused after receipt | 8 Dừng xử lý |
    /// | result returned | 10 Đã trả kết quả |
    ///
    /// A state naming a step the route lacks counts as in progress (4) once received.
    pub fn national_status(&self, state: &RouteState) -> NationalStatus {
        match state {
            RouteState::At { received: false, .. } => NationalStatus::Registered,
            RouteState::At { step, received: true } => match self.step(step) {
                Some(s) if s.is_return_step() => NationalStatus::Processed,
                Some(s) if s.role == Role::ReceivingDesk => NationalStatus::Received,
                _ => NationalStatus::InProgress,
            },
            RouteState::AwaitingSupplement { .. } => NationalStatus::SupplementRequested,
            RouteState::Refused { received: false } => NationalStatus::NotReceived,
            RouteState::Refused { received: true } => NationalStatus::Stopped,
            RouteState::Returned => NationalStatus::ResultReturned,
        }
    }

    /// Checks the step budgets against a procedure's statutory processing time: along every
    /// path from the receive step, hours plus shares (hours counted as a share of the
    /// statutory time in working hours, see [`statutory_working_hours`]) must not exceed the
    /// whole. `hours_per_day` is the agency's daily working time ([`DEFAULT_HOURS_PER_DAY`]).
    /// Each problem ([`ProblemCode::BudgetOverStatutoryTime`]) names the budget where a path
    /// runs over. A time the catalogue does not state, or states without a unit, cannot be
    /// checked here: pass the unit the agency applies to [`Route::check_statutory`].
    pub fn check_processing_time(&self, time: &ProcessingTime, hours_per_day: f64) -> Vec<Problem> {
        match time {
            ProcessingTime::Specified { value, unit } => match ClockUnit::from_catalogue(*unit) {
                Some(u) => self.check_statutory(*value, u, hours_per_day),
                None => Vec::new(),
            },
            ProcessingTime::Unspecified => Vec::new(),
        }
    }

    /// As [`Route::check_processing_time`], for a statutory time of `value` in `unit`.
    pub fn check_statutory(&self, value: f64, unit: ClockUnit, hours_per_day: f64) -> Vec<Problem> {
        validate::check_statutory(self, value, unit, hours_per_day)
    }
}

/// A validated set of routes, as loaded from a directory by [`check_set`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RouteSet {
    routes: Vec<Route>,
}

impl RouteSet {
    /// The routes, in the order their files were given.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route with this id.
    pub fn get(&self, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.id == id)
    }

    /// The route a dossier of procedure `code` follows when received by an agency of `level`:
    /// the route naming the procedure, else the default route of that level ("a procedure
    /// without its own route uses the default route for its level", issue 5).
    pub fn route_for(&self, code: &str, level: Level) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.names_procedure(code))
            .or_else(|| self.routes.iter().find(|r| r.applies_to == AppliesTo::DefaultFor(level)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(a.as_str()));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.as_str()));
        }
        assert_eq!(Action::parse("withdraw"), None, "the applicant's action, not a route's");
        assert!(Action::SendBack.takes_target() && Action::SendBack.needs_reason());
        assert!(!Action::Refuse.takes_target() && Action::Refuse.is_terminal());
    }

    #[test]
    fn states_serialise_with_a_tag() {
        let s = RouteState::AwaitingSupplement { step: "examine".into(), received: true };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json, serde_json::json!({"state": "awaiting_supplement", "step": "examine", "received": true}));
        assert_eq!(serde_json::from_value::<RouteState>(json).unwrap(), s);
        assert_eq!(serde_json::to_value(RouteState::Returned).unwrap(), serde_json::json!({"state": "returned"}));
        assert!(RouteState::Returned.received() && RouteState::Returned.is_final());
        assert_eq!(s.step(), Some("examine"));
    }

    #[test]
    fn budgets_in_working_hours() {
        assert_eq!(Budget::Share(0.25).working_hours(160.0), 40.0);
        assert_eq!(Budget::WorkingHours(4.0).working_hours(160.0), 4.0);
    }

    #[test]
    fn agencies_resolve_by_level() {
        let province_desk = Agency {
            code: "STP.01".into(),
            name: String::new(),
            name_en: String::new(),
            kind: "STP".into(),
            level: Level::Province,
            parent_code: Some("UBNDT.01".into()),
            province_code: Some("01".into()),
            commune_code: None,
        };
        // A province kind in the same province, a ministry as itself; a commune kind has no
        // commune to be placed in.
        assert_eq!(StepAgency::Kind("SYT".into()).resolve(&province_desk, &[]).as_deref(), Some("SYT.01"));
        assert_eq!(StepAgency::Kind("BTP".into()).resolve(&province_desk, &[]).as_deref(), Some("BTP"));
        assert_eq!(StepAgency::Kind("CAX".into()).resolve(&province_desk, &[]), None);
        assert_eq!(StepAgency::Kind("NOPE".into()).resolve(&province_desk, &[]), None);
        assert_eq!(StepAgency::Receiving.resolve(&province_desk, &[]).as_deref(), Some("STP.01"));
    }
}
