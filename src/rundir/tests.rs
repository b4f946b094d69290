use super::*;
use crate::resource::Resource;

fn source() -> PlanSource {
    PlanSource {
        hidden_rows: Default::default(),
        hidden_columns: Default::default(),
        allow_lossy_values: false,
        mapping_sha256: None,
        command: None,
        source: "s.csv".into(),
        sha256: "00".into(),
        worksheet: None,
        mapping: None,
        target: None,
        odin_user: None,
        target_name: None,
    }
}

#[test]
fn refuses_a_directory_with_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x"), "").unwrap();
    assert!(Ledger::create(dir.path(), &source()).is_err());
    let fresh = dir.path().join("run");
    Ledger::create(&fresh, &source()).unwrap();
    let header = std::fs::read_to_string(fresh.join(ROLLBACK)).unwrap();
    assert!(header.starts_with("{\"sleipnir\":\"plan\""), "{header}");
    let results = std::fs::read_to_string(fresh.join(RESULTS)).unwrap();
    assert_eq!(results.trim_end(), RESULT_COLUMNS.join(","));
}

#[test]
fn results_are_sorted_by_row_as_they_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RESULTS);
    let header = RESULT_COLUMNS.join(",");
    std::fs::write(
        &path,
        format!("{header}\n10,b,user,applied,,,,,,,\n2,a,user,failed,,,,,,,\"two\nlines\"\n2,a,settings,skipped,,,,,,,\n"),
    )
    .unwrap();
    let users = sort_results(&path, &HashMap::new()).unwrap();
    assert_eq!(
        (users.failed, users.changed, users.total()),
        (1, 1, 2),
        "{users:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "{header}\n2,a,user,failed,,,,,,,\"two\nlines\"\n2,a,settings,skipped,,,,,,,\n10,b,user,applied,,,,,,,\n"
        )
    );
}

#[test]
fn amended_lines_change_status_and_message_by_the_users_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RESULTS);
    let header = RESULT_COLUMNS.join(",");
    std::fs::write(
        &path,
        format!("{header}\n3,'=b,user,applied,200,1,5,x,,,\n3,'=b,policy,applied,200,1,5,y,,,\n2,a,user,applied,200,1,5,x,,,\n3,'=b,settings,failed,400,1,5,z,,,no\n"),
    )
    .unwrap();
    let amendment = |step| Amendment {
        step,
        status: Status::Compensated,
        message: "undone because step 3 (settings) failed".into(),
    };
    let amendments = HashMap::from([("'=b".to_string(), vec![amendment(1)])]);
    let users = sort_results(&path, &amendments).unwrap();
    assert_eq!(
        users,
        UserCounts {
            changed: 1,
            failed: 1,
            ..UserCounts::default()
        }
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "{header}\n2,a,user,applied,200,1,5,x,,,\n3,'=b,user,applied,200,1,5,x,,,\n3,'=b,policy,compensated,200,1,5,y,,,undone because step 3 (settings) failed\n3,'=b,settings,failed,400,1,5,z,,,no\n"
        )
    );
}

#[test]
fn what_the_ledger_writes_the_reader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mut ledger = Ledger::create(&run, &source()).unwrap();
    let user = UserPlan {
        user_id: "=a@x".into(),
        rows: vec![7],
        service_provider_id: None,
        group_id: None,
        steps: vec![],
        before: None,
        not_restorable: Vec::new(),
        cells: Default::default(),
    };
    let mut result = StepResult::new(&user, 0, Resource::User, Status::Failed);
    result.message = "+not a number".into();
    result.http_status = Some(400);
    ledger.result(&result).unwrap();
    ledger
        .journal(&JournalEntry {
            user_id: user.user_id.clone(),
            step: 0,
            resource: Resource::User,
            state: JournalState::Writing,
        })
        .unwrap();
    let text = std::fs::read_to_string(run.join(RESULTS)).unwrap();
    assert!(text.contains("'=a@x"), "{text}");
    let files = RunFiles::new(&run);
    let read = files.results().unwrap();
    // Each row carries the time it was written, to the millisecond: not the time of the
    // row made here to compare with.
    assert_eq!(read.len(), 1);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&read[0].at).is_ok(),
        "{}",
        read[0].at
    );
    let mut expected = ResultRow::from(&result);
    expected.at = read[0].at.clone();
    assert_eq!(read, [expected]);
    assert_eq!(files.journal().unwrap()[0].state, JournalState::Writing);
}

#[test]
fn a_resumed_run_drops_the_summary_of_the_attempt_before() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    drop(Ledger::create(&run, &source()).unwrap());
    std::fs::write(run.join(SUMMARY), "{}").unwrap();
    let plan = crate::plan::Plan {
        source: source(),
        users: Vec::new(),
        rows: 0,
        warnings: Vec::new(),
    };
    Ledger::resume(&run, &plan).unwrap();
    assert!(!run.join(SUMMARY).exists());
    assert_eq!(RunFiles::new(&run).failed_users().unwrap(), 0);
}

#[test]
fn the_original_sheet_is_found_under_the_run_files_prefixes() {
    assert_eq!(original_sheet("m1.csv"), "m1.csv");
    assert_eq!(original_sheet("steps not applied of m1.csv"), "m1.csv");
    assert_eq!(
        original_sheet("steps not applied of steps not applied of rollback of m 1.csv"),
        "m 1.csv"
    );
}

#[test]
fn a_user_counts_once_by_how_its_steps_ended() {
    use Status::*;
    let mut users = UserCounts::default();
    for steps in [
        vec![Applied, Unchanged],
        vec![Unchanged, Unchanged],
        vec![Drifted, Skipped],
        vec![Compensated, Failed, Skipped],
        vec![Applied, Skipped],
        vec![Skipped],
        vec![Deferred, Deferred],
        vec![Skipped, Deferred],
        vec![],
    ] {
        users.add(steps);
    }
    assert_eq!(
        users,
        UserCounts {
            changed: 1,
            unchanged: 1,
            drifted: 1,
            failed: 1,
            skipped: 3,
            deferred: 1,
        }
    );
    assert_eq!(users.total(), 8);
}

#[test]
fn each_attempt_of_a_timeline_has_its_own_time_requests_and_rate() {
    let point = |second: u64, requests: u64, wall: Option<f64>| TimelinePoint {
        second,
        requests: crate::odin::RequestCounts {
            requests,
            ..Default::default()
        },
        steps: StatusCounts::default(),
        users_done: 0,
        users_total: 4,
        wall_seconds: wall,
    };
    // An attempt that ended after 2.5 s, one killed in its fourth second, one that ended.
    let timeline = [
        point(0, 1, None),
        point(1, 6, None),
        point(2, 10, None),
        point(3, 12, Some(2.5)),
        point(0, 1, None),
        point(3, 9, None),
        point(0, 1, None),
        point(1, 4, Some(0.5)),
    ];
    let attempts = attempts(&timeline);
    let figures: Vec<(f64, u64, f64)> = attempts
        .iter()
        .map(|a| (a.wall_seconds, a.requests.requests, a.request_rate))
        .collect();
    assert_eq!(figures, [(2.5, 12, 4.8), (3.0, 9, 3.0), (0.5, 4, 8.0)]);
    let total = Attempt::total(&attempts);
    assert_eq!(
        (
            total.wall_seconds,
            total.requests.requests,
            total.request_rate
        ),
        (6.0, 25, 25.0 / 6.0)
    );
    assert_eq!(Attempt::new(0.0, Default::default()).request_rate, 0.0);
}

#[test]
fn results_lines_without_the_time_of_an_older_sleipnir_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let old_header = RESULT_COLUMNS[..11].join(",");
    std::fs::write(
        dir.path().join(names::RESULTS),
        format!("{old_header}\n2,a,user,applied,200,1,5,x,,,\n3,b,user,applied,200,1,5,x,,,,2026-12-07T08:00:00.000Z\n"),
    )
    .unwrap();
    let rows = RunFiles::new(dir.path()).results().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].at, "");
    assert_eq!(rows[1].at, "2026-12-07T08:00:00.000Z");
}
