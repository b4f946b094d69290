//! Extensions swapped and passed on between users of one group (API.md §12): a holder the
//! sheet moves to another extension is written first; a cycle of swaps is refused at its
//! cells, by `plan --target` and by `apply`, with nothing sent for its users.

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
