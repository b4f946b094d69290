use super::*;

fn entry(id: &str) -> Entry {
    Entry {
        deferred_by: None,
        id: id.into(),
        command: "apply".into(),
        target: "https://odin".into(),
        target_name: None,
        os_user: "ana".into(),
        host: "ops-1".into(),
        odin_user: Some("admin".into()),
        command_line: "sleipnir apply s.csv".into(),
        version: "0.1.0".into(),
        sheet: None,
        reason: Some("CHG-1".into()),
        started: "2026-12-07T08:00:00Z".into(),
        ended: "2026-12-07T08:01:00Z".into(),
        outcome: BTreeMap::new(),
        exit_code: 0,
        run_dir: None,
        prev: String::new(),
    }
}

fn history(n: usize) -> (tempfile::TempDir, StateDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    for i in 0..n {
        append(&state, entry(&format!("r{i}"))).unwrap();
    }
    (dir, state)
}

#[test]
fn each_line_holds_the_hash_of_the_one_before() {
    let (_dir, state) = history(3);
    let lines = read(state.path()).unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].entry.as_ref().unwrap().prev, GENESIS);
    assert_eq!(lines[1].entry.as_ref().unwrap().prev, lines[0].sha256);
    assert_eq!(lines[2].entry.as_ref().unwrap().prev, lines[1].sha256);
    assert_eq!(verify(state.path()).unwrap(), vec![]);
}

#[test]
fn an_edited_line_breaks_the_chain_at_the_next() {
    let (_dir, state) = history(3);
    let path = state.path().join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"r1\"", "\"rX\"", 1)).unwrap();
    assert_eq!(
        verify(state.path()).unwrap(),
        vec![Problem::BrokenChain { line: 3 }]
    );
}

#[test]
fn an_edited_or_removed_last_line_breaks_the_head() {
    let (_dir, state) = history(2);
    let path = state.path().join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"r1\"", "\"rX\"", 1)).unwrap();
    assert_eq!(verify(state.path()).unwrap(), vec![Problem::BrokenHead]);
    let first = text.lines().next().unwrap();
    std::fs::write(&path, format!("{first}\n")).unwrap();
    assert_eq!(verify(state.path()).unwrap(), vec![Problem::BrokenHead]);
}

#[test]
fn a_missing_run_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let mut gone = entry("r0");
    gone.run_dir = Some(dir.path().join("gone").display().to_string());
    append(&state, gone).unwrap();
    let problems = verify(state.path()).unwrap();
    assert!(
        matches!(&problems[..], [Problem::MissingRunDir { line: 1, .. }]),
        "{problems:?}"
    );
}

#[test]
fn concurrent_appends_keep_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let state = &state;
            scope.spawn(move || {
                for i in 0..10 {
                    append(state, entry(&format!("t{t}-{i}"))).unwrap();
                }
            });
        }
    });
    assert_eq!(read(state.path()).unwrap().len(), 40);
    assert_eq!(verify(state.path()).unwrap(), vec![]);
}
