//! Validation of route definitions: one broken definition per kind of problem, each giving its
//! own stable code, the file name and the line (and column) of the fault.
//!
//! Most cases are `BASE`, a valid three-step route whose lines carry their numbers as TOML
//! comments, with one or two lines replaced by [`with`]; the expected lines and columns were
//! counted by hand from those texts (a column is the 1-based character where the offending key
//! or value starts).

use motcua_core::legal_time::ClockUnit;
use motcua_core::route::{check_set, parse, Problem, ProblemCode, DEFAULT_HOURS_PER_DAY};

const FILE: &str = "routes/broken.toml";

/// A valid route; each line ends with its own number.
const BASE: &str = r#"id = "t"                          # 1
name_vi = "Thử"                   # 2
name_en = "Test"                  # 3
default_for = "commune"           # 4
                                  # 5
[[step]]                          # 6
id = "receive"                    # 7
name_vi = "Tiếp nhận"             # 8
name_en = "Receive"               # 9
role = "receiving_desk"           # 10
agency = "receiving"              # 11
budget = { share = 0.2 }          # 12
receive = "examine"               # 13
refuse = true                     # 14
                                  # 15
[[step]]                          # 16
id = "examine"                    # 17
name_vi = "Thẩm định"             # 18
name_en = "Examine"               # 19
role = "specialist"               # 20
agency = "receiving"              # 21
budget = { share = 0.6 }          # 22
forward = "return"                # 23
send_back = "receive"             # 24
                                  # 25
[[step]]                          # 26
id = "return"                     # 27
name_vi = "Trả kết quả"           # 28
name_en = "Return"                # 29
role = "receiving_desk"           # 30
agency = "receiving"              # 31
budget = { share = 0.2 }          # 32
return_result = true              # 33
"#;

/// `BASE` with lines replaced: (1-based line number, new text).
fn with(edits: &[(usize, &str)]) -> String {
    let mut lines: Vec<String> = BASE.lines().map(str::to_string).collect();
    for (n, text) in edits {
        lines[n - 1] = (*text).to_string();
    }
    lines.join("\n") + "\n"
}

fn problems(text: &str) -> Vec<Problem> {
    match parse(FILE, text) {
        Ok(r) => panic!("expected problems, but route `{}` loaded", r.id),
        Err(p) => p,
    }
}

/// Asserts exactly one problem, of `code`, at `line`:`column`, in `FILE`; returns its message.
#[track_caller]
fn only(text: &str, code: ProblemCode, line: usize, column: usize) -> String {
    let ps = problems(text);
    assert_eq!(ps.len(), 1, "expected one problem, got:\n{}", render(&ps));
    let p = &ps[0];
    assert_eq!((p.code, p.file.as_str(), p.line, p.column), (code, FILE, line, column), "{p}");
    assert_eq!(p.code.as_str(), serde_json::to_value(p.code).unwrap().as_str().unwrap());
    p.message.clone()
}

fn render(ps: &[Problem]) -> String {
    ps.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_base_is_valid() {
    let r = parse(FILE, BASE).unwrap_or_else(|p| panic!("{}", render(&p)));
    assert_eq!(r.steps.len(), 3);
    assert_eq!(r.steps[1].at.line, 16);
    assert_eq!(r.steps[1].budget_at.unwrap().line, 22);
    assert_eq!(r.at.line, 1);
    assert_eq!(r.applies_to_at.line, 4);
}

#[test]
fn syntax() {
    // Line 20: a bare word is not a TOML value.
    let ps = problems(&with(&[(20, "role = specialist")]));
    assert!(!ps.is_empty());
    assert!(ps.iter().all(|p| p.code == ProblemCode::Syntax && p.line == 20 && p.file == FILE), "{}", render(&ps));
    assert!(ps[0].message.starts_with("not valid TOML"), "{}", ps[0].message);
}

#[test]
fn unknown_key() {
    let m = only(&with(&[(24, r#"sendback = "receive""#)]), ProblemCode::UnknownKey, 24, 1);
    assert!(m.contains("unknown key `sendback` in step `examine`"), "{m}");
    assert!(m.contains("send_back"), "the message lists the known keys: {m}");
}

#[test]
fn missing_key() {
    // Without a role, the step is reported at its `[[step]]` header (line 16).
    let m = only(&with(&[(20, "# no role")]), ProblemCode::MissingKey, 16, 1);
    assert_eq!(m, "step `examine` has no `role`");
    // A route without steps, at the top of the file.
    let m = only(&BASE.lines().take(4).collect::<Vec<_>>().join("\n"), ProblemCode::MissingKey, 1, 1);
    assert!(m.contains("no steps"), "{m}");
}

#[test]
fn wrong_type() {
    // `refuse = ` is 9 characters: the value starts in column 10.
    let m = only(&with(&[(14, r#"refuse = "yes""#)]), ProblemCode::WrongType, 14, 10);
    assert_eq!(m, "`refuse` must be `true` or `false`, not a string");
}

#[test]
fn invalid_value() {
    // `name_vi = ` is 10 characters.
    let m = only(&with(&[(8, r#"name_vi = """#)]), ProblemCode::InvalidValue, 8, 11);
    assert_eq!(m, "`name_vi` is empty");
}

#[test]
fn applies_to() {
    // `default_for = ` is 14 characters.
    let m = only(&with(&[(4, r#"default_for = "district""#)]), ProblemCode::AppliesTo, 4, 15);
    assert!(m.contains("`commune`, `province` or `ministry`"), "{m}");
    // Neither: reported at the route's id value (`id = ` is 5 characters).
    only(&with(&[(4, "# applies to nothing")]), ProblemCode::AppliesTo, 1, 6);
}

#[test]
fn invalid_procedure_code() {
    // `procedures = [` is 14 characters: the first code starts in column 15.
    let m = only(&with(&[(4, r#"procedures = ["1.01004"]"#)]), ProblemCode::InvalidProcedureCode, 4, 15);
    assert_eq!(m, "`1.01004` is not a national procedure code such as `1.010041`");
}

#[test]
fn duplicate_step_id() {
    // Four steps; the third (its header on line 22) repeats `examine` (line 14).
    let text = r#"id = "t"
name_vi = "Thử"
name_en = "Test"
default_for = "commune"

[[step]]
id = "receive"
name_vi = "Tiếp nhận"
name_en = "Receive"
role = "receiving_desk"
agency = "receiving"
receive = "examine"

[[step]]
id = "examine"
name_vi = "Thẩm định"
name_en = "Examine"
role = "specialist"
agency = "receiving"
forward = "return"

[[step]]
id = "examine"
name_vi = "Thẩm định lại"
name_en = "Examine again"
role = "specialist"
agency = "receiving"
forward = "return"

[[step]]
id = "return"
name_vi = "Trả kết quả"
name_en = "Return"
role = "receiving_desk"
agency = "receiving"
return_result = true
"#;
    let m = only(text, ProblemCode::DuplicateStepId, 22, 1);
    assert_eq!(m, "step id `examine` is already used by the step on line 14");
}

#[test]
fn unknown_role() {
    // `role = ` is 7 characters.
    let m = only(&with(&[(20, r#"role = "clerk""#)]), ProblemCode::UnknownRole, 20, 8);
    assert_eq!(m, "unknown role `clerk`: a step's role is one of receiving_desk, specialist, leader, agency_admin");
}

#[test]
fn unknown_agency() {
    // `agency = ` is 9 characters.
    let m = only(&with(&[(21, r#"agency = "department""#)]), ProblemCode::UnknownAgency, 21, 10);
    assert!(m.starts_with("agency `department` is not `receiving`, `competent`"), "{m}");
}

#[test]
fn unknown_agency_kind() {
    // `agency = { kind = ` is 18 characters.
    let m = only(&with(&[(21, r#"agency = { kind = "SXYZ" }"#)]), ProblemCode::UnknownAgencyKind, 21, 19);
    assert!(m.starts_with("unknown agency kind `SXYZ` (known kinds: UBNDX, CAX, UBNDT"), "{m}");
    // A known kind is fine.
    assert!(parse(FILE, &with(&[(21, r#"agency = { kind = "STP" }"#)])).is_ok());
}

#[test]
fn invalid_budget() {
    // `budget = { share = ` is 19 characters.
    let m = only(&with(&[(22, "budget = { share = 1.5 }")]), ProblemCode::InvalidBudget, 22, 20);
    assert!(m.starts_with("a share of 1.5 is not within (0, 1]"), "{m}");
    let m = only(&with(&[(22, "budget = { hours = -2 }")]), ProblemCode::InvalidBudget, 22, 20);
    assert!(m.starts_with("-2 hours is not a positive number of hours"), "{m}");
    // Two keys: reported at the table (column 10).
    only(&with(&[(22, "budget = { share = 0.5, hours = 4 }")]), ProblemCode::InvalidBudget, 22, 10);
}

#[test]
fn budget_shares_over_the_statutory_time() {
    // 0.2 + 0.7 + 0.2 = 1.1: the running sum passes 1 at the return step's budget (line 32,
    // its value after `budget = { share = `, column 20).
    let m = only(&with(&[(22, "budget = { share = 0.7 }")]), ProblemCode::BudgetOverStatutoryTime, 32, 20);
    assert_eq!(
        m,
        "the budget shares along receive → examine → return add up to 1.1, more than the whole statutory processing time (1)"
    );
    // Exactly 1 is allowed, even when decimal shares do not add up exactly in binary.
    assert!(parse(FILE, &with(&[(12, "budget = { share = 0.1 }"), (22, "budget = { share = 0.7 }")])).is_ok());
}

#[test]
fn budget_hours_over_a_procedures_statutory_time() {
    // 40 working hours at `examine`: 0.2 + 40/32 of 4 working days is over at line 22; 10
    // working days (80 h) hold 0.2 + 0.5 + 0.2.
    let r = parse(FILE, &with(&[(22, "budget = { hours = 40 }")])).unwrap();
    assert!(r.check_statutory(10.0, ClockUnit::WorkingDays, DEFAULT_HOURS_PER_DAY).is_empty());
    let ps = r.check_statutory(4.0, ClockUnit::WorkingDays, DEFAULT_HOURS_PER_DAY);
    assert_eq!(ps.len(), 1);
    let p = &ps[0];
    assert_eq!((p.code, p.file.as_str(), p.line, p.column), (ProblemCode::BudgetOverStatutoryTime, FILE, 22, 20));
    assert_eq!(
        p.message,
        "the budgets along receive → examine → return need 52.8 working hours, more than the statutory 4 working days (32 working hours at 8 hours a day)"
    );
    // A same-day procedure (at most one working day) cannot hold 40 hours either.
    assert_eq!(r.check_statutory(1.0, ClockUnit::SameDay, DEFAULT_HOURS_PER_DAY).len(), 1);
}

#[test]
fn unknown_step() {
    // `forward = ["return", ` is 21 characters: `"archive"` starts in column 22.
    let m = only(&with(&[(23, r#"forward = ["return", "archive"]"#)]), ProblemCode::UnknownStep, 23, 22);
    assert_eq!(
        m,
        "`forward` at step `examine` leads to step `archive`, which this route does not define (its steps: receive, examine, return)"
    );
}

#[test]
fn wrong_direction() {
    // `send_back = ` is 12 characters.
    let m = only(&with(&[(24, r#"send_back = "return""#)]), ProblemCode::WrongDirection, 24, 13);
    assert!(m.starts_with("`send_back` at step `examine` leads to `return`, which is not listed before it"), "{m}");
    // `forward = ` is 10 characters.
    let m = only(&with(&[(23, r#"forward = ["return", "receive"]"#)]), ProblemCode::WrongDirection, 23, 22);
    assert!(m.contains("use `send_back`"), "{m}");
}

#[test]
fn no_receive_step() {
    // Reported at the first step's header.
    let m = only(&with(&[(13, r#"forward = "examine""#)]), ProblemCode::NoReceiveStep, 6, 1);
    assert!(m.starts_with("no step allows `receive`"), "{m}");
}

#[test]
fn several_receive_steps() {
    // Reported at the second `receive` key.
    let m = only(&with(&[(23, r#"receive = "return""#)]), ProblemCode::SeveralReceiveSteps, 23, 1);
    assert_eq!(m, "step `examine` also allows `receive`, as step `receive` (line 6) does: dossiers enter a route at one step only");
}

#[test]
fn no_return_step() {
    // Reported at the last step's header.
    let m = only(&with(&[(33, "refuse = true")]), ProblemCode::NoReturnStep, 26, 1);
    assert!(m.starts_with("no step allows `return_result`"), "{m}");
}

#[test]
fn unreachable_step() {
    // The desk sends dossiers straight to the return: nothing leads to `examine` (line 16).
    let m = only(&with(&[(13, r#"receive = "return""#)]), ProblemCode::UnreachableStep, 16, 1);
    assert_eq!(
        m,
        "step `examine` cannot be reached from the receive step `receive`: no action of a reachable step leads to it"
    );
}

#[test]
fn dead_end_step() {
    // `examine` can only ask for a supplement or refuse: no path from it to the return.
    let text =
        with(&[(13, r#"receive = ["examine", "return"]"#), (23, "request_supplement = true"), (24, "refuse = true")]);
    let m = only(&text, ProblemCode::DeadEndStep, 16, 1);
    assert_eq!(
        m,
        "step `examine` is a dead end: no path from it reaches a step that returns the result (it only allows request_supplement, refuse)"
    );
    // A send back is a way out: back at the desk, the dossier can go on to the return.
    assert!(
        parse(FILE, &with(&[(13, r#"receive = ["examine", "return"]"#), (23, "request_supplement = true")])).is_ok()
    );
    // A step with no action at all.
    let text = with(&[(13, r#"receive = ["examine", "return"]"#), (23, "# nothing"), (24, "# nothing")]);
    let m = only(&text, ProblemCode::DeadEndStep, 16, 1);
    assert!(m.starts_with("step `examine` allows no action"), "{m}");
}

#[test]
fn every_problem_is_reported_at_once_in_line_order() {
    let text = with(&[
        (10, r#"role = "desk""#),
        (14, "refuse = 1"),
        (21, r#"agency = { kind = "SXYZ" }"#),
        (24, r#"send_back = "nowhere""#),
    ]);
    let ps = problems(&text);
    let got: Vec<(ProblemCode, usize)> = ps.iter().map(|p| (p.code, p.line)).collect();
    assert_eq!(
        got,
        [
            (ProblemCode::UnknownRole, 10),
            (ProblemCode::WrongType, 14),
            (ProblemCode::UnknownAgencyKind, 21),
            (ProblemCode::UnknownStep, 24),
        ],
        "{}",
        render(&ps)
    );
    // The display form is the one editors jump to.
    assert_eq!(
        ps[0].to_string(),
        "routes/broken.toml:10:8: unknown role `desk`: a step's role is one of receiving_desk, specialist, leader, agency_admin [unknown_role]"
    );
}

#[test]
fn problems_across_a_set_of_files() {
    let commune = BASE.to_string();
    let province = with(&[(1, r#"id = "p""#), (4, r#"default_for = "province""#)]);
    let own = with(&[(1, r#"id = "own""#), (4, r#"procedures = ["2.000986"]"#)]);
    assert!(check_set(&[("a.toml", &commune), ("b.toml", &province), ("c.toml", &own)]).is_ok());

    // The same id twice (at the second file's id, line 1 column 6); the same procedure twice
    // (at its `procedures` value, line 4 column 14); two commune defaults (line 4 column 15).
    let own_again = with(&[(1, r#"id = "own""#), (4, r#"procedures = ["2.000986", "1.010041"]"#)]);
    let commune_again = with(&[(1, r#"id = "c2""#)]);
    let ps = check_set(&[
        ("a.toml", commune.as_str()),
        ("b.toml", province.as_str()),
        ("c.toml", own.as_str()),
        ("d.toml", own_again.as_str()),
        ("e.toml", commune_again.as_str()),
    ])
    .unwrap_err();
    let got: Vec<(ProblemCode, &str, usize, usize)> =
        ps.iter().map(|p| (p.code, p.file.as_str(), p.line, p.column)).collect();
    assert_eq!(
        got,
        [
            (ProblemCode::DuplicateRouteId, "d.toml", 1, 6),
            (ProblemCode::ProcedureClaimedTwice, "d.toml", 4, 14),
            (ProblemCode::DuplicateDefault, "e.toml", 4, 15),
        ],
        "{}",
        render(&ps)
    );
    assert_eq!(ps[1].message, "procedure 2.000986 already has route `own` (c.toml)");

    // A set without a province default; a broken file's own problems come first.
    let ps = check_set(&[("a.toml", commune.as_str()), ("x.toml", &with(&[(20, r#"role = "clerk""#)]))]).unwrap_err();
    let got: Vec<(ProblemCode, &str, usize)> = ps.iter().map(|p| (p.code, p.file.as_str(), p.line)).collect();
    assert_eq!(got, [(ProblemCode::UnknownRole, "x.toml", 20), (ProblemCode::NoDefaultRoute, "", 0)]);
    assert!(ps[1].message.contains("province"), "{}", ps[1].message);
}
