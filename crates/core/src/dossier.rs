//! Dossiers (hồ sơ): statuses, the actions on them and the transition table.
//!
//! The applicant's transitions are data ([`TRANSITIONS`]): one row per status × action. The
//! officials' actions follow the dossier's processing route ([`crate::route`]): the route
//! decides where each leads, and [`crate::route::Route::status_of`] gives the status.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A dossier's status. Names are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Received,
    SupplementRequested,
    Refused,
    Approved,
    Returned,
    /// The applicant withdrew the dossier before it was decided (national status 7).
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::Submitted,
        Status::Received,
        Status::SupplementRequested,
        Status::Refused,
        Status::Approved,
        Status::Returned,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::SupplementRequested => "supplement_requested",
            Status::Refused => "refused",
            Status::Approved => "approved",
            Status::Returned => "returned",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True once the dossier can no longer change (refused, result returned, withdrawn).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Returned | Status::Withdrawn)
    }

    /// True while the agency has not decided: submitted, received or waiting on a
    /// supplement. Only such a dossier may be withdrawn.
    pub fn is_undecided(self) -> bool {
        matches!(self, Status::Submitted | Status::Received | Status::SupplementRequested)
    }
}

/// An action on a dossier. Names are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The applicant submits the draft, or answers a supplement request.
    Submit,
    /// The agency receives the complete dossier: issues the receipt, fixes the due instant.
    Receive,
    /// The agency refuses, with reasons.
    Refuse,
    /// The agency asks the applicant for missing documents; the clock pauses.
    RequestSupplement,
    /// The agency decides in favour, with a result document.
    Approve,
    /// The agency returns the result to the applicant.
    ReturnResult,
    /// An official passes the dossier to the next step of its route (or the one named).
    Forward,
    /// An official sends the dossier back to an earlier step, with a reason.
    SendBack,
    /// A leader signs the result and passes the dossier on.
    Sign,
    /// The applicant withdraws a dossier not yet decided (national status 7).
    Withdraw,
    /// The agency apologises for a late dossier and gives a new appointment (form 04 of
    /// Circular 01/2018/TT-VPCP); the due instant for the indices does not move.
    Apologise,
    /// A leader or the agency's administrator gives the current step to a named official, or
    /// back to the step's role pool.
    Assign,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Receive => "receive",
            Action::Refuse => "refuse",
            Action::RequestSupplement => "request_supplement",
            Action::Approve => "approve",
            Action::ReturnResult => "return_result",
            Action::Forward => "forward",
            Action::SendBack => "send_back",
            Action::Sign => "sign",
            Action::Withdraw => "withdraw",
            Action::Apologise => "apologise",
            Action::Assign => "assign",
        }
    }

    pub const ALL: [Action; 12] = [
        Action::Submit,
        Action::Receive,
        Action::Refuse,
        Action::RequestSupplement,
        Action::Approve,
        Action::ReturnResult,
        Action::Forward,
        Action::SendBack,
        Action::Sign,
        Action::Withdraw,
        Action::Apologise,
        Action::Assign,
    ];

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// True when the action must state a reason: a refusal, a supplement request (what is
    /// missing), a send-back, an apology (why the dossier is late) — Decree 61/2018/NĐ-CP
    /// Art. 18–19.
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Refuse | Action::RequestSupplement | Action::SendBack | Action::Apologise)
    }

    /// Who takes the action: the applicant (`submit`, `withdraw`) or an official.
    pub fn actor(self) -> Actor {
        match self {
            Action::Submit | Action::Withdraw => Actor::Applicant,
            _ => Actor::Official,
        }
    }

    /// The route action this is, for the actions that move a dossier along its route.
    pub fn route_action(self) -> Option<crate::route::Action> {
        use crate::route::Action as R;
        Some(match self {
            Action::Receive => R::Receive,
            Action::Forward => R::Forward,
            Action::SendBack => R::SendBack,
            Action::RequestSupplement => R::RequestSupplement,
            Action::Refuse => R::Refuse,
            Action::Approve => R::Approve,
            Action::Sign => R::Sign,
            Action::ReturnResult => R::ReturnResult,
            Action::Submit | Action::Withdraw | Action::Apologise | Action::Assign => return None,
        })
    }

    /// The dossier action of a route action.
    pub fn from_route(a: crate::route::Action) -> Action {
        use crate::route::Action as R;
        match a {
            R::Receive => Action::Receive,
            R::Forward => Action::Forward,
            R::SendBack => Action::SendBack,
            R::RequestSupplement => Action::RequestSupplement,
            R::Refuse => Action::Refuse,
            R::Approve => Action::Approve,
            R::Sign => Action::Sign,
            R::ReturnResult => Action::ReturnResult,
        }
    }
}

/// Who takes an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The account that owns the dossier.
    Applicant,
    /// An official of the dossier's agency.
    Official,
}

/// Where an action leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    To(Status),
    /// Back to the status the dossier had before the supplement request.
    Resume,
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub from: Status,
    pub action: Action,
    pub actor: Actor,
    pub next: Next,
}

const fn t(from: Status, action: Action, actor: Actor, next: Next) -> Transition {
    Transition { from, action, actor, next }
}

/// The applicant's transitions: submit a draft, answer a supplement request, withdraw a
/// dossier not yet decided (Decree 61/2018/NĐ-CP Art. 18–20; withdrawal is national status
/// 7, "Công dân yêu cầu rút hồ sơ"). The officials' actions follow the dossier's route.
pub static TRANSITIONS: &[Transition] = &[
    t(Status::Draft, Action::Submit, Actor::Applicant, Next::To(Status::Submitted)),
    t(Status::SupplementRequested, Action::Submit, Actor::Applicant, Next::Resume),
    t(Status::Submitted, Action::Withdraw, Actor::Applicant, Next::To(Status::Withdrawn)),
    t(Status::Received, Action::Withdraw, Actor::Applicant, Next::To(Status::Withdrawn)),
    t(Status::SupplementRequested, Action::Withdraw, Actor::Applicant, Next::To(Status::Withdrawn)),
];

/// Why an action cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// No row has this status and action.
    #[error("action {action:?} is not allowed in status {from:?}")]
    NotAllowed { from: Status, action: Action },
    /// A row exists, but for another actor.
    #[error("action {action:?} is not for this actor")]
    WrongActor { action: Action },
}

/// The status after `actor` takes `action` on a dossier in `from`; `resume` is the status the
/// dossier had before its supplement request (used by [`Next::Resume`]).
///
/// # Errors
/// [`TransitionError::WrongActor`] when the action is not this actor's (in any status: the
/// answer does not depend on where the dossier is);
/// [`TransitionError::NotAllowed`] when the actor may take it, but not in `from`.
pub fn next_status(
    from: Status,
    action: Action,
    actor: Actor,
    resume: Option<Status>,
) -> Result<Status, TransitionError> {
    if action.actor() != actor {
        return Err(TransitionError::WrongActor { action });
    }
    let row = TRANSITIONS
        .iter()
        .find(|r| r.from == from && r.action == action && r.actor == actor)
        .ok_or(TransitionError::NotAllowed { from, action })?;
    Ok(match row.next {
        Next::To(s) => s,
        Next::Resume => resume.unwrap_or(Status::Submitted),
    })
}

/// The actions `actor` may take from `status`, in table order.
pub fn allowed_actions(status: Status, actor: Actor) -> Vec<Action> {
    TRANSITIONS.iter().filter(|r| r.from == status && r.actor == actor).map(|r| r.action).collect()
}

/// A dossier code `{agency code}-{yyMMdd}-{NNNN}`: the receiving agency, the Vietnam date
/// of submission and that agency's daily sequence number (four digits, more past 9999).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DossierCode(String);

impl DossierCode {
    /// Builds the code. `agency_code` must not contain '-' (agency codes never do).
    pub fn new(agency_code: &str, date: NaiveDate, seq: u64) -> DossierCode {
        DossierCode(format!("{agency_code}-{}-{seq:04}", date.format("%y%m%d")))
    }

    /// Parses a code back into (agency code, date, sequence).
    pub fn parse(s: &str) -> Option<(String, NaiveDate, u64)> {
        let mut parts = s.rsplitn(3, '-');
        let seq = parts.next()?;
        let date = parts.next()?;
        let agency = parts.next()?;
        if agency.is_empty() || seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) || date.len() != 6 {
            return None;
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").ok()?;
        Some((agency.to_string(), date, seq.parse().ok()?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicants_transitions() {
        use Action::*;
        let s = next_status(Status::Draft, Submit, Actor::Applicant, None).unwrap();
        assert_eq!(s, Status::Submitted);
        // Answering a supplement request resumes where the dossier was.
        let s = next_status(Status::SupplementRequested, Submit, Actor::Applicant, Some(Status::Received)).unwrap();
        assert_eq!(s, Status::Received);
        // Withdrawal: only while undecided.
        for from in Status::ALL {
            let r = next_status(from, Withdraw, Actor::Applicant, None);
            assert_eq!(r.is_ok(), from.is_undecided(), "{from:?}");
            if from.is_undecided() {
                assert_eq!(r, Ok(Status::Withdrawn));
            }
        }
        assert!(Status::Withdrawn.is_final());
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            if let Some(r) = a.route_action() {
                assert_eq!(Action::from_route(r), a);
                assert_eq!(r.as_str(), a.as_str(), "one name in routes and the API");
            }
        }
    }

    #[test]
    fn wrong_actor_and_not_allowed_are_told_apart() {
        assert_eq!(
            next_status(Status::Submitted, Action::Receive, Actor::Applicant, None),
            Err(TransitionError::WrongActor { action: Action::Receive })
        );
        assert_eq!(
            next_status(Status::Returned, Action::Withdraw, Actor::Applicant, None),
            Err(TransitionError::NotAllowed { from: Status::Returned, action: Action::Withdraw })
        );
        // The role decides 403 whatever the status: an applicant may never approve, even in
        // a status where an official could.
        for from in Status::ALL {
            assert_eq!(
                next_status(from, Action::Approve, Actor::Applicant, None),
                Err(TransitionError::WrongActor { action: Action::Approve })
            );
            assert_eq!(
                next_status(from, Action::Receive, Actor::Applicant, None),
                Err(TransitionError::WrongActor { action: Action::Receive })
            );
            assert_eq!(
                next_status(from, Action::Submit, Actor::Official, None),
                Err(TransitionError::WrongActor { action: Action::Submit })
            );
        }
        // Final statuses allow nothing.
        for st in Status::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(
                allowed_actions(st, Actor::Official).is_empty() && allowed_actions(st, Actor::Applicant).is_empty()
            );
        }
    }

    #[test]
    fn dossier_code_round_trips_and_grows_past_9999() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let c = DossierCode::new("CAX.00004", d, 7);
        assert_eq!(c.as_str(), "CAX.00004-261130-0007");
        assert_eq!(DossierCode::parse(c.as_str()), Some(("CAX.00004".into(), d, 7)));
        let big = DossierCode::new("CAX.00004", d, 12345);
        assert_eq!(big.as_str(), "CAX.00004-261130-12345");
        assert_eq!(DossierCode::parse("nonsense"), None);
    }
}
