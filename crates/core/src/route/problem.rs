//! What can be wrong with a route definition: a [`Problem`] names the file, the line and
//! column, a stable [`ProblemCode`] and an English message.

use serde::Serialize;
use std::fmt;

/// A position in a definition file: 1-based line and column (the column counts characters,
/// not bytes). Line 0 means "the whole file" or "the whole set".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// The kind of a problem. The snake-case name ([`ProblemCode::as_str`]) is stable: tests, the
/// CLI's output and the translations key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// Not valid TOML.
    Syntax,
    /// A key the format does not know (often a typo: `forwrd`).
    UnknownKey,
    /// A required key is absent (`id`, `name_vi`, `name_en`, `role`, `agency`, `[[step]]`).
    MissingKey,
    /// A value of the wrong TOML type (a number where a string is expected…).
    WrongType,
    /// A value of the right type that is not acceptable (an empty name, an id with spaces…).
    InvalidValue,
    /// Neither or both of `procedures` and `default_for`, or a `default_for` that is not a level.
    AppliesTo,
    /// A procedure code that is not a national code such as `1.010041`.
    InvalidProcedureCode,
    /// Two steps with the same id.
    DuplicateStepId,
    /// A role that is not `receiving_desk`, `specialist`, `leader` or `agency_admin`.
    UnknownRole,
    /// An agency that is neither `receiving`, `competent` nor `{ kind = "…" }`.
    UnknownAgency,
    /// An agency kind that motcua does not know (see `agency::KINDS`).
    UnknownAgencyKind,
    /// A budget that is not exactly one positive `hours` or a `share` in (0, 1].
    InvalidBudget,
    /// The budgets along a path of the route exceed the statutory processing time.
    BudgetOverStatutoryTime,
    /// An action leads to a step that the route does not define.
    UnknownStep,
    /// `send_back` to a step that is not listed earlier, or another move to one that is not
    /// listed later.
    WrongDirection,
    /// No step allows `receive`: a submitted dossier has nowhere to start.
    NoReceiveStep,
    /// More than one step allows `receive`.
    SeveralReceiveSteps,
    /// No step allows `return_result`: no dossier could ever be completed.
    NoReturnStep,
    /// A step that no path from the receive step reaches.
    UnreachableStep,
    /// A step from which no path reaches a step that returns the result.
    DeadEndStep,
    /// Two files of a set define the same route id.
    DuplicateRouteId,
    /// Two routes of a set claim the same procedure.
    ProcedureClaimedTwice,
    /// Two routes of a set are the default for the same level.
    DuplicateDefault,
    /// A set has no default route for the commune or the province level.
    NoDefaultRoute,
}

impl ProblemCode {
    /// The stable snake-case name, e.g. `dead_end_step`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Syntax => "syntax",
            ProblemCode::UnknownKey => "unknown_key",
            ProblemCode::MissingKey => "missing_key",
            ProblemCode::WrongType => "wrong_type",
            ProblemCode::InvalidValue => "invalid_value",
            ProblemCode::AppliesTo => "applies_to",
            ProblemCode::InvalidProcedureCode => "invalid_procedure_code",
            ProblemCode::DuplicateStepId => "duplicate_step_id",
            ProblemCode::UnknownRole => "unknown_role",
            ProblemCode::UnknownAgency => "unknown_agency",
            ProblemCode::UnknownAgencyKind => "unknown_agency_kind",
            ProblemCode::InvalidBudget => "invalid_budget",
            ProblemCode::BudgetOverStatutoryTime => "budget_over_statutory_time",
            ProblemCode::UnknownStep => "unknown_step",
            ProblemCode::WrongDirection => "wrong_direction",
            ProblemCode::NoReceiveStep => "no_receive_step",
            ProblemCode::SeveralReceiveSteps => "several_receive_steps",
            ProblemCode::NoReturnStep => "no_return_step",
            ProblemCode::UnreachableStep => "unreachable_step",
            ProblemCode::DeadEndStep => "dead_end_step",
            ProblemCode::DuplicateRouteId => "duplicate_route_id",
            ProblemCode::ProcedureClaimedTwice => "procedure_claimed_twice",
            ProblemCode::DuplicateDefault => "duplicate_default",
            ProblemCode::NoDefaultRoute => "no_default_route",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem of a route definition (or of a set of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file name as the caller gave it (e.g. `routes/default-commune.toml`).
    pub file: String,
    /// 1-based line; 0 for a problem of a whole set (a missing default route).
    pub line: usize,
    /// 1-based column in characters; 0 when only the line is known.
    pub column: usize,
    pub code: ProblemCode,
    /// What is wrong, in English, naming the keys and ids involved.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `file:line:column: message [code]`, the form compilers use, so editors can jump to it;
    /// a problem of the whole set (no file) is `routes: message [code]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            return write!(f, "routes: {} [{}]", self.message, self.code);
        }
        write!(f, "{}:{}:{}: {} [{}]", self.file, self.line, self.column, self.message, self.code)
    }
}

impl std::error::Error for Problem {}

/// Turns byte offsets of one text into [`Pos`].
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        Pos { line, column: self.text[start..offset].chars().count() + 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nb = \"ồ\"x\n\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(0), Pos { line: 1, column: 1 });
        assert_eq!(idx.pos(4), Pos { line: 1, column: 5 });
        assert_eq!(idx.pos(6), Pos { line: 2, column: 1 });
        // "ồ" is 3 bytes but one column: b, space, =, space, quote, ồ, quote, then x in column 8.
        let x = text.find('x').unwrap();
        assert_eq!(idx.pos(x), Pos { line: 2, column: 8 });
        assert_eq!(idx.pos(text.len() - 1), Pos { line: 4, column: 1 });
        assert_eq!(idx.pos(10_000), Pos { line: 4, column: 2 });
    }
}
