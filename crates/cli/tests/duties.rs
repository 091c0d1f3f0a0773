//! `motcua users duties` and `motcua users officials`: an administrator records what officials
//! do in an agency, from the command line (issue 5, item 3), on the embedded database.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn motcua(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("MOTCUA_PASSWORD", "mat-khau-du-dai-1")
        .output()
        .expect("motcua runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn duties_are_recorded_listed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (user, agency) in [("an.mot.cua", "CAX.00004"), ("binh.lanh.dao", "CAX.00004")] {
        let o = motcua(d, &["users", "create", "--username", user, "--role", "official", "--agency", agency]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Nothing recorded: every duty of the home agency.
    let o = motcua(d, &["users", "officials", "--agency", "CAX.00004"]);
    let listed = stdout(&o);
    assert!(
        listed.contains("an.mot.cua") && listed.contains("receiving_desk,specialist,leader,agency_admin"),
        "{listed}"
    );
    let o = motcua(
        d,
        &["users", "duties", "--username", "an.mot.cua", "--agency", "CAX.00004", "--roles", "receiving_desk"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed = stdout(&motcua(d, &["users", "officials", "--agency", "CAX.00004"]));
    let line = listed.lines().find(|l| l.starts_with("an.mot.cua")).unwrap();
    assert!(line.ends_with("\treceiving_desk"), "{line}");
    // A duty in another agency makes the official appear there too.
    let o =
        motcua(d, &["users", "duties", "--username", "binh.lanh.dao", "--agency", "UBNDX.00004", "--roles", "leader"]);
    assert!(o.status.success());
    let listed = stdout(&motcua(d, &["users", "officials", "--agency", "UBNDX.00004"]));
    assert!(listed.contains("binh.lanh.dao") && listed.trim_end().ends_with("leader"), "{listed}");
    // Bad input: a clear message and a non-zero exit, nothing recorded.
    for (args, says) in [
        (vec!["--username", "an.mot.cua", "--agency", "CAX.00004", "--roles", "boss"], "unknown duty"),
        (vec!["--username", "ai.do", "--agency", "CAX.00004", "--roles", "leader"], "no account"),
        (vec!["--username", "an.mot.cua", "--agency", "NOPE", "--roles", "leader"], "no agency"),
    ] {
        let o = motcua(d, &[&["users", "duties"][..], &args].concat());
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let listed = stdout(&motcua(d, &["users", "officials", "--agency", "CAX.00004"]));
    assert!(listed.lines().find(|l| l.starts_with("an.mot.cua")).unwrap().ends_with("\treceiving_desk"));
}
