//! An apply of SCA endpoints killed (SIGKILL) and resumed.

use super::*;

#[test]
fn a_killed_run_resumes_to_the_exact_endpoints_and_rolls_back() {
    let sim = sim(
        FaultConfig {
            latency: Duration::from_millis(50),
            ..FaultConfig::default()
        },
        Variant::default(),
    );
    let work = workdir();
    let dir = work.path();
    setup(dir, &sim);
    let before = all_endpoints(&sim);
    let sheet = sheet(dir);
    let target = sim.base_url();
    for delay in [700u64, 500, 600] {
        let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
        crate::support::kill_after(dir, &args, Duration::from_millis(delay));
    }
    // The kills landed in the run: it had started, and had not finished.
    assert!(dir.join("run/rollback.jsonl").exists());
    assert_ne!(all_endpoints(&sim), expected(&before));
    let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = sleipnir_env(dir, &args, &LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    assert_eq!(all_endpoints(&sim), expected(&before));
    let undo = sleipnir_env(
        dir,
        &[
            "rollback", "run", "--target", &target, "--yes", "-q", "--out", "undo",
        ],
        &LOGIN,
    );
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert_eq!(all_endpoints(&sim), before);
}
