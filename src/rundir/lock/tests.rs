use super::*;

fn holder(command: &str) -> Holder {
    Holder::this_process(command.to_string())
}

#[cfg(target_os = "linux")]
#[test]
fn a_record_of_a_process_that_ended_is_not_named() {
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    ended.wait().unwrap();
    let gone = Holder {
        pid: ended.id(),
        ..Holder::this_process("sleipnir apply s.csv".into())
    };
    assert!(gone.is_gone());
    assert!(!Holder::this_process("sleipnir apply s.csv".into()).is_gone());
    let elsewhere = Holder {
        host: "another-host".into(),
        ..gone
    };
    assert!(
        !elsewhere.is_gone(),
        "another host's processes are not known here"
    );
}

#[test]
fn a_second_lock_is_refused_naming_the_holder_and_freed_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let first = RunLock::fresh(&run, &holder("sleipnir apply a.csv --out run")).unwrap();
    std::fs::write(run.join("rollback.jsonl"), "x\n").unwrap();
    let Err(LockError::Held { holder: who, .. }) =
        RunLock::existing(&run, &holder("sleipnir apply a.csv --resume run"))
    else {
        panic!("a second lock was granted");
    };
    assert!(who.contains("--out run"), "{who}");
    assert!(
        who.contains(&format!("pid {}", std::process::id())),
        "{who}"
    );
    drop(first);
    // Files were written: the directory stays, and can be locked again.
    assert!(run.join(LOCK).is_file());
    RunLock::existing(&run, &holder("again")).unwrap();
    assert!(matches!(
        RunLock::fresh(&run, &holder("fresh")),
        Err(LockError::Occupied(_))
    ));
}

#[test]
fn a_directory_without_a_run_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    drop(RunLock::existing(dir.path(), &holder("x")).unwrap());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
}

#[test]
fn a_fresh_run_that_wrote_nothing_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("runs").join("one");
    drop(RunLock::fresh(&run, &holder("x")).unwrap());
    assert!(!run.exists());
    std::fs::create_dir(&run).unwrap();
    drop(RunLock::fresh(&run, &holder("x")).unwrap());
    assert!(run.is_dir());
    assert_eq!(std::fs::read_dir(&run).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn the_directory_and_the_lock_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let _lock = RunLock::fresh(&run, &holder("x")).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&run), 0o700);
    assert_eq!(mode(&run.join(LOCK)), 0o600);
    assert_eq!(mode(&run.join(HOLDER)), 0o600);
}
