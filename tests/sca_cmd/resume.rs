//! An apply of SCA endpoints killed (SIGKILL) and resumed.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_to_the_exact_endpoints_and_rolls_back() {
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
    let args = |resume: bool| -> Vec<String> {
        let mut args: Vec<String> = ["apply", &sheet, "--target", &target, "--yes", "-q"]
            .iter()
            .map(ToString::to_string)
            .collect();
        args.extend(["--rate", "2000", "--concurrency", "4"].map(String::from));
        args.extend(
            if resume {
                ["--resume", "run"]
            } else {
                ["--out", "run"]
            }
            .map(String::from),
        );
        args
    };
    for delay in [700u64, 500, 600] {
        let resume = dir.join("run/rollback.jsonl").exists();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
            .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
            .current_dir(dir)
            .args(args(resume))
            .envs(LOGIN)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("apply starts");
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    // The kills landed in the run: it had started, and had not finished.
    assert!(dir.join("run/rollback.jsonl").exists());
    assert_ne!(all_endpoints(&sim), expected(&before));
    let resume = dir.join("run/rollback.jsonl").exists();
    let last = sleipnir_env(
        dir,
        &args(resume).iter().map(String::as_str).collect::<Vec<_>>(),
        &LOGIN,
    );
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
