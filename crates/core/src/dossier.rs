//! Dossiers (hồ sơ): statuses, the actions on them and the transition table.
//!
//! The allowed transitions are data ([`TRANSITIONS`]): one row per status × action, with the
//! role that may take it. The processing-routes work will replace this table with routes.

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
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Submitted,
        Status::Received,
        Status::SupplementRequested,
        Status::Refused,
        Status::Approved,
        Status::Returned,
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
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True once the dossier can no longer change (refused or result returned).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Returned)
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
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [
            Action::Submit,
            Action::Receive,
            Action::Refuse,
            Action::RequestSupplement,
            Action::Approve,
            Action::ReturnResult,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    /// True when the action must state a reason (a refusal, a supplement request).
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Refuse | Action::RequestSupplement)
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

/// The allowed transitions (Decree 61/2018/NĐ-CP Art. 18–20: receive or refuse at the
/// one-stop desk, request a supplement, decide, return the result).
pub static TRANSITIONS: &[Transition] = &[
    t(Status::Draft, Action::Submit, Actor::Applicant, Next::To(Status::Submitted)),
    t(Status::Submitted, Action::Receive, Actor::Official, Next::To(Status::Received)),
    t(Status::Submitted, Action::Refuse, Actor::Official, Next::To(Status::Refused)),
    t(Status::Submitted, Action::RequestSupplement, Actor::Official, Next::To(Status::SupplementRequested)),
    t(Status::Received, Action::RequestSupplement, Actor::Official, Next::To(Status::SupplementRequested)),
    t(Status::Received, Action::Refuse, Actor::Official, Next::To(Status::Refused)),
    t(Status::Received, Action::Approve, Actor::Official, Next::To(Status::Approved)),
    t(Status::SupplementRequested, Action::Submit, Actor::Applicant, Next::Resume),
    t(Status::SupplementRequested, Action::Refuse, Actor::Official, Next::To(Status::Refused)),
    t(Status::Approved, Action::ReturnResult, Actor::Official, Next::To(Status::Returned)),
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
/// [`TransitionError::WrongActor`] when the table never lets this actor take this action
/// (in any status: the answer does not depend on where the dossier is);
/// [`TransitionError::NotAllowed`] when the actor may take it, but not in `from`.
pub fn next_status(
    from: Status,
    action: Action,
    actor: Actor,
    resume: Option<Status>,
) -> Result<Status, TransitionError> {
    if !TRANSITIONS.iter().any(|r| r.action == action && r.actor == actor) {
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
    fn the_full_path_and_a_supplement_round() {
        use Action::*;
        let mut s = Status::Draft;
        s = next_status(s, Submit, Actor::Applicant, None).unwrap();
        assert_eq!(s, Status::Submitted);
        s = next_status(s, Receive, Actor::Official, None).unwrap();
        s = next_status(s, RequestSupplement, Actor::Official, None).unwrap();
        assert_eq!(s, Status::SupplementRequested);
        s = next_status(s, Submit, Actor::Applicant, Some(Status::Received)).unwrap();
        assert_eq!(s, Status::Received);
        s = next_status(s, Approve, Actor::Official, None).unwrap();
        s = next_status(s, ReturnResult, Actor::Official, None).unwrap();
        assert_eq!(s, Status::Returned);
    }

    #[test]
    fn wrong_actor_and_not_allowed_are_told_apart() {
        assert_eq!(
            next_status(Status::Submitted, Action::Receive, Actor::Applicant, None),
            Err(TransitionError::WrongActor { action: Action::Receive })
        );
        assert_eq!(
            next_status(Status::Draft, Action::Approve, Actor::Official, None),
            Err(TransitionError::NotAllowed { from: Status::Draft, action: Action::Approve })
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
