//! Processing routes (issue 5): the shipped definitions (`routes/*.toml`, compiled in) or an
//! administrator's directory, validated at start. Validation is the core's
//! ([`motcua_core::route::check_set`]); this module reads the files and checks each route that
//! names procedures against their statutory processing times in the catalogue.

use motcua_core::catalogue::Procedure;
use motcua_core::route::{check_set, Problem, RouteSet, DEFAULT_HOURS_PER_DAY};
use std::path::Path;

/// The routes shipped with motcua (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    ("default-commune.toml", include_str!("../../../routes/default-commune.toml")),
    ("default-province.toml", include_str!("../../../routes/default-province.toml")),
    ("inter-agency-2.002835.toml", include_str!("../../../routes/inter-agency-2.002835.toml")),
    ("chained-2.000986.toml", include_str!("../../../routes/chained-2.000986.toml")),
];

/// Reads every `*.toml` file of `dir` (sorted by name) as (file name, text).
///
/// # Errors
/// The directory or a file cannot be read.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)?;
            Ok((p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), text))
        })
        .collect()
}

/// Validates route files: each file on its own, the set as a whole, and each route naming
/// procedures against those procedures' statutory processing times (the catalogue's first
/// channel that states one; working days of [`DEFAULT_HOURS_PER_DAY`] hours). Every problem
/// names its file and line.
///
/// # Errors
/// Every problem found, in file and line order.
pub fn check<N: AsRef<str>, T: AsRef<str>>(
    files: &[(N, T)],
    procedure: impl Fn(&str) -> Option<Procedure>,
) -> Result<RouteSet, Vec<Problem>> {
    let set = check_set(files)?;
    let mut problems = Vec::new();
    for route in set.routes() {
        if let motcua_core::route::AppliesTo::Procedures(codes) = &route.applies_to {
            for code in codes {
                let Some(p) = procedure(code) else { continue };
                for channel in &p.channels {
                    problems.extend(route.check_processing_time(&channel.processing_time, DEFAULT_HOURS_PER_DAY));
                }
            }
        }
    }
    problems.sort_by(|a, b| (a.file.as_str(), a.line, a.column).cmp(&(b.file.as_str(), b.line, b.column)));
    problems.dedup();
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(problems)
    }
}

/// Problems as lines `file:line:column: message [code]`.
pub fn report(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_routes_are_valid_against_the_bundled_catalogue() {
        let catalogue = crate::bootstrap::bundled_catalogue().unwrap();
        let find = |code: &str| catalogue.iter().find(|b| b.procedure.code == code).map(|b| b.procedure.clone());
        let set = check(SHIPPED, find).unwrap_or_else(|p| panic!("{}", report(&p)));
        assert_eq!(set.routes().len(), SHIPPED.len());
        // The directory in the repository is what is compiled in.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../routes");
        let on_disk = read_dir(&dir).unwrap();
        let mut shipped: Vec<_> = SHIPPED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        shipped.sort();
        assert_eq!(on_disk, shipped);
    }

    #[test]
    fn a_route_over_its_procedures_time_is_refused_with_file_and_line() {
        // The inter-agency route's procedure (7 working days) given one working day instead.
        let catalogue = crate::bootstrap::bundled_catalogue().unwrap();
        let find = |code: &str| {
            catalogue.iter().find(|b| b.procedure.code == code).map(|b| {
                let mut p = b.procedure.clone();
                for c in &mut p.channels {
                    c.processing_time = motcua_core::catalogue::ProcessingTime::Specified {
                        value: 1.0,
                        unit: motcua_core::catalogue::TimeUnit::WorkingDays,
                    };
                }
                p
            })
        };
        let problems = check(SHIPPED, find).unwrap_err();
        assert!(!problems.is_empty());
        assert!(problems.iter().all(|p| p.code == motcua_core::route::ProblemCode::BudgetOverStatutoryTime));
        assert!(problems.iter().all(|p| p.line > 0 && p.file.ends_with(".toml")), "{}", report(&problems));
    }
}
