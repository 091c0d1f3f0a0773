//! Reading route files: the spanned TOML tree of the `toml` crate, walked by hand so that every
//! problem is reported (not just the first) with its position.

use super::problem::{LineIndex, Pos, Problem, ProblemCode};
use super::validate::{self, DraftAction, DraftStep};
use super::{Action, ActionRule, AppliesTo, Budget, Role, Route, RouteSet, Step, StepAgency};
use crate::agency;
use crate::catalogue::Level;
use std::collections::HashMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

type Value<'i> = Spanned<DeValue<'i>>;

const ROUTE_KEYS: &[&str] = &["id", "name_vi", "name_en", "procedures", "default_for", "source", "step"];
const STEP_KEYS: &[&str] = &[
    "id",
    "name_vi",
    "name_en",
    "role",
    "agency",
    "budget",
    "receive",
    "forward",
    "approve",
    "sign",
    "send_back",
    "request_supplement",
    "refuse",
    "return_result",
];

struct Ctx<'a> {
    file: &'a str,
    lines: LineIndex<'a>,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn at(&self, span: Range<usize>) -> Pos {
        self.lines.pos(span.start)
    }

    fn report(&mut self, code: ProblemCode, at: Pos, message: String) {
        self.problems.push(Problem { file: self.file.to_string(), line: at.line, column: at.column, code, message });
    }

    fn wrong_type(&mut self, key: &str, expected: &str, v: &Value<'_>) {
        let at = self.at(v.span());
        self.report(
            ProblemCode::WrongType,
            at,
            format!("`{key}` must be {expected}, not {}", article(v.get_ref().type_str())),
        );
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], owner: &str) {
        for (k, _) in table.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                let at = self.at(k.span());
                self.report(
                    ProblemCode::UnknownKey,
                    at,
                    format!("unknown key `{}` in {owner} (known keys: {})", k.get_ref(), known.join(", ")),
                );
            }
        }
    }

    /// A string under `key`: reported when absent (if `required`), of another type, or empty.
    fn string(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        required: bool,
        owner: &str,
        owner_at: Pos,
    ) -> Option<(String, Pos)> {
        let Some(v) = get(t, key) else {
            if required {
                self.report(ProblemCode::MissingKey, owner_at, format!("{owner} has no `{key}`"));
            }
            return None;
        };
        let at = self.at(v.span());
        match v.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                self.report(ProblemCode::InvalidValue, at, format!("`{key}` is empty"));
                None
            }
            DeValue::String(s) => Some((s.trim().to_string(), at)),
            _ => {
                self.wrong_type(key, "a string", v);
                None
            }
        }
    }

    /// An identifier (route or step id): letters, digits, `-` and `_`.
    fn ident(&mut self, t: &DeTable<'_>, owner: &str, owner_at: Pos) -> Option<(String, Pos)> {
        let (id, at) = self.string(t, "id", true, owner, owner_at)?;
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            self.report(
                ProblemCode::InvalidValue,
                at,
                format!("id `{id}` may hold only ASCII letters, digits, `-`, `_` and `.`"),
            );
            return None;
        }
        Some((id, at))
    }
}

fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" | "array" => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        _ => None,
    }
}

/// A national procedure code: digits, a dot, six digits (`1.010041`, `2.000986`).
fn is_procedure_code(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.len() == 6
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Parses and validates one route file. `file_name` is only used in problems.
///
/// Checks, each a [`ProblemCode`]: TOML syntax; unknown keys, missing keys, wrong types and
/// empty values; what the route applies to (exactly one of `procedures`, a list of national
/// codes, or `default_for` = `commune` | `province` | `ministry`); per step: a unique id,
/// both names, a known role, an agency (`receiving`, `competent` or `{ kind = "CODE" }` with
/// a kind of `agency::KINDS`), a budget of positive working `hours` or a `share` in (0, 1];
/// actions: each target is a step of the route, listed later (earlier for `send_back`); the
/// route: exactly one step allows `receive`, at least one allows `return_result`, every step
/// is reachable from the receive step and can reach a step that returns the result, and the
/// shares along any path from the receive step add up to at most 1.
///
/// # Errors
/// Every problem found, sorted by position. A file that is not valid TOML reports only its
/// syntax errors.
pub fn parse(file_name: &str, text: &str) -> Result<Route, Vec<Problem>> {
    let mut cx = Ctx { file: file_name, lines: LineIndex::new(text), problems: Vec::new() };
    let route = read_route(&mut cx, text);
    finish(cx, route)
}

fn finish<T>(cx: Ctx<'_>, value: Option<T>) -> Result<T, Vec<Problem>> {
    let mut problems = cx.problems;
    match value {
        Some(v) if problems.is_empty() => Ok(v),
        _ => {
            problems.sort_by_key(|p| (p.line, p.column));
            Err(problems)
        }
    }
}

fn read_route(cx: &mut Ctx<'_>, text: &str) -> Option<Route> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let at = cx.lines.pos(e.span().map_or(0, |s| s.start));
            cx.report(ProblemCode::Syntax, at, format!("not valid TOML: {}", e.message()));
        }
        return None;
    }
    let top = doc.get_ref();
    let top_at = Pos { line: 1, column: 1 };
    cx.unknown_keys(top, ROUTE_KEYS, "the route");
    let id = cx.ident(top, "the route", top_at);
    let name_vi = cx.string(top, "name_vi", true, "the route", top_at);
    let name_en = cx.string(top, "name_en", true, "the route", top_at);
    let source = cx.string(top, "source", false, "the route", top_at);
    let applies_to = read_applies_to(cx, top, id.as_ref().map_or(top_at, |(_, at)| *at));

    let mut drafts = Vec::new();
    let mut steps = Vec::new();
    match get(top, "step") {
        None => cx.report(
            ProblemCode::MissingKey,
            top_at,
            "the route has no steps: add `[[step]]` tables, one per step".to_string(),
        ),
        Some(v) => match v.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            let (draft, step) = read_step(cx, t, cx.at(item.span()));
                            drafts.push(draft);
                            steps.push(step);
                        }
                        _ => cx.wrong_type("step", "a table (`[[step]]`)", item),
                    }
                }
            }
            _ => cx.wrong_type("step", "an array of tables (`[[step]]`)", v),
        },
    }
    if !drafts.is_empty() {
        let mut report = |code, at, message| cx.report(code, at, message);
        validate::check_steps(&drafts, &mut report);
    }
    let (id, at) = id?;
    let (applies_to, applies_to_at) = applies_to?;
    Some(Route {
        id,
        name_vi: name_vi?.0,
        name_en: name_en?.0,
        applies_to,
        source: source.map(|s| s.0),
        steps: steps.into_iter().collect::<Option<Vec<_>>>()?,
        file: cx.file.to_string(),
        at,
        applies_to_at,
    })
}

fn read_applies_to(cx: &mut Ctx<'_>, top: &DeTable<'_>, id_at: Pos) -> Option<(AppliesTo, Pos)> {
    let procedures = get(top, "procedures");
    let default_for = get(top, "default_for");
    match (procedures, default_for) {
        (None, None) => {
            cx.report(
                ProblemCode::AppliesTo,
                id_at,
                "the route applies to nothing: give `procedures = [\"1.010041\", …]` or `default_for = \"commune\"`"
                    .to_string(),
            );
            None
        }
        (Some(_), Some(d)) => {
            let at = cx.at(d.span());
            cx.report(
                ProblemCode::AppliesTo,
                at,
                "give either `procedures` or `default_for`, not both: a default route applies to every procedure without its own route".to_string(),
            );
            None
        }
        (None, Some(d)) => {
            let at = cx.at(d.span());
            let DeValue::String(s) = d.get_ref() else {
                cx.wrong_type("default_for", "a string", d);
                return None;
            };
            match Level::parse(s) {
                Some(level @ (Level::Commune | Level::Province | Level::Ministry)) => {
                    Some((AppliesTo::DefaultFor(level), at))
                }
                _ => {
                    cx.report(
                        ProblemCode::AppliesTo,
                        at,
                        format!("`default_for` is `{s}`; it must be `commune`, `province` or `ministry`"),
                    );
                    None
                }
            }
        }
        (Some(p), None) => {
            let at = cx.at(p.span());
            let DeValue::Array(items) = p.get_ref() else {
                cx.wrong_type("procedures", "an array of procedure codes", p);
                return None;
            };
            if items.is_empty() {
                cx.report(ProblemCode::AppliesTo, at, "`procedures` is empty".to_string());
                return None;
            }
            let mut codes = Vec::new();
            let mut ok = true;
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(s) if is_procedure_code(s) => codes.push(s.to_string()),
                    DeValue::String(s) => {
                        ok = false;
                        let at = cx.at(item.span());
                        cx.report(
                            ProblemCode::InvalidProcedureCode,
                            at,
                            format!("`{s}` is not a national procedure code such as `1.010041`"),
                        );
                    }
                    _ => {
                        ok = false;
                        cx.wrong_type("procedures", "an array of strings", item);
                    }
                }
            }
            ok.then_some((AppliesTo::Procedures(codes), at))
        }
    }
}

/// Reads one `[[step]]`: the draft the graph checks need, and the step when it is complete.
fn read_step(cx: &mut Ctx<'_>, t: &DeTable<'_>, header: Pos) -> (DraftStep, Option<Step>) {
    let id = cx.ident(t, &format!("the step on line {}", header.line), header);
    let owner = match &id {
        Some((id, _)) => format!("step `{id}`"),
        None => format!("the step on line {}", header.line),
    };
    cx.unknown_keys(t, STEP_KEYS, &owner);
    let name_vi = cx.string(t, "name_vi", true, &owner, header);
    let name_en = cx.string(t, "name_en", true, &owner, header);
    let role = cx.string(t, "role", true, &owner, header).and_then(|(r, at)| {
        let role = Role::parse(&r);
        if role.is_none() {
            let known: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
            cx.report(
                ProblemCode::UnknownRole,
                at,
                format!("unknown role `{r}`: a step's role is one of {}", known.join(", ")),
            );
        }
        role
    });
    let agency = read_agency(cx, t, &owner, header);
    let budget = read_budget(cx, t);

    let mut actions = Vec::new();
    for action in Action::ALL {
        let key = action.as_str();
        let Some(v) = get(t, key) else { continue };
        let key_at = cx.at(t.iter().find(|(k, _)| k.get_ref() == key).map_or(v.span(), |(k, _)| k.span()));
        if action.takes_target() {
            let mut targets: Vec<(String, Pos)> = Vec::new();
            match v.get_ref() {
                DeValue::String(s) => targets.push((s.to_string(), cx.at(v.span()))),
                DeValue::Array(items) if !items.is_empty() => {
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::String(s) if targets.iter().any(|(t, _)| t == s.as_ref()) => {
                                let at = cx.at(item.span());
                                cx.report(ProblemCode::InvalidValue, at, format!("`{key}` names step `{s}` twice"));
                            }
                            DeValue::String(s) => targets.push((s.to_string(), cx.at(item.span()))),
                            _ => cx.wrong_type(key, "a step id (a string)", item),
                        }
                    }
                }
                DeValue::Array(_) => {
                    let at = cx.at(v.span());
                    cx.report(ProblemCode::InvalidValue, at, format!("`{key}` names no step"));
                }
                _ => cx.wrong_type(key, "a step id or an array of step ids", v),
            }
            if !targets.is_empty() {
                actions.push(DraftAction { action, at: key_at, targets });
            }
        } else {
            match v.get_ref() {
                DeValue::Boolean(true) => actions.push(DraftAction { action, at: key_at, targets: Vec::new() }),
                DeValue::Boolean(false) => {}
                _ => cx.wrong_type(key, "`true` or `false`", v),
            }
        }
    }

    let draft = DraftStep { at: header, id: id.as_ref().map(|(id, _)| id.clone()), budget, actions: actions.clone() };
    let step = (|| {
        Some(Step {
            id: id?.0,
            name_vi: name_vi?.0,
            name_en: name_en?.0,
            role: role?,
            agency: agency?,
            budget: budget.map(|(b, _)| b),
            actions: actions
                .into_iter()
                .map(|a| ActionRule {
                    action: a.action,
                    targets: a.targets.into_iter().map(|(t, _)| t).collect(),
                    at: a.at,
                })
                .collect(),
            at: header,
            budget_at: budget.map(|(_, at)| at),
        })
    })();
    (draft, step)
}

fn read_agency(cx: &mut Ctx<'_>, t: &DeTable<'_>, owner: &str, header: Pos) -> Option<StepAgency> {
    let Some(v) = get(t, "agency") else {
        cx.report(
            ProblemCode::MissingKey,
            header,
            format!("{owner} has no `agency` (`receiving`, `competent` or `{{ kind = \"STP\" }}`)"),
        );
        return None;
    };
    let at = cx.at(v.span());
    match v.get_ref() {
        DeValue::String(s) if s == "receiving" => Some(StepAgency::Receiving),
        DeValue::String(s) if s == "competent" => Some(StepAgency::Competent),
        DeValue::String(s) => {
            cx.report(
                ProblemCode::UnknownAgency,
                at,
                format!(
                    "agency `{s}` is not `receiving`, `competent` or an agency kind written `{{ kind = \"STP\" }}`"
                ),
            );
            None
        }
        DeValue::Table(kt) => {
            cx.unknown_keys(kt, &["kind"], "the agency");
            let (code, at) = cx.string(kt, "kind", true, "the agency", at)?;
            if agency::kind(&code).is_none() {
                let known: Vec<_> = agency::KINDS.iter().map(|k| k.code).collect();
                cx.report(
                    ProblemCode::UnknownAgencyKind,
                    at,
                    format!("unknown agency kind `{code}` (known kinds: {})", known.join(", ")),
                );
                return None;
            }
            Some(StepAgency::Kind(code))
        }
        _ => {
            cx.wrong_type("agency", "a string or a table `{ kind = \"…\" }`", v);
            None
        }
    }
}

fn read_budget(cx: &mut Ctx<'_>, t: &DeTable<'_>) -> Option<(Budget, Pos)> {
    let v = get(t, "budget")?;
    let at = cx.at(v.span());
    let bad = |cx: &mut Ctx<'_>, at: Pos, why: String| {
        cx.report(
            ProblemCode::InvalidBudget,
            at,
            format!(
                "{why}: a budget is `{{ hours = 4 }}` (working hours) or `{{ share = 0.25 }}` (of the statutory time)"
            ),
        );
        None
    };
    let DeValue::Table(bt) = v.get_ref() else {
        return bad(cx, at, format!("`budget` is {}", article(v.get_ref().type_str())));
    };
    let entries: Vec<_> = bt.iter().collect();
    let [(k, value)] = entries.as_slice() else {
        return bad(cx, at, format!("`budget` has {} keys, not one", entries.len()));
    };
    let value_at = cx.at(value.span());
    let Some(n) = number(value.get_ref()) else {
        return bad(cx, value_at, format!("`{}` is not a number", k.get_ref()));
    };
    match k.get_ref().as_ref() {
        "hours" if n.is_finite() && n > 0.0 => Some((Budget::WorkingHours(n), value_at)),
        "hours" => bad(cx, value_at, format!("{n} hours is not a positive number of hours")),
        "share" if n.is_finite() && n > 0.0 && n <= 1.0 => Some((Budget::Share(n), value_at)),
        "share" => bad(cx, value_at, format!("a share of {n} is not within (0, 1]")),
        other => {
            let key_at = cx.at(k.span());
            bad(cx, key_at, format!("unknown budget key `{other}`"))
        }
    }
}

/// Parses and validates the route files of a directory: each as [`parse`], then across files:
/// route ids are unique; no procedure is claimed by two routes; one default route at most per
/// level, and one for the commune and one for the province level (issue 5: a procedure
/// without its own route uses the default route for its level). A missing default is a problem
/// of the whole set: its `file` is empty and its line 0.
///
/// # Errors
/// Every problem: each file's own (files in the order given, each by position), then those
/// across files.
pub fn check_set<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<RouteSet, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut routes: Vec<Route> = Vec::new();
    for (name, text) in files {
        match parse(name.as_ref(), text.as_ref()) {
            Ok(r) => routes.push(r),
            Err(p) => problems.extend(p),
        }
    }
    let problem = |r: &Route, at: Pos, code, message| Problem {
        file: r.file.clone(),
        line: at.line,
        column: at.column,
        code,
        message,
    };
    let mut by_id: HashMap<&str, &Route> = HashMap::new();
    let mut by_procedure: HashMap<&str, &Route> = HashMap::new();
    let mut by_level: HashMap<Level, &Route> = HashMap::new();
    for r in &routes {
        if let Some(first) = by_id.insert(&r.id, r) {
            problems.push(problem(
                r,
                r.at,
                ProblemCode::DuplicateRouteId,
                format!("route id `{}` is already used by {} (line {})", r.id, first.file, first.at.line),
            ));
            by_id.insert(&first.id, first);
        }
        match &r.applies_to {
            AppliesTo::Procedures(codes) => {
                for code in codes {
                    if let Some(first) = by_procedure.get(code.as_str()) {
                        problems.push(problem(
                            r,
                            r.applies_to_at,
                            ProblemCode::ProcedureClaimedTwice,
                            format!("procedure {code} already has route `{}` ({})", first.id, first.file),
                        ));
                    } else {
                        by_procedure.insert(code, r);
                    }
                }
            }
            AppliesTo::DefaultFor(level) => {
                if let Some(first) = by_level.get(level) {
                    problems.push(problem(
                        r,
                        r.applies_to_at,
                        ProblemCode::DuplicateDefault,
                        format!("route `{}` ({}) is already the default for {}", first.id, first.file, level.as_str()),
                    ));
                } else {
                    by_level.insert(*level, r);
                }
            }
        }
    }
    for level in [Level::Commune, Level::Province] {
        if !by_level.contains_key(&level) {
            problems.push(Problem {
                file: String::new(),
                line: 0,
                column: 0,
                code: ProblemCode::NoDefaultRoute,
                message: format!(
                    "no route is the default for the {} level: add one with `default_for = \"{}\"`",
                    level.as_str(),
                    level.as_str()
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(RouteSet { routes })
    } else {
        Err(problems)
    }
}
