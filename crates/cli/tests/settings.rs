//! Settings given on the command line or in the environment: a bad value stops the command
//! before it touches any data, with a message naming the setting (issue 4, "Bad input").

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

#[test]
fn a_pool_size_out_of_range_or_not_a_number_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    for (value, why) in [("0", "not in 1..=1000"), ("1001", "not in 1..=1000"), ("sixteen", "invalid digit")] {
        let o = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .env("MOTCUA_DB_CONNECTIONS", value)
            .output()
            .expect("motcua runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{value}: accepted");
        assert!(err.contains("--db-connections") && err.contains(why), "{value}: {err}");
        assert!(!dir.path().join("motcua.db").exists(), "{value}: the database was created anyway");
    }
    // In range: the command runs.
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--db-connections", "4", "migrate"])
        .env_remove("DATABASE_URL")
        .env_remove("MOTCUA_DB_CONNECTIONS")
        .output()
        .expect("motcua runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("motcua.db").exists());
}
