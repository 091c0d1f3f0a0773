//! The checks on a route's steps as a graph (targets, direction, receive and return steps,
//! reachability, dead ends) and on its time budgets.

use super::problem::{Pos, Problem, ProblemCode};
use super::{Action, Budget, Route};
use crate::legal_time::ClockUnit;
use std::collections::HashMap;

/// An action as read, with the position of each target.
#[derive(Debug, Clone)]
pub(super) struct DraftAction {
    pub action: Action,
    pub at: Pos,
    pub targets: Vec<(String, Pos)>,
}

/// What the graph checks need of a step, even an incomplete one.
#[derive(Debug, Clone)]
pub(super) struct DraftStep {
    /// The `[[step]]` header.
    pub at: Pos,
    pub id: Option<String>,
    pub budget: Option<(Budget, Pos)>,
    pub actions: Vec<DraftAction>,
}

impl DraftStep {
    fn name(&self) -> String {
        match &self.id {
            Some(id) => format!("step `{id}`"),
            None => format!("the step on line {}", self.at.line),
        }
    }

    fn rule(&self, action: Action) -> Option<&DraftAction> {
        self.actions.iter().find(|a| a.action == action)
    }
}

/// Slack for sums of decimal shares (0.1 + 0.2 + 0.7 is 1.0000000000000002 in binary).
const EPSILON: f64 = 1e-9;

pub(super) fn check_steps(steps: &[DraftStep], report: &mut dyn FnMut(ProblemCode, Pos, String)) {
    let n = steps.len();
    let mut index: HashMap<&str, usize> = HashMap::new();
    // A step whose id repeats an earlier one cannot be targeted; it is reported once, as a
    // duplicate, and left out of the reachability and dead-end checks.
    let mut duplicate = vec![false; n];
    for (i, s) in steps.iter().enumerate() {
        let Some(id) = &s.id else { continue };
        if let Some(&first) = index.get(id.as_str()) {
            duplicate[i] = true;
            report(
                ProblemCode::DuplicateStepId,
                s.at,
                format!("step id `{id}` is already used by the step on line {}", steps[first].at.line),
            );
        } else {
            index.insert(id, i);
        }
    }
    let ids: Vec<&str> = steps.iter().filter_map(|s| s.id.as_deref()).collect();

    // Targets: each a step of the route, in the right direction.
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in steps.iter().enumerate() {
        for a in &s.actions {
            for (target, at) in &a.targets {
                let Some(&j) = index.get(target.as_str()) else {
                    report(
                        ProblemCode::UnknownStep,
                        *at,
                        format!(
                            "`{}` at {} leads to step `{target}`, which this route does not define (its steps: {})",
                            a.action,
                            s.name(),
                            ids.join(", ")
                        ),
                    );
                    continue;
                };
                if a.action == Action::SendBack && j >= i {
                    report(
                        ProblemCode::WrongDirection,
                        *at,
                        format!(
                            "`send_back` at {} leads to `{target}`, which is not listed before it: a dossier is sent back to an earlier step",
                            s.name()
                        ),
                    );
                } else if a.action != Action::SendBack && j <= i {
                    report(
                        ProblemCode::WrongDirection,
                        *at,
                        format!(
                            "`{}` at {} leads to `{target}`, which is not listed after it: steps are listed in the order a dossier passes them; use `send_back` to return a dossier to an earlier step",
                            a.action,
                            s.name()
                        ),
                    );
                }
                edges[i].push(j);
            }
        }
    }

    // Exactly one receive step.
    let receivers: Vec<usize> = (0..n).filter(|&i| steps[i].rule(Action::Receive).is_some()).collect();
    match receivers.as_slice() {
        [] => report(
            ProblemCode::NoReceiveStep,
            steps[0].at,
            "no step allows `receive`: add `receive = \"<next step>\"` to the step where the one-stop desk receives dossiers"
                .to_string(),
        ),
        [first, rest @ ..] => {
            for &k in rest {
                let at = steps[k].rule(Action::Receive).map_or(steps[k].at, |r| r.at);
                report(
                    ProblemCode::SeveralReceiveSteps,
                    at,
                    format!(
                        "{} also allows `receive`, as {} (line {}) does: dossiers enter a route at one step only",
                        steps[k].name(),
                        steps[*first].name(),
                        steps[*first].at.line
                    ),
                );
            }
        }
    }
    let returners: Vec<usize> = (0..n).filter(|&i| steps[i].rule(Action::ReturnResult).is_some()).collect();
    if returners.is_empty() {
        report(
            ProblemCode::NoReturnStep,
            steps[n - 1].at,
            "no step allows `return_result`: add `return_result = true` to the step where the one-stop desk returns the result".to_string(),
        );
    }

    // Reachability from the receive step.
    if let Some(&start) = receivers.first() {
        let reached = reach(&edges, &[start]);
        for s in (0..n).filter(|&i| !reached[i] && !duplicate[i]).map(|i| &steps[i]) {
            report(
                ProblemCode::UnreachableStep,
                s.at,
                format!(
                    "{} cannot be reached from the receive step `{}`: no action of a reachable step leads to it",
                    s.name(),
                    steps[start].id.as_deref().unwrap_or("?")
                ),
            );
        }
    }

    // Dead ends: every step must be able to reach a step that returns the result.
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, out) in edges.iter().enumerate() {
        for &j in out {
            reverse[j].push(i);
        }
    }
    let can_finish = reach(&reverse, &returners);
    for (i, s) in steps.iter().enumerate().filter(|&(i, _)| !duplicate[i]) {
        if s.actions.is_empty() {
            report(
                ProblemCode::DeadEndStep,
                s.at,
                format!("{} allows no action: a dossier there would be stuck (add `forward`, `approve`, `sign` or `return_result`)", s.name()),
            );
        } else if !returners.is_empty() && !can_finish[i] {
            report(
                ProblemCode::DeadEndStep,
                s.at,
                format!(
                    "{} is a dead end: no path from it reaches a step that returns the result (it only allows {})",
                    s.name(),
                    s.actions.iter().map(|a| a.action.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }

    // Shares along any path from the receive step: at most the whole statutory time.
    if let Some(&start) = receivers.first() {
        let weights: Vec<f64> = steps
            .iter()
            .map(|s| match s.budget {
                Some((Budget::Share(x), _)) => x,
                _ => 0.0,
            })
            .collect();
        if let Some(over) = longest_over_one(&edges, &weights, start) {
            let names: Vec<&str> = over.path.iter().map(|&i| steps[i].id.as_deref().unwrap_or("?")).collect();
            let at = steps[over.crossing].budget.map_or(steps[over.crossing].at, |(_, at)| at);
            report(
                ProblemCode::BudgetOverStatutoryTime,
                at,
                format!(
                    "the budget shares along {} add up to {}, more than the whole statutory processing time (1)",
                    names.join(" → "),
                    round(over.total, 4)
                ),
            );
        }
    }
}

/// The steps reachable from `from` along `edges`.
fn reach(edges: &[Vec<usize>], from: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = from.to_vec();
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(edges[i].iter().copied().filter(|&j| !seen[j]));
        }
    }
    seen
}

/// The heaviest path from `start` that runs over 1.
struct Over {
    path: Vec<usize>,
    /// The step of the path where the running sum first exceeds 1.
    crossing: usize,
    total: f64,
}

/// The heaviest path from `start` along edges to later steps (a dossier moving on; a
/// `send_back` reworks a step without a new budget), if its weight exceeds 1.
fn longest_over_one(edges: &[Vec<usize>], weights: &[f64], start: usize) -> Option<Over> {
    let n = weights.len();
    let mut best = vec![0.0_f64; n];
    let mut next: Vec<Option<usize>> = vec![None; n];
    for i in (0..n).rev() {
        let mut tail = 0.0;
        for &j in edges[i].iter().filter(|&&j| j > i) {
            if next[i].is_none() || best[j] > tail {
                tail = best[j];
                next[i] = Some(j);
            }
        }
        best[i] = weights[i] + tail;
    }
    if best[start] <= 1.0 + EPSILON {
        return None;
    }
    let (mut path, mut sum, mut crossing, mut at) = (Vec::new(), 0.0, None, Some(start));
    while let Some(i) = at {
        path.push(i);
        sum += weights[i];
        if crossing.is_none() && sum > 1.0 + EPSILON {
            crossing = Some(i);
        }
        at = next[i];
    }
    Some(Over { path, crossing: crossing.unwrap_or(start), total: best[start] })
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The working hours that a statutory time of `value` in `unit` holds at least, for an
/// agency working `hours_per_day` hours a day ([`super::DEFAULT_HOURS_PER_DAY`] by default).
///
/// Working days and hours convert exactly (N working days = N × the daily working time,
/// LEGAL-TIME.md); elapsed hours count as working hours (an upper bound; the catalogue's
/// "Giờ" means working hours anyway). Calendar units are counted, holidays aside, as the
/// fewest weekdays they can hold: N calendar days hold at least 5 × ⌊N/7⌋ + max(0, N mod 7 − 2)
/// weekdays (the period starts after the day of receipt, Civil Code 2015 Art. 147), a week 5,
/// a month 20 (February of a common year), a year 260. A same-day procedure holds at most one
/// working day.
pub fn statutory_working_hours(value: f64, unit: ClockUnit, hours_per_day: f64) -> f64 {
    let days = match unit {
        ClockUnit::WorkingHours | ClockUnit::Hours => return value.max(0.0),
        ClockUnit::WorkingDays => value,
        ClockUnit::CalendarDays => {
            let n = value.max(0.0).floor() as u64;
            ((n / 7) * 5 + (n % 7).saturating_sub(2)) as f64
        }
        ClockUnit::Weeks => value * 5.0,
        ClockUnit::Months => value * 20.0,
        ClockUnit::Years => value * 260.0,
        ClockUnit::SameDay => 1.0,
    };
    days.max(0.0) * hours_per_day
}

/// See [`Route::check_statutory`].
pub(super) fn check_statutory(route: &Route, value: f64, unit: ClockUnit, hours_per_day: f64) -> Vec<Problem> {
    let statutory = statutory_working_hours(value, unit, hours_per_day);
    let index: HashMap<&str, usize> = route.steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let edges: Vec<Vec<usize>> = route
        .steps
        .iter()
        .map(|s| {
            s.actions.iter().flat_map(|a| a.targets.iter()).filter_map(|t| index.get(t.as_str()).copied()).collect()
        })
        .collect();
    let weights: Vec<f64> = route
        .steps
        .iter()
        .map(|s| match s.budget {
            Some(Budget::Share(x)) => x,
            Some(Budget::WorkingHours(h)) if statutory > 0.0 => h / statutory,
            Some(Budget::WorkingHours(_)) => f64::INFINITY,
            None => 0.0,
        })
        .collect();
    let start = route.steps.iter().position(|s| s.is_receive_step()).unwrap_or(0);
    let Some(over) = longest_over_one(&edges, &weights, start) else { return Vec::new() };
    let step = &route.steps[over.crossing];
    let at = step.budget_at.unwrap_or(step.at);
    let names: Vec<&str> = over.path.iter().map(|&i| route.steps[i].id.as_str()).collect();
    let need: f64 = over.path.iter().filter_map(|&i| route.steps[i].budget).map(|b| b.working_hours(statutory)).sum();
    vec![Problem {
        file: route.file.clone(),
        line: at.line,
        column: at.column,
        code: ProblemCode::BudgetOverStatutoryTime,
        message: format!(
            "the budgets along {} need {} working hours, more than the statutory {} {} ({} working hours at {} hours a day)",
            names.join(" → "),
            round(need, 2),
            value,
            unit.label(),
            round(statutory, 2),
            hours_per_day
        ),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statutory_hours_per_unit() {
        let h = |v, u| statutory_working_hours(v, u, 8.0);
        assert_eq!(h(20.0, ClockUnit::WorkingDays), 160.0);
        assert_eq!(h(4.0, ClockUnit::WorkingHours), 4.0);
        // 20 calendar days: 2 full weeks (10 weekdays) + 6 days of which at least 4 weekdays.
        assert_eq!(h(20.0, ClockUnit::CalendarDays), 112.0);
        // 7 calendar days always hold exactly 5 weekdays; 2 may hold none (a weekend).
        assert_eq!(h(7.0, ClockUnit::CalendarDays), 40.0);
        assert_eq!(h(2.0, ClockUnit::CalendarDays), 0.0);
        assert_eq!(h(3.0, ClockUnit::CalendarDays), 8.0);
        assert_eq!(h(1.0, ClockUnit::Months), 160.0);
        assert_eq!(h(2.0, ClockUnit::Weeks), 80.0);
        assert_eq!(h(1.0, ClockUnit::SameDay), 8.0);
        assert_eq!(statutory_working_hours(2.0, ClockUnit::WorkingDays, 7.0), 14.0);
    }

    #[test]
    fn the_heaviest_path_is_found_and_where_it_crosses() {
        // 0 → 1 → 3 and 0 → 2 → 3; the branch through 2 is heavier.
        let edges = vec![vec![1, 2], vec![3], vec![3], vec![]];
        assert!(longest_over_one(&edges, &[0.1, 0.2, 0.5, 0.2], 0).is_none());
        let over = longest_over_one(&edges, &[0.1, 0.2, 0.6, 0.4], 0).unwrap();
        assert_eq!(over.path, vec![0, 2, 3]);
        assert_eq!(over.crossing, 3);
        assert!((over.total - 1.1).abs() < 1e-12);
        // Backward edges (send_back) are not paths of new work.
        let edges = vec![vec![1], vec![0, 2], vec![]];
        assert!(longest_over_one(&edges, &[0.4, 0.3, 0.3], 0).is_none());
    }
}
