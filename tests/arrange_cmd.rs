//! What users ask of their groups together, arranged before a run (API.md §12): extensions
//! swapped and passed on between users of one group (a holder the sheet moves is written
//! first; a cycle of swaps is refused at its cells, nothing sent for its users), and the
//! reads that costs, the same for `plan --target` as for `apply`.

use sleipnir::sim::{FaultConfig, SimConfig, Simulator, user_id};

use crate::support::{read_on as read, results, run_on as run, workdir};

fn sim() -> Simulator {
    Simulator::start(
        SimConfig {
            users: 12,
            groups: 3,
            faults: FaultConfig::default(),
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

fn extension(sim: &Simulator, n: usize) -> String {
    let value = sim.state(&user_id(n)).expect("user")["user"]["extension"].clone();
    value.as_str().expect("an extension").to_string()
}

/// Users 1, 4, 7 and 10 are in one group. 1 and 4 swap extensions (a cycle: refused at both
/// cells); 7 takes 10's extension while 10 moves to a free one (10 goes first: both land).
#[test]
fn an_extension_swap_is_refused_and_a_passed_on_extension_lands_in_order() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    let (one, four, ten) = (extension(&sim, 1), extension(&sim, 4), extension(&sim, 10));
    let text = format!(
        "userId,user.extension\n{},{four}\n{},{one}\n{},{ten}\n{},7710\n",
        user_id(1),
        user_id(4),
        user_id(7),
        user_id(10)
    );
    std::fs::write(dir.join("ext.csv"), text).expect("sheet");

    let planned = read(dir, &sim, &["plan", "ext.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    for row in ["row 2, column B", "row 3, column B"] {
        assert!(planned.stderr.contains(row), "{}", planned.stderr);
    }
    assert!(
        planned
            .stderr
            .contains("extension is part of a cycle of swaps"),
        "{}",
        planned.stderr
    );
    assert!(!planned.stderr.contains("row 4"), "{}", planned.stderr);
    assert!(!planned.stderr.contains("row 5"), "{}", planned.stderr);

    let user_writes = || {
        let stats = sim.stats();
        stats.count_for_group("PUT", "/api/v2/users", "grp01")
            + stats.count_for_group("PUT", "/api/v2/users/bulk", "grp01")
    };
    let writes = user_writes();
    let applied = run(dir, &sim, &["apply", "ext.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    for n in [1, 4] {
        let line = lines.iter().find(|l| l[1] == user_id(n)).expect("a line");
        assert_eq!(&line[3], "failed", "{line:?}");
        assert!(line[10].starts_with("not sent: "), "{line:?}");
        assert!(line[10].contains("cycle of swaps"), "{line:?}");
    }
    for n in [7, 10] {
        let line = lines.iter().find(|l| l[1] == user_id(n)).expect("a line");
        assert_eq!(&line[3], "applied", "{line:?}");
    }
    assert_eq!(extension(&sim, 1), one);
    assert_eq!(extension(&sim, 4), four);
    assert_eq!(extension(&sim, 7), ten);
    assert_eq!(extension(&sim, 10), "7710");
    // Only 7 and 10 were written.
    let sent = user_writes() - writes;
    assert!(sent <= 2, "{sent} user writes");
}

/// `plan --target` reads each group's number list once (the arrangement's read, which the
/// group reads stand on), as `apply` does, and estimates what apply then sends.
#[test]
fn plan_target_reads_a_groups_number_list_once_as_apply_does() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    let mut text = String::from(
        "userId,user.serviceProviderId,user.groupId,user.phoneNumber,user.phoneNumberActivated\n",
    );
    let pool = sleipnir::sim::SPARE_POOL;
    for (n, number) in (1..=12).zip(pool) {
        let group = sleipnir::sim::group_id((n - 1) % 3 + 1);
        let sp = sleipnir::sim::SERVICE_PROVIDER;
        text.push_str(&format!("{},{sp},{group},{number:010},true\n", user_id(n)));
    }
    std::fs::write(dir.join("numbers.csv"), text).expect("sheet");
    let details = |sim: &Simulator| -> u64 {
        let stats = sim.stats();
        (1..=3)
            .map(|g| {
                let group = sleipnir::sim::group_id(g);
                stats.count_for_group("GET", "/api/v2/groups/dns/details", &group)
            })
            .sum()
    };
    let planned = read(dir, &sim, &["plan", "numbers.csv", "--format", "json"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert_eq!(details(&sim), 3, "one details read per group");
    let estimate: serde_json::Value = serde_json::from_str(&planned.stdout).expect("json");
    let estimate = estimate["applyEstimate"].clone();
    let applied = run(dir, &sim, &["apply", "numbers.csv", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(
        estimate["requests"]["groupReads"], summary["requests"]["groupReads"],
        "{estimate}"
    );
}
