use std::time::{Duration, SystemTime};

use super::*;

fn record(id: &str, target: &str, users: &[&str]) -> ClaimRecord {
    ClaimRecord {
        run_id: id.into(),
        target: target.into(),
        target_key: target.into(),
        target_name: None,
        users: users.iter().map(|u| u.to_string()).collect(),
        os_user: "ana".into(),
        host: crate::rundir::host_name(),
        pid: std::process::id(),
        started: "2026-12-07T08:00:00Z".into(),
        run_dir: "/runs/wave1".into(),
        sheet: "wave1.csv".into(),
    }
}

fn state() -> (tempfile::TempDir, StateDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(&dir.path().join("state")).unwrap();
    (dir, state)
}

#[test]
fn overlapping_users_on_the_same_target_are_refused_naming_the_holder() {
    let (_dir, state) = state();
    let users: Vec<String> = (1..=8).map(|n| format!("u{n}")).collect();
    let users: Vec<&str> = users.iter().map(String::as_str).collect();
    let _first = Claim::take(&state, &record("a", "https://odin", &users)).unwrap();
    let error = Claim::take(
        &state,
        &record(
            "b",
            "https://odin",
            &["u9", "u2", "u3", "u4", "u5", "u6", "u7"],
        ),
    )
    .unwrap_err();
    let ClaimError::Overlap {
        holder,
        overlap,
        count,
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(holder.run_id, "a");
    assert_eq!(*count, 6);
    assert_eq!(overlap, &["u2", "u3", "u4", "u5", "u6"]);
    let text = error.to_string();
    assert!(text.starts_with("6 users (`u2`, `u3`, `u4`, `u5`, `u6` and 1 more) on https://odin are being changed by another run (pid "), "{text}");
    assert!(
        text.contains("run directory `/runs/wave1`, sheet `wave1.csv`"),
        "{text}"
    );
    // Disjoint users, or another target: side by side.
    let _second = Claim::take(&state, &record("c", "https://odin", &["u9"])).unwrap();
    let _third = Claim::take(&state, &record("d", "https://other", &["u1"])).unwrap();
}

#[test]
fn a_released_claim_blocks_no_one_and_leaves_no_file() {
    let (_dir, state) = state();
    let first = Claim::take(&state, &record("a", "https://odin", &["u1"])).unwrap();
    drop(first);
    let claims = state.path().join("claims");
    assert_eq!(std::fs::read_dir(&claims).unwrap().count(), 0);
    let _again = Claim::take(&state, &record("b", "https://odin", &["u1"])).unwrap();
}

#[test]
fn a_claim_whose_process_died_on_this_host_is_removed() {
    let (_dir, state) = state();
    let claims = state.subdir("claims").unwrap();
    // What a killed run leaves: its record and an unlocked lock file, its heartbeat fresh.
    let dead = record("dead", "https://odin", &["u1"]);
    std::fs::write(
        claims.join("dead.json"),
        serde_json::to_string(&dead).unwrap(),
    )
    .unwrap();
    std::fs::write(claims.join("dead.lock"), "").unwrap();
    let _claim = Claim::take(&state, &record("b", "https://odin", &["u1"])).unwrap();
    assert!(!claims.join("dead.json").exists());
}

#[test]
fn another_hosts_claim_lives_while_its_heartbeat_beats() {
    let (_dir, state) = state();
    let claims = state.subdir("claims").unwrap();
    let mut far = record("far", "https://odin", &["u1"]);
    far.host = "another-host.example.net".into();
    std::fs::write(
        claims.join("far.json"),
        serde_json::to_string(&far).unwrap(),
    )
    .unwrap();
    let lock = std::fs::File::create(claims.join("far.lock")).unwrap();
    // Its lock does not reach this machine (NFS): a fresh heartbeat is what keeps it.
    lock.set_modified(SystemTime::now() - Duration::from_secs(5))
        .unwrap();
    let error = Claim::take(&state, &record("b", "https://odin", &["u1"])).unwrap_err();
    assert!(
        error.to_string().contains("on another-host.example.net"),
        "{error}"
    );
    // A few beats missed: dead, however young the claim itself.
    lock.set_modified(SystemTime::now() - STALE_AFTER - Duration::from_secs(1))
        .unwrap();
    let _claim = Claim::take(&state, &record("b", "https://odin", &["u1"])).unwrap();
    assert!(!claims.join("far.json").exists());
}

#[test]
fn one_user_is_named_alone() {
    assert_eq!(users_in_words(&["u1".into()], 1), "user `u1`");
    assert_eq!(
        users_in_words(&["u1".into(), "u2".into()], 2),
        "2 users (`u1`, `u2`)"
    );
}
