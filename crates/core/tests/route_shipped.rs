//! The routes shipped in `routes/`: each loads, the directory loads as a set, and each route is
//! walked end to end: forward, send back, supplement, refusal before and after receipt,
//! approval, signature and return, with the national status at every state and the agency
//! that performs each step.
//!
//! The procedures of the two named routes are checked against their real catalogue records
//! (`fixtures/route-procedures.jsonl`, copied verbatim from
//! `shared/data/procedures/national-portal-crawl.jsonl`).

use motcua_core::agency::Agency;
use motcua_core::catalogue::import::{parse_record, CrawlRecord};
use motcua_core::catalogue::{Channel, Level, ProcessingTime, TimeUnit};
use motcua_core::legal_time::ClockUnit;
use motcua_core::national_status::NationalStatus as N;
use motcua_core::route::{
    self, check_set, Action, AppliesTo, Budget, ProblemCode, Role, Route, RouteError, RouteState, StepAgency,
    DEFAULT_HOURS_PER_DAY,
};
use std::path::PathBuf;

const ALL_ROLES: [Role; 4] = Role::ALL;

fn routes_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../routes")
}

fn shipped_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(routes_dir())
        .expect("routes/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = format!("routes/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).expect("readable route file"))
        })
        .collect();
    files.sort();
    files
}

fn load(file: &str) -> Route {
    let text = std::fs::read_to_string(routes_dir().join(file)).expect("route file");
    match route::parse(&format!("routes/{file}"), &text) {
        Ok(r) => r,
        Err(problems) => {
            panic!("{file} does not load:\n{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))
        }
    }
}

fn procedure(code: &str) -> motcua_core::catalogue::Procedure {
    let text = include_str!("fixtures/route-procedures.jsonl");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r: CrawlRecord = serde_json::from_str(line).expect("fixture line is a crawl record");
        if r.ma_thu_tuc == code {
            return parse_record(&r).procedure;
        }
    }
    panic!("no fixture record {code}");
}

/// Takes `action` with every role (as the one-person commune official of issue 5 item 7).
fn act(route: &Route, state: &RouteState, action: Action, target: Option<&str>) -> RouteState {
    route
        .advance(state, action, target, &ALL_ROLES)
        .unwrap_or_else(|e| panic!("{}: {action} at {state:?}: {e}", route.id))
}

/// The agencies of the walks: ward 00004 of Hà Nội (01), its People's Committee receiving.
fn ubndx_00004() -> Agency {
    Agency {
        code: "UBNDX.00004".into(),
        name: "Ủy ban nhân dân Phường Ba Đình, Thành phố Hà Nội".into(),
        name_en: "People's Committee of Ba Dinh Ward, Ha Noi".into(),
        kind: "UBNDX".into(),
        level: Level::Commune,
        parent_code: Some("UBNDT.01".into()),
        province_code: Some("01".into()),
        commune_code: Some("00004".into()),
    }
}

#[test]
fn the_directory_loads_as_a_set() {
    let files = shipped_files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "routes/chained-2.000986.toml",
            "routes/default-commune.toml",
            "routes/default-province.toml",
            "routes/inter-agency-2.002835.toml"
        ]
    );
    let set = check_set(&files).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(set.routes().len(), 4);
    // A procedure with its own route gets it; any other gets the default of its level.
    assert_eq!(set.route_for("2.000986", Level::Commune).unwrap().id, "chained-2.000986");
    assert_eq!(set.route_for("2.002835", Level::Commune).unwrap().id, "inter-agency-2.002835");
    assert_eq!(set.route_for("2.002835", Level::Province).unwrap().id, "inter-agency-2.002835");
    assert_eq!(set.route_for("1.010041", Level::Commune).unwrap().id, "default-commune");
    assert_eq!(set.route_for("1.010041", Level::Province).unwrap().id, "default-province");
    assert!(set.route_for("1.010041", Level::Ministry).is_none());
    assert_eq!(set.get("default-commune").unwrap().applies_to, AppliesTo::DefaultFor(Level::Commune));
}

/// Every shipped route: the plain path (receive, then the first move of each step, up to the
/// return) ends returned, and each step on it can be acted on with its own role only.
#[test]
fn every_shipped_route_walks_from_receipt_to_return() {
    for (name, text) in shipped_files() {
        let route = route::parse(&name, &text).unwrap();
        let mut state = route.start();
        assert_eq!(route.national_status(&state), N::Registered, "{name}");
        let mut visited = Vec::new();
        for _ in 0..=route.steps.len() {
            let Some(step_id) = state.step().map(str::to_string) else { break };
            visited.push(step_id.clone());
            let step = route.step(&step_id).unwrap();
            let action = [Action::Receive, Action::Forward, Action::Approve, Action::Sign, Action::ReturnResult]
                .into_iter()
                .find(|a| step.allows(*a))
                .unwrap_or_else(|| panic!("{name}: {step_id} has no move"));
            // Only the step's role may act.
            for role in Role::ALL.into_iter().filter(|r| *r != step.role) {
                assert_eq!(
                    route.advance(&state, action, None, &[role]),
                    Err(RouteError::WrongRole { step: step_id.clone(), role: step.role }),
                    "{name}: {role} at {step_id}"
                );
            }
            state = route.advance(&state, action, None, &[step.role]).unwrap();
        }
        assert_eq!(state, RouteState::Returned, "{name}: {visited:?}");
        assert_eq!(route.national_status(&state), N::ResultReturned);
        assert_eq!(visited.first().map(String::as_str), Some(route.receive_step().id.as_str()));
        // Nothing more once returned.
        assert_eq!(route.advance(&state, Action::Refuse, None, &ALL_ROLES), Err(RouteError::Ended));
        assert!(route.allowed_in(&state, &ALL_ROLES).is_empty());
    }
}

#[test]
fn default_commune_route_end_to_end() {
    let r = load("default-commune.toml");
    assert_eq!(r.applies_to, AppliesTo::DefaultFor(Level::Commune));
    let ids: Vec<&str> = r.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["receive", "examine", "decide", "return"]);
    assert!(r.steps.iter().all(|s| s.agency == StepAgency::Receiving));
    assert!(r.steps.iter().all(|s| matches!(s.budget, Some(Budget::Share(_)))));

    // Submitted: only receive, supplement or refuse; nothing else before receipt.
    let s0 = r.start();
    assert_eq!(s0, RouteState::At { step: "receive".into(), received: false });
    let allowed: Vec<Action> = r.allowed_in(&s0, &[Role::ReceivingDesk]).iter().map(|a| a.action).collect();
    assert_eq!(allowed, [Action::Receive, Action::RequestSupplement, Action::Refuse]);
    assert!(r.allowed_in(&s0, &[Role::Specialist, Role::Leader]).is_empty());
    assert_eq!(
        r.advance(&s0, Action::Forward, None, &ALL_ROLES),
        Err(RouteError::NotReceived { action: Action::Forward })
    );

    // A supplement asked at the desk before receipt: the dossier waits, then comes back.
    let waiting = act(&r, &s0, Action::RequestSupplement, None);
    assert_eq!(waiting, RouteState::AwaitingSupplement { step: "receive".into(), received: false });
    assert_eq!(r.national_status(&waiting), N::SupplementRequested);
    assert_eq!(
        r.advance(&waiting, Action::Receive, None, &ALL_ROLES),
        Err(RouteError::AwaitingSupplement { action: Action::Receive })
    );
    let back = waiting.supplemented().unwrap();
    assert_eq!(back, s0);
    assert_eq!(s0.supplemented(), Err(RouteError::NotAwaitingSupplement));

    // Receive → examine: in progress.
    let s1 = act(&r, &back, Action::Receive, None);
    assert_eq!(s1, RouteState::At { step: "examine".into(), received: true });
    assert_eq!(r.national_status(&s1), N::InProgress);
    let allowed: Vec<Action> = r.allowed_in(&s1, &[Role::Specialist]).iter().map(|a| a.action).collect();
    assert_eq!(allowed, [Action::Forward, Action::SendBack, Action::RequestSupplement, Action::Refuse]);

    // Sent back to the desk (received stays true: national status 2), received again.
    let s2 = act(&r, &s1, Action::SendBack, None);
    assert_eq!(s2, RouteState::At { step: "receive".into(), received: true });
    assert_eq!(r.national_status(&s2), N::Received);
    let s3 = act(&r, &s2, Action::Receive, None);
    assert_eq!(s3, s1);

    // A supplement asked during examination resumes at the examination.
    let w = act(&r, &s3, Action::RequestSupplement, None);
    assert_eq!(w, RouteState::AwaitingSupplement { step: "examine".into(), received: true });
    assert_eq!(r.national_status(&w), N::SupplementRequested);
    let s4 = w.supplemented().unwrap();
    assert_eq!(s4, s3);

    // Forward, leader sends back, forward again, approve, return.
    let s5 = act(&r, &s4, Action::Forward, None);
    assert_eq!(s5.step(), Some("decide"));
    assert_eq!(r.national_status(&s5), N::InProgress);
    assert_eq!(act(&r, &s5, Action::SendBack, None).step(), Some("examine"));
    let s6 = act(&r, &s5, Action::Approve, None);
    assert_eq!(s6, RouteState::At { step: "return".into(), received: true });
    assert_eq!(r.national_status(&s6), N::Processed);
    assert_eq!(
        r.advance(&s6, Action::Approve, None, &ALL_ROLES),
        Err(RouteError::NotAllowed { step: "return".into(), action: Action::Approve })
    );
    let end = act(&r, &s6, Action::ReturnResult, None);
    assert_eq!(end, RouteState::Returned);
    assert_eq!(r.national_status(&end), N::ResultReturned);

    // Refusal before receipt is "not received" (3); after receipt "processing stopped" (8),
    // and a dossier waiting on a supplement may still be refused.
    let refused = act(&r, &s0, Action::Refuse, None);
    assert_eq!(refused, RouteState::Refused { received: false });
    assert_eq!(r.national_status(&refused), N::NotReceived);
    let stopped = act(&r, &s1, Action::Refuse, None);
    assert_eq!(r.national_status(&stopped), N::Stopped);
    assert_eq!(act(&r, &w, Action::Refuse, None), RouteState::Refused { received: true });
    assert_eq!(r.advance(&stopped, Action::Receive, None, &ALL_ROLES), Err(RouteError::Ended));

    // Targets: none needed, a wrong one refused, one for an action without targets refused.
    assert_eq!(
        r.advance(&s1, Action::Forward, Some("return"), &ALL_ROLES),
        Err(RouteError::UnknownTarget { step: "examine".into(), action: Action::Forward, target: "return".into() })
    );
    assert_eq!(
        r.advance(&s1, Action::Refuse, Some("decide"), &ALL_ROLES),
        Err(RouteError::TargetNotExpected { action: Action::Refuse })
    );
    assert_eq!(r.apply("nowhere", Action::Forward, None), Err(RouteError::UnknownStep("nowhere".into())));

    // Shares only: fits a same-day procedure as well as a 30-day one.
    for (value, unit) in [(1.0, ClockUnit::SameDay), (4.0, ClockUnit::WorkingHours), (30.0, ClockUnit::CalendarDays)] {
        assert!(r.check_statutory(value, unit, DEFAULT_HOURS_PER_DAY).is_empty());
    }
}

#[test]
fn default_province_route_end_to_end() {
    let r = load("default-province.toml");
    assert_eq!(r.applies_to, AppliesTo::DefaultFor(Level::Province));
    let s = act(&r, &r.start(), Action::Receive, None);
    assert_eq!(s.step(), Some("examine"));
    assert_eq!(r.step("examine").unwrap().agency, StepAgency::Competent);
    let s = act(&r, &s, Action::Forward, None);
    assert_eq!(s.step(), Some("review"));
    // The head of division sends it back; the specialist asks a supplement, gets it, forwards.
    let s = act(&r, &s, Action::SendBack, None);
    assert_eq!(s.step(), Some("examine"));
    let s = act(&r, &s, Action::RequestSupplement, None).supplemented().unwrap();
    let s = act(&r, &s, Action::Forward, None);
    let s = act(&r, &s, Action::Approve, None);
    assert_eq!(s.step(), Some("sign"));
    // Only a leader signs.
    assert!(matches!(r.advance(&s, Action::Sign, None, &[Role::Specialist]), Err(RouteError::WrongRole { .. })));
    let s = act(&r, &s, Action::Sign, None);
    assert_eq!(r.national_status(&s), N::Processed);
    assert_eq!(act(&r, &s, Action::ReturnResult, None), RouteState::Returned);
    // The department's leader may still refuse at signature.
    let at_sign = RouteState::At { step: "sign".into(), received: true };
    assert_eq!(act(&r, &at_sign, Action::Refuse, None), RouteState::Refused { received: true });

    // The competent agency: the receiving agency when it is of the procedure's kinds, else
    // the procedure's kind in the receiving agency's province.
    let desk = ubndx_00004();
    let competent = &r.step("examine").unwrap().agency;
    assert_eq!(competent.resolve(&desk, &["UBNDX".into()]).as_deref(), Some("UBNDX.00004"));
    assert_eq!(competent.resolve(&desk, &["STP".into()]).as_deref(), Some("STP.01"));
    assert_eq!(competent.resolve(&desk, &[]), None);
}

#[test]
fn inter_agency_route_of_2_002835() {
    let r = load("inter-agency-2.002835.toml");
    assert_eq!(r.applies_to, AppliesTo::Procedures(vec!["2.002835".into()]));
    let p = procedure("2.002835");
    assert_eq!(p.code, "2.002835");
    assert_eq!(p.processing_time_for(Channel::Online), Some((7.0, TimeUnit::WorkingDays)));

    // Who does what, for a dossier received at the ward of Ba Đình (Hà Nội).
    let desk = ubndx_00004();
    let agencies: Vec<(String, String)> = r
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.agency.resolve(&desk, &p.agency_kinds).expect("agency resolves")))
        .collect();
    let expected = [
        ("receive", "UBNDX.00004"),
        ("examine", "SNNMT.01"),
        ("submit", "SNNMT.01"),
        ("confirm", "UBNDT.01"),
        ("return", "UBNDX.00004"),
    ];
    assert_eq!(agencies, expected.map(|(a, b)| (a.to_string(), b.to_string())));

    // End to end with a send back from the department to the commune desk and a supplement.
    let s = act(&r, &r.start(), Action::Receive, None);
    assert_eq!(s.step(), Some("examine"));
    assert_eq!(r.national_status(&s), N::InProgress);
    let s = act(&r, &s, Action::SendBack, None);
    assert_eq!(s, RouteState::At { step: "receive".into(), received: true });
    let s = act(&r, &s, Action::RequestSupplement, None);
    assert_eq!(r.national_status(&s), N::SupplementRequested);
    let s = act(&r, &s.supplemented().unwrap(), Action::Receive, None);
    let s = act(&r, &s, Action::Forward, None);
    let s = act(&r, &s, Action::Approve, None);
    assert_eq!(s.step(), Some("confirm"));
    let s = act(&r, &s, Action::Sign, None);
    assert_eq!(s.step(), Some("return"));
    assert_eq!(r.national_status(&s), N::Processed);
    assert_eq!(act(&r, &s, Action::ReturnResult, None), RouteState::Returned);
    // The Chairman may refuse; the department may refuse after examining.
    let confirm = RouteState::At { step: "confirm".into(), received: true };
    assert_eq!(r.national_status(&act(&r, &confirm, Action::Refuse, None)), N::Stopped);

    // Budgets against the real statutory time: 4 h + 40 % + 8 h + 8 h + 4 h of 56 h fits.
    let catalogue_time = &p.channels[0].processing_time;
    assert_eq!(catalogue_time, &ProcessingTime::Specified { value: 7.0, unit: TimeUnit::WorkingDays });
    assert!(r.check_processing_time(catalogue_time, DEFAULT_HOURS_PER_DAY).is_empty());
    // Four working days (32 h) do not: 4/32 + 0.4 + 8/32 + 8/32 = 1.025 at `confirm`.
    let over = r.check_processing_time(
        &ProcessingTime::Specified { value: 4.0, unit: TimeUnit::WorkingDays },
        DEFAULT_HOURS_PER_DAY,
    );
    assert_eq!(over.len(), 1, "{over:#?}");
    assert_eq!(over[0].code, ProblemCode::BudgetOverStatutoryTime);
    assert_eq!(over[0].file, "routes/inter-agency-2.002835.toml");
    assert_eq!(over[0].line, r.step("confirm").unwrap().budget_at.unwrap().line);
    assert!(over[0].message.contains("receive → examine → submit → confirm → return"), "{}", over[0].message);
}

#[test]
fn chained_route_of_2_000986() {
    let r = load("chained-2.000986.toml");
    assert_eq!(r.applies_to, AppliesTo::Procedures(vec!["2.000986".into()]));
    let p = procedure("2.000986");
    assert!(p.name.starts_with("Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú"));

    // Three agencies: the commune People's Committee, the commune police, Social Security.
    let desk = ubndx_00004();
    let agencies: Vec<String> =
        r.steps.iter().map(|s| s.agency.resolve(&desk, &p.agency_kinds).expect("agency resolves")).collect();
    assert_eq!(
        agencies,
        [
            "UBNDX.00004",
            "UBNDX.00004",
            "UBNDX.00004",
            "UBNDX.00004",
            "CAX.00004",
            "CAX.00004",
            "BHXHT.01",
            "BHXHT.01",
            "UBNDX.00004"
        ]
    );

    // The whole chain, with the police sending the residence file back to the commune, which
    // asks the parents for a document and sends it again; then Social Security sends its file
    // back and the commune sends it straight back to Social Security (a named target).
    let s = act(&r, &r.start(), Action::Receive, None);
    assert_eq!(s.step(), Some("register_birth"));
    let s = act(&r, &s, Action::Forward, None);
    let s = act(&r, &s, Action::Sign, None);
    assert_eq!(s.step(), Some("prepare_transfer"));
    let s = act(&r, &s, Action::Forward, None);
    assert_eq!(s.step(), Some("register_residence"), "the first target is the default");
    assert_eq!(r.national_status(&s), N::InProgress);
    let s = act(&r, &s, Action::SendBack, None);
    assert_eq!(s.step(), Some("prepare_transfer"));
    let s = act(&r, &s, Action::RequestSupplement, None);
    assert_eq!(s, RouteState::AwaitingSupplement { step: "prepare_transfer".into(), received: true });
    let s = act(&r, &s.supplemented().unwrap(), Action::Forward, Some("register_residence"));
    let s = act(&r, &s, Action::Forward, None);
    let s = act(&r, &s, Action::Approve, None);
    assert_eq!(s.step(), Some("issue_insurance_card"));
    let s = act(&r, &s, Action::SendBack, None);
    assert_eq!(s.step(), Some("prepare_transfer"));
    let s = act(&r, &s, Action::Forward, Some("issue_insurance_card"));
    assert_eq!(s.step(), Some("issue_insurance_card"));
    let s = act(&r, &s, Action::Forward, None);
    let s = act(&r, &s, Action::Approve, None);
    assert_eq!(s, RouteState::At { step: "return".into(), received: true });
    assert_eq!(r.national_status(&s), N::Processed);
    assert_eq!(act(&r, &s, Action::ReturnResult, None), RouteState::Returned);

    // Neither the police nor Social Security may refuse the whole chain: they send it back.
    for step in ["register_residence", "issue_insurance_card"] {
        let at = RouteState::At { step: step.into(), received: true };
        assert!(matches!(r.advance(&at, Action::Refuse, None, &ALL_ROLES), Err(RouteError::NotAllowed { .. })));
    }
    // The commune may refuse the birth registration.
    let at = RouteState::At { step: "register_birth".into(), received: true };
    assert_eq!(r.national_status(&act(&r, &at, Action::Refuse, None)), N::Stopped);

    // The statutory time: the record's column says "20 Ngày", which the importer reads as 20
    // calendar days (at least 14 working days, 112 h); its text says at most 20 working days
    // (160 h). The budgets fit both: 32 h + 65 % of 112 h = 104.8 h.
    let time = p.processing_time_for(Channel::InPerson).unwrap();
    assert_eq!(time, (20.0, TimeUnit::CalendarDays));
    assert!(r.check_processing_time(&p.channels[0].processing_time, DEFAULT_HOURS_PER_DAY).is_empty());
    assert!(r.check_statutory(20.0, ClockUnit::WorkingDays, DEFAULT_HOURS_PER_DAY).is_empty());
    // Ten working days (80 h) would not: 4 + 2 + 2 + 4 + 24 (30 %) + 8 + 28 (35 %) + 8 + 4 = 84 h
    // through the police, crossing 80 h at the return.
    let over = r.check_statutory(10.0, ClockUnit::WorkingDays, DEFAULT_HOURS_PER_DAY);
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].code, ProblemCode::BudgetOverStatutoryTime);
    assert_eq!(over[0].line, r.step("return").unwrap().budget_at.unwrap().line);
    assert!(over[0].message.contains("need 84 working hours"), "{}", over[0].message);
}

/// The steps passed by a plan, as (step, action) pairs.
fn moves(hops: &[route::Hop]) -> Vec<(String, Action)> {
    hops.iter().map(|h| (h.step.clone(), h.action)).collect()
}

#[test]
fn one_official_with_every_duty_takes_the_foundation_path_on_each_default_route() {
    use motcua_core::dossier::Status;
    let all = |_: &route::Step| true;
    // Commune: receive → (forward at examine) approve at decide → return_result.
    let r = load("default-commune.toml");
    let received = act(&r, &r.start(), Action::Receive, None);
    assert_eq!(r.status_of(&received), Status::Received);
    let hops = r.plan(&received, Action::Approve, None, &all).unwrap();
    assert_eq!(moves(&hops), [("examine".into(), Action::Forward), ("decide".into(), Action::Approve)]);
    let approved = hops.last().unwrap().to.clone();
    assert_eq!(approved, RouteState::At { step: "return".into(), received: true });
    assert_eq!(r.status_of(&approved), Status::Approved);
    let hops = r.plan(&approved, Action::ReturnResult, None, &all).unwrap();
    assert_eq!(moves(&hops), [("return".into(), Action::ReturnResult)]);
    assert_eq!(r.status_of(&hops[0].to), Status::Returned);

    // Province: approve at review leads to the signature; return_result passes the signature.
    let p = load("default-province.toml");
    let received = act(&p, &p.start(), Action::Receive, None);
    let hops = p.plan(&received, Action::Approve, None, &all).unwrap();
    assert_eq!(moves(&hops), [("examine".into(), Action::Forward), ("review".into(), Action::Approve)]);
    assert_eq!(p.status_of(&hops[1].to), Status::Received, "signed later: not yet processed");
    let hops = p.plan(&hops[1].to, Action::ReturnResult, None, &all).unwrap();
    assert_eq!(moves(&hops), [("sign".into(), Action::Sign), ("return".into(), Action::ReturnResult)]);

    // A step allowing the action itself is taken directly, never skipped past.
    let hops = p.plan(&received, Action::Refuse, None, &all).unwrap();
    assert_eq!(moves(&hops), [("examine".into(), Action::Refuse)]);
}

#[test]
fn a_plan_never_passes_a_step_the_official_does_not_perform() {
    let r = load("default-commune.toml");
    let received = act(&r, &r.start(), Action::Receive, None);
    // A specialist only: may forward, may not approve (the leader's step), not even by passing it.
    let specialist = |s: &route::Step| s.role == Role::Specialist;
    assert_eq!(
        r.plan(&received, Action::Approve, None, &specialist),
        Err(RouteError::NotAllowed { step: "examine".into(), action: Action::Approve })
    );
    let hops = r.plan(&received, Action::Forward, None, &specialist).unwrap();
    assert_eq!(hops[0].to, RouteState::At { step: "decide".into(), received: true });
    // A leader alone cannot act at the specialist's step at all.
    let leader = |s: &route::Step| s.role == Role::Leader;
    assert!(matches!(r.plan(&received, Action::Forward, None, &leader), Err(RouteError::WrongRole { .. })));
    // Before receipt nothing is passed: the desk receives first.
    assert!(matches!(
        r.plan(&r.start(), Action::Approve, None, &|_: &route::Step| true),
        Err(RouteError::NotReceived { .. })
    ));
    // The inter-agency route: the commune desk (holding every commune duty) cannot pass the
    // province department's steps.
    let ia = load("inter-agency-2.002835.toml");
    let commune_only = |s: &route::Step| s.agency == StepAgency::Receiving;
    let received = act(&ia, &ia.start(), Action::Receive, None);
    assert!(matches!(ia.plan(&received, Action::Approve, None, &commune_only), Err(RouteError::WrongRole { .. })));
}

#[test]
fn stored_states_round_trip() {
    use motcua_core::dossier::Status;
    let r = load("default-province.toml");
    let states = [
        r.start(),
        RouteState::At { step: "examine".into(), received: true },
        RouteState::At { step: "return".into(), received: true },
        RouteState::AwaitingSupplement { step: "examine".into(), received: true },
        RouteState::AwaitingSupplement { step: "receive".into(), received: false },
        RouteState::Refused { received: false },
        RouteState::Refused { received: true },
        RouteState::Returned,
    ];
    for s in states {
        let status = r.status_of(&s);
        assert_eq!(RouteState::of(status, s.step(), s.received()), Some(s.clone()), "{status:?}");
        // The national status of the route agrees with the status's, except inside
        // processing, where the route knows better (2 at the desk, 4 at a department).
        let by_status = N::of_status(status, s.received()).unwrap();
        if status != Status::Received {
            assert_eq!(r.national_status(&s), by_status, "{s:?}");
        }
    }
    assert_eq!(RouteState::of(Status::Draft, None, false), None);
    assert_eq!(RouteState::of(Status::Withdrawn, Some("examine"), true), None);
}
