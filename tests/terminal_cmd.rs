//! The terminal's edge of a run: standard output closed early (`apply … | head -1`), and
//! Ctrl-C at a question (the confirmation, the canary's) or twice during a run.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sleipnir::sim::{FaultConfig, SimConfig, user_id};

use crate::sim_support::odin;
use crate::support::{LOGIN, puts, results, sleipnir_env, workdir};

/// A sheet of `users` users changing their extension; `missing` adds a user Odin does not
/// have (its step fails: 404).
fn sheet(dir: &Path, users: usize, missing: bool) -> String {
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=users {
        text.push_str(&format!("{},{}\n", user_id(n), 6000 + n));
    }
    if missing {
        text.push_str("nobody@sim.example.net,6999\n");
    }
    let path = dir.join("sheet.csv");
    std::fs::write(&path, text).expect("sheet written");
    path.to_string_lossy().into_owned()
}

fn sleipnir() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sleipnir"));
    command
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .env_remove("ODIN_URL")
        .env_remove("RUST_LOG")
        .envs(LOGIN);
    command
}

fn summary(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).expect("summary"))
        .expect("summary.json is JSON")
}

fn wait(child: &mut Child, limit: Duration) -> i32 {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_run_whose_output_is_closed_after_one_line_keeps_its_exit_code_and_files() {
    let odin = odin(SimConfig {
        users: 6,
        faults: FaultConfig {
            latency: Duration::from_millis(40),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 6, true);
    let target = odin.sim.base_url();
    // `apply … 2>&1 | head -1`: the reader takes one line and goes away. (-v: the log goes
    // to standard error too.)
    let mut child = sleipnir()
        .current_dir(work.path())
        .args([
            "apply", &sheet, "--target", &target, "--yes", "--out", "run", "-v",
        ])
        .args(["--rate", "500", "--concurrency", "2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apply starts");
    drop(child.stderr.take());
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).expect("read") == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    drop(stdout);
    assert!(
        String::from_utf8_lossy(&first).starts_with("apply `"),
        "{}",
        String::from_utf8_lossy(&first)
    );
    let code = wait(&mut child, Duration::from_secs(60));
    assert_eq!(code, 1, "a failed step is exit 1, pipe or not");
    let run = work.path().join("run");
    let lines = results(&run);
    assert_eq!(lines.len(), 7, "every user's step has its line");
    assert_eq!(lines.iter().filter(|l| &l[3] == "failed").count(), 1);
    assert_eq!(lines.iter().filter(|l| &l[3] == "applied").count(), 6);
    assert_eq!(summary(&run)["steps"]["failed"], 1);
    for file in [
        "rollback.jsonl",
        "failed.jsonl",
        "results.xlsx",
        "report.html",
    ] {
        assert!(run.join(file).is_file(), "{file}");
    }
}

#[tokio::test]
async fn check_keeps_its_exit_code_when_its_output_is_closed() {
    let odin = crate::sim_support::small().await;
    let target = odin.sim.base_url();
    let mut child = sleipnir()
        .args([
            "check",
            "--target",
            &target,
            "--group",
            "nowhere.sp/nogroup",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("check starts");
    // Closed before the report is printed: it cannot be written at all.
    drop(child.stdout.take());
    let code = wait(&mut child, Duration::from_secs(60));
    let shown = sleipnir_env(
        Path::new("."),
        &[
            "check",
            "--target",
            &target,
            "--group",
            "nowhere.sp/nogroup",
        ],
        &LOGIN,
    );
    assert_ne!(shown.code, 0, "{}", shown.transcript());
    assert_eq!(code, shown.code, "the same code with its output closed");
}

/// Standard error read as it comes, on a thread: a question ends without a line end.
struct Stderr(Arc<Mutex<String>>);

impl Stderr {
    fn follow(child: &mut Child) -> Stderr {
        let mut pipe = child.stderr.take().expect("stderr");
        let text = Arc::new(Mutex::new(String::new()));
        let shared = text.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 1024];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                let read = String::from_utf8_lossy(&chunk[..n]).into_owned();
                shared.lock().expect("lock").push_str(&read);
            }
        });
        Stderr(text)
    }

    fn until(&self, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.text().contains(wanted) {
            assert!(
                Instant::now() < deadline,
                "no `{wanted}` in: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn text(&self) -> String {
        self.0.lock().expect("lock").clone()
    }
}

/// `sleipnir ARGS` with a terminal (a pseudo-terminal) as its standard input, standard
/// output and error piped; the terminal's other end, to type into.
fn on_terminal(dir: &Path, args: &[&str]) -> (Child, std::fs::File) {
    let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
    let child = sleipnir()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::from(pty.slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sleipnir starts");
    (child, std::fs::File::from(pty.master))
}

fn ctrl_c(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

fn stdout_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text).expect("stdout");
    }
    text
}

#[tokio::test]
async fn ctrl_c_at_the_canary_question_stops_the_run_and_resume_finishes_it() {
    let odin = odin(SimConfig {
        users: 8,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 8, false);
    let target = odin.sim.base_url();
    let args = [
        "apply", &sheet, "--target", &target, "--canary", "2", "--out", "run", "--rate", "500",
    ];
    let (mut child, mut terminal) = on_terminal(work.path(), &args);
    let stderr = Stderr::follow(&mut child);
    stderr.until("apply these changes now? [y/N] ");
    terminal.write_all(b"y\n").expect("typed");
    stderr.until("go on with the other users? [y/N] ");
    let writes = puts(&odin.sim.stats());
    ctrl_c(&child);
    let code = wait(&mut child, Duration::from_secs(30));
    let stdout = stdout_of(&mut child);
    assert_eq!(code, 130, "{stdout}\n{}", stderr.text());
    assert_eq!(puts(&odin.sim.stats()), writes, "no user after the canary");
    assert!(
        stdout.contains(&format!(
            "continue it with: sleipnir apply {sheet} --resume run --target {target}\n"
        )),
        "{stdout}"
    );
    let run = work.path().join("run");
    let lines = results(&run);
    assert_eq!(lines.iter().filter(|l| &l[3] == "applied").count(), 2);
    assert_eq!(lines.iter().filter(|l| &l[3] == "skipped").count(), 6);
    let summary = summary(&run);
    assert_eq!(summary["interrupted"], true);
    assert!(summary.get("stoppedBy").is_none(), "{summary}");
    drop(terminal);

    let resumed = sleipnir_env(
        work.path(),
        &[
            "apply", &sheet, "--resume", "run", "--target", &target, "--yes", "--rate", "500",
        ],
        &LOGIN,
    );
    assert_eq!(resumed.code, 0, "{}", resumed.transcript());
    let lines = results(&run);
    assert_eq!(lines.len(), 8);
    assert!(lines.iter().all(|l| &l[3] == "applied"), "{lines:?}");
    for n in 1..=8 {
        let state = odin.sim.state(&user_id(n)).expect("user");
        assert_eq!(state["user"]["extension"], format!("{}", 6000 + n));
    }
    resumed_figures(&run, &resumed.stdout);
}

/// The summary of a run resumed once: each attempt's wall time, requests and rate, and
/// totals whose rate is their requests over their time.
fn resumed_figures(run: &Path, stdout: &str) {
    let summary = summary(run);
    let attempts = summary["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{summary}");
    let (mut wall, mut requests) = (0.0, 0);
    for attempt in attempts {
        let seconds = attempt["wallSeconds"].as_f64().expect("wall");
        let sent = attempt["requests"]["requests"].as_u64().expect("requests");
        assert!(seconds > 0.0 && sent > 0, "{attempt}");
        let rate = attempt["requestRate"].as_f64().expect("rate");
        assert!((rate - sent as f64 / seconds).abs() < 1e-6, "{attempt}");
        wall += seconds;
        requests += sent;
    }
    assert_eq!(summary["requests"]["requests"].as_u64(), Some(requests));
    let total = summary["wallSeconds"].as_f64().expect("wall");
    assert!((total - wall).abs() < 1e-9, "{summary}");
    let rate = summary["requestRate"].as_f64().expect("rate");
    assert!((rate - requests as f64 / wall).abs() < 1e-6, "{summary}");
    assert!(
        stdout.starts_with("apply `") && stdout.contains(" s over 2 attempts: `"),
        "{stdout}"
    );
    for (n, attempt) in attempts.iter().enumerate() {
        let line = format!(
            "  {:<12}{:>7}  ({:.1}/s over {:.1} s)\n",
            format!("attempt {}", n + 1),
            attempt["requests"]["requests"].as_u64().unwrap_or_default(),
            attempt["requestRate"].as_f64().unwrap_or_default(),
            attempt["wallSeconds"].as_f64().unwrap_or_default(),
        );
        assert!(stdout.contains(&line), "{line:?} in {stdout}");
    }
}

#[tokio::test]
async fn ctrl_c_at_the_confirmation_sends_nothing_and_exits_130() {
    let odin = crate::sim_support::small().await;
    let work = workdir();
    let sheet = sheet(work.path(), 3, false);
    let target = odin.sim.base_url();
    let args = ["apply", &sheet, "--target", &target, "--out", "run"];
    let (mut child, terminal) = on_terminal(work.path(), &args);
    let stderr = Stderr::follow(&mut child);
    stderr.until("apply these changes now? [y/N] ");
    ctrl_c(&child);
    let code = wait(&mut child, Duration::from_secs(30));
    let stdout = stdout_of(&mut child);
    assert_eq!(code, 130, "{stdout}\n{}", stderr.text());
    assert!(
        stdout.ends_with("interrupted: nothing was changed\n"),
        "{stdout}"
    );
    assert_eq!(puts(&odin.sim.stats()), 0);
    assert!(!work.path().join("run").exists());
    drop(terminal);
}

#[tokio::test]
async fn a_second_ctrl_c_ends_the_run_at_once() {
    let odin = odin(SimConfig {
        users: 6,
        faults: FaultConfig {
            latency: Duration::from_secs(3),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 6, false);
    let target = odin.sim.base_url();
    let mut child = sleipnir()
        .current_dir(work.path())
        .args([
            "apply", &sheet, "--target", &target, "--yes", "--out", "run",
        ])
        .args([
            "--rate",
            "500",
            "--concurrency",
            "2",
            "--group-read-max-age",
            "0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apply starts");
    let stderr = Stderr::follow(&mut child);
    // The run has started once its journal exists; its users wait 3 s for each answer.
    let journal = work.path().join("run/journal.jsonl");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !journal.is_file() {
        assert!(Instant::now() < deadline, "the run did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    ctrl_c(&child);
    stderr.until("Ctrl-C: stopping; users in flight finish and the files are closed");
    let second = Instant::now();
    ctrl_c(&child);
    let code = wait(&mut child, Duration::from_secs(30));
    assert_eq!(code, 130);
    assert!(
        second.elapsed() < Duration::from_secs(2),
        "it waited for the users in flight: {:?}",
        second.elapsed()
    );
    stderr.until("interrupted again: stopped at once");
    stderr.until(&format!(
        "continue it with: sleipnir apply {sheet} --resume run --target {target}"
    ));
}

#[tokio::test]
async fn plan_target_shows_its_reads_going_on_a_terminal() {
    let odin = odin(SimConfig {
        users: 4,
        faults: FaultConfig {
            latency: Duration::from_millis(150),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 4, false);
    let target = odin.sim.base_url();
    // Standard error on a terminal, where the progress bar is drawn.
    let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
    let slave = std::fs::File::from(pty.slave);
    let mut child = sleipnir()
        .current_dir(work.path())
        .env("TERM", "xterm")
        .args(["plan", &sheet, "--target", &target, "--concurrency", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave.try_clone().expect("the terminal")))
        .spawn()
        .expect("sleipnir starts");
    drop(slave);
    let mut master = std::fs::File::from(pty.master);
    let screen = std::thread::spawn(move || {
        let (mut all, mut buffer) = (Vec::new(), [0u8; 4096]);
        // Ends when the last holder of the terminal's other end (the child) is gone.
        while let Ok(n @ 1..) = master.read(&mut buffer) {
            all.extend_from_slice(&buffer[..n]);
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    let code = wait(&mut child, Duration::from_secs(30));
    let stdout = stdout_of(&mut child);
    let screen = screen.join().expect("the terminal read");
    assert_eq!(code, 0, "{stdout}\n{screen}");
    assert!(screen.contains("/4 users read"), "{screen}");
    assert!(screen.contains("ETA"), "{screen}");
}
