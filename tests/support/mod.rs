//! Helpers that make each integration test a few lines.

use std::path::{Path, PathBuf};

/// The simulator's default login, as the environment of a command that logs in.
pub const LOGIN: [(&str, &str); 2] = [
    ("ODIN_USERNAME", sleipnir::sim::DEFAULT_USERNAME),
    ("ODIN_PASSWORD", sleipnir::sim::DEFAULT_PASSWORD),
];

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr as one text, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The repository root, where fixture paths are relative to.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `sleipnir ARGS` from the repository root.
pub fn sleipnir(args: &[&str]) -> Run {
    sleipnir_in(&root(), args)
}

/// Run `sleipnir ARGS` from `dir`.
pub fn sleipnir_in(dir: &Path, args: &[&str]) -> Run {
    sleipnir_env(dir, args, &[])
}

/// Run `sleipnir ARGS` from `dir` with extra environment variables (and none of the
/// caller's Odin settings), standard input closed.
pub fn sleipnir_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir)
        .args(args)
        .env_remove("ODIN_URL")
        .env_remove("ODIN_USERNAME")
        .env_remove("ODIN_PASSWORD")
        .env_remove("RUST_LOG")
        .env(STATE_DIR_VAR, state_dir())
        .env_remove("SLEIPNIR_TARGET")
        // No admin's own targets.toml: a test that wants one sets SLEIPNIR_CONFIG.
        .env("SLEIPNIR_CONFIG", dir.join(".no-sleipnir-config"))
        .envs(env.iter().copied())
        .write_stdin("")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The variable that names sleipnir's state directory (its history and claims).
pub const STATE_DIR_VAR: &str = "SLEIPNIR_STATE_DIR";

/// The state directory every sleipnir a test starts uses unless the test names its own: one
/// per test process, under Cargo's scratch directory for tests, never the real home's.
pub fn state_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("state-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("a state directory")
            .keep()
    })
}

/// A scratch directory that disappears with the test.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// `sleipnir ARGS --target SIM --yes` in `dir` with the simulator's login, at 500 requests/s
/// unless the test sets a rate: a command that changes users of the simulator.
pub fn run_on(dir: &Path, sim: &sleipnir::sim::Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--yes"]);
    if !args.contains(&"--rate") {
        all.extend(["--rate", "500"]);
    }
    sleipnir_env(dir, &all, &LOGIN)
}

/// `sleipnir ARGS --target SIM --rate 1000` in `dir` with the simulator's login: a command
/// that only reads (plan, export).
pub fn read_on(dir: &Path, sim: &sleipnir::sim::Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--rate", "1000"]);
    sleipnir_env(dir, &all, &LOGIN)
}

/// Writes the simulator has answered so far, logins and token renewals aside.
pub fn puts(stats: &sleipnir::sim::StatsReport) -> u64 {
    stats
        .requests
        .iter()
        .filter(|r| r.method == "PUT" && !r.path.contains("/auth/"))
        .map(|r| r.count)
        .sum()
}

/// The lines of the run directory `dir`'s `results.csv`.
pub fn results(dir: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join("results.csv"))
        .expect("results.csv")
        .records()
        .collect::<Result<_, _>>()
        .expect("records")
}

/// The arguments of an apply of `sheet` to `target` that a test kills and resumes:
/// `--yes -q --rate 2000 --concurrency N`, and `--resume run` once the run directory holds
/// a rollback file (a kill may land before it is made), else `--out run`.
pub fn resumable_apply(dir: &Path, sheet: &str, target: &str, concurrency: usize) -> Vec<String> {
    let concurrency = concurrency.to_string();
    let resume = dir.join("run/rollback.jsonl").exists();
    let run = match resume {
        true => ["--resume", "run"],
        false => ["--out", "run"],
    };
    [
        "apply", sheet, "--target", target, "--yes", "-q", "--rate", "2000",
    ]
    .into_iter()
    .chain(["--concurrency", &concurrency])
    .chain(run)
    .map(str::to_string)
    .collect()
}

/// Start `sleipnir args` in `dir` with the test login and kill it (SIGKILL) after
/// `delay`; whether it was still running then (the kill cut it short).
pub fn kill_after(dir: &Path, args: &[String], delay: std::time::Duration) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(STATE_DIR_VAR, state_dir())
        .current_dir(dir)
        .args(args)
        .envs(LOGIN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("apply starts");
    std::thread::sleep(delay);
    let running = child.try_wait().ok().flatten().is_none();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    running
}

/// The seeded kill moments of a resume test: `count` delays between `from` and
/// `from + spread` milliseconds, the same every run.
pub fn kill_moments(seed: u64, count: usize, from: u64, spread: u64) -> Vec<std::time::Duration> {
    let mut seed = seed;
    (0..count)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            std::time::Duration::from_millis(from + (seed >> 33) % spread)
        })
        .collect()
}
