//! Applying at scale: group-scale before-reads, their freshness, and what a failed read
//! leaves in the results.

use std::path::Path;

use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, sleipnir_env, workdir};

fn run(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--yes", "--rate", "500"]);
    sleipnir_env(dir, &all, &LOGIN)
}

fn results(dir: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join("results.csv"))
        .expect("results.csv")
        .records()
        .collect::<Result<_, _>>()
        .expect("records")
}

#[test]
fn a_user_that_cannot_be_read_records_odins_status() {
    let sim = Simulator::start(
        SimConfig {
            users: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("s.csv"),
        format!(
            "userId,user.extension\n{},4001\nnobody@sim.example.net,4002\n",
            user_id(1)
        ),
    )
    .expect("sheet");
    let done = run(dir, &sim, &["apply", "s.csv", "--out", "run"]);
    assert_eq!(done.code, 1, "{}", done.transcript());
    let lines = results(&dir.join("run"));
    let unknown = lines
        .iter()
        .find(|l| &l[1] == "nobody@sim.example.net")
        .expect("a line");
    assert_eq!((&unknown[3], &unknown[4]), ("failed", "404"));
    assert!(
        unknown[10].starts_with("reading user: HTTP 404"),
        "{:?}",
        unknown
    );
}
