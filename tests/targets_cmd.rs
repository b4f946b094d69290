//! Named targets and credentials (issue 24): targets.toml in a config directory given
//! through SLEIPNIR_CONFIG; `--target` takes a name or a URL, with SLEIPNIR_TARGET and
//! ODIN_URL behind it; production runs need the target on their own command line and its
//! name typed (or `--confirm-target`); plans stay with their named target; the password
//! comes from ODIN_PASSWORD, a password_command, the OS keyring or the prompt, and never
//! shows.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sleipnir::sim::{Login, SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, puts, sleipnir_env, workdir};

/// A simulator of 4 users that no one has sent anything yet.
async fn sim() -> Simulator {
    with_login(None)
}

/// The same, accepting `login` (else the simulator's default).
fn with_login(login: Option<Login>) -> Simulator {
    let mut config = SimConfig {
        users: 4,
        ..SimConfig::default()
    };
    if let Some(login) = login {
        config.login = login;
    }
    Simulator::start(config, 0).expect("simulator starts")
}

/// `sleipnir ARGS` in `dir` with its config directory `dir/config` and `env`.
fn with_config(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let config = dir.join("config");
    let config = config.to_str().expect("a UTF-8 path");
    let mut all = vec![("SLEIPNIR_CONFIG", config)];
    all.extend_from_slice(env);
    sleipnir_env(dir, args, &all)
}

/// `sleipnir target add ARGS`, which must succeed.
fn add(dir: &Path, args: &[&str]) {
    let mut all = vec!["target", "add"];
    all.extend_from_slice(args);
    let run = with_config(dir, &all, &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

/// Users 1..=`users`: a new extension.
fn sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=users {
        text.push_str(&format!("{},{}\n", user_id(n), 7100 + n));
    }
    std::fs::write(dir.join("wave.csv"), text).expect("sheet written");
    "wave.csv".to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn names_resolve_flag_over_sleipnir_target_over_odin_url_and_explain_says_where() {
    let (a, b) = (sim().await, sim().await);
    let work = workdir();
    let dir = work.path();
    let (url_a, url_b) = (a.base_url(), b.base_url());
    add(
        dir,
        &[
            "lab-a",
            &url_a,
            "--tier",
            "lab",
            "--rate",
            "50",
            "--username",
            "file-user",
        ],
    );
    add(
        dir,
        &["lab-b", &url_b, "--tier", "staging", "--concurrency", "2"],
    );
    let text = std::fs::read_to_string(dir.join("config/targets.toml")).expect("written");
    assert!(
        text.contains("[targets.lab-a]") && text.contains("[targets.lab-b]"),
        "{text}"
    );

    // The flag wins over SLEIPNIR_TARGET, which wins over ODIN_URL: seen by the servers.
    let mut login = LOGIN.to_vec();
    login.push(("SLEIPNIR_TARGET", "lab-b"));
    let run = with_config(dir, &["check", "--target", "lab-a"], &login);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(a.stats().total > 0);
    assert_eq!(b.stats().total, 0);
    let mut login = LOGIN.to_vec();
    login.extend([("SLEIPNIR_TARGET", "lab-b"), ("ODIN_URL", url_a.as_str())]);
    let before = a.stats().total;
    let run = with_config(dir, &["check"], &login);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(b.stats().total > 0);
    assert_eq!(a.stats().total, before);

    // The target's run defaults are the command's, unless a flag says otherwise.
    let sheet = sheet(dir, 2);
    let plan = with_config(dir, &["plan", &sheet, "--target", "lab-a"], &LOGIN);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert!(plan.stdout.contains("at --rate 50"), "{}", plan.stdout);
    let plan = with_config(
        dir,
        &["plan", &sheet, "--target", "lab-a", "--rate", "40"],
        &LOGIN,
    );
    assert!(plan.stdout.contains("at --rate 40"), "{}", plan.stdout);

    // --explain: each value and where it came from.
    let show = with_config(
        dir,
        &["target", "show", "--explain"],
        &[("SLEIPNIR_TARGET", "lab-a"), ("ODIN_URL", &url_b)],
    );
    assert_eq!(show.code, 0, "{}", show.transcript());
    let config = dir.join("config").join("targets.toml");
    let line = |n: usize| format!("`{}`, line {n}", config.display());
    let out = &show.stdout;
    assert!(
        out.contains("target          lab-a  ← SLEIPNIR_TARGET (environment)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("url             {url_a}  ← {}", line(2))),
        "{out}"
    );
    assert!(
        out.contains(&format!("tier            lab  ← {}", line(4))),
        "{out}"
    );
    assert!(
        out.contains(&format!("username        file-user  ← {}", line(3))),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "rate            50 requests/s  ← {} (--rate wins)",
            line(5)
        )),
        "{out}"
    );
    assert!(out.contains("concurrency     4 users  ← default"), "{out}");
    assert!(
        out.contains("password        from a prompt on the terminal"),
        "{out}"
    );
    assert!(out.contains("(from SLEIPNIR_CONFIG)"), "{out}");
    // ODIN_USERNAME wins over the file; a name on the command line over SLEIPNIR_TARGET;
    // ODIN_URL alone, when it is a target's URL, is that target.
    let show = with_config(
        dir,
        &["target", "show", "lab-b", "--explain"],
        &[("SLEIPNIR_TARGET", "lab-a"), ("ODIN_USERNAME", "env-user")],
    );
    assert!(
        show.stdout
            .contains("target          lab-b  ← the command line"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("username        env-user  ← ODIN_USERNAME (environment)"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains(&format!("concurrency     2 users  ← {}", line(10))),
        "{}",
        show.stdout
    );
    let show = with_config(
        dir,
        &["target", "show", "--explain"],
        &[("ODIN_URL", &url_b)],
    );
    assert!(
        show.stdout
            .contains("target          lab-b  ← ODIN_URL (environment)"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("tier            staging"),
        "{}",
        show.stdout
    );

    // list, and remove.
    let list = with_config(dir, &["target", "list"], &[]);
    assert!(
        list.stdout.contains("lab-a") && list.stdout.contains(&url_b),
        "{}",
        list.stdout
    );
    let removed = with_config(dir, &["target", "remove", "lab-b"], &[]);
    assert_eq!(removed.code, 0, "{}", removed.transcript());
    let unknown = with_config(dir, &["check", "--target", "lab-b"], &LOGIN);
    assert_eq!(unknown.code, 2, "{}", unknown.transcript());
    assert!(
        unknown
            .stderr
            .contains("no target named `lab-b` (--target)"),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("holds lab-a"), "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_raw_url_needs_no_file_and_a_malformed_file_names_its_line() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    let url = odin.base_url();
    let run = with_config(dir, &["check", "--target", &url], &LOGIN);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!dir.join("config").exists());
    std::fs::create_dir_all(dir.join("config")).expect("dir");
    std::fs::write(
        dir.join("config/targets.toml"),
        "# ours\n[targets.lab]\nurl = \"http://127.0.0.1:1/api/v2\"\ntier = \"labb\"\n",
    )
    .expect("written");
    let before = odin.stats().total;
    for args in [
        vec!["check", "--target", "lab"],
        vec!["check", "--target", &url],
    ] {
        let run = with_config(dir, &args, &LOGIN);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr
                .contains("targets.toml`, line 4: target `lab`: tier `labb`"),
            "{}",
            run.stderr
        );
    }
    std::fs::write(
        dir.join("config/targets.toml"),
        "[targets.lab]\nurl = \"x\n",
    )
    .expect("written");
    let run = with_config(dir, &["target", "list"], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("targets.toml`, line 2:"),
        "{}",
        run.stderr
    );
    assert_eq!(odin.stats().total, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn production_needs_its_name_on_the_command_line_and_typed_or_confirmed() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    let url = odin.base_url();
    add(dir, &["acme", &url, "--tier", "production"]);
    add(dir, &["lab", "http://127.0.0.1:1/api/v2", "--tier", "lab"]);
    let sheet = sheet(dir, 2);
    let refused: Vec<Refused> = vec![
        (
            vec!["--target", "acme", "--yes"],
            vec![],
            "pass --confirm-target acme",
        ),
        (
            vec!["--target", "acme", "--yes", "--confirm-target", "lab"],
            vec![],
            "--confirm-target `lab` does not name",
        ),
        (
            vec!["--yes", "--confirm-target", "acme"],
            vec![("SLEIPNIR_TARGET", "acme")],
            "never taken from the environment",
        ),
        (
            vec!["--yes", "--confirm-target", "acme"],
            vec![("ODIN_URL", url.as_str())],
            "it came from ODIN_URL",
        ),
        (
            vec!["--target", &url, "--yes"],
            vec![],
            "is a production target",
        ),
    ];
    for (flags, env, says) in refused {
        let mut args = vec!["apply", sheet.as_str(), "--out", "run"];
        args.extend(flags);
        let mut env = env;
        env.extend(LOGIN);
        let run = with_config(dir, &args, &env);
        assert_eq!(run.code, 2, "{args:?}: {}", run.transcript());
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
        assert_eq!(odin.stats().total, 0, "{args:?}: something was sent");
        assert!(!dir.join("run").exists());
    }

    // On a terminal, `y` is not the name: nothing is written.
    let (code, stdout) = on_terminal(
        dir,
        &["apply", &sheet, "--target", "acme", "--out", "run"],
        "y\n",
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains(&format!("at {url} (target `acme`, production)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("that is not `acme`: nothing was changed (nothing was sent)"),
        "{stdout}"
    );
    // Asked before the login: production has not even been logged in to.
    assert_eq!(odin.stats().total, 0);

    // The name typed, or confirmed with --yes: the run goes, and records the name.
    let (code, stdout) = on_terminal(
        dir,
        &["apply", &sheet, "--target", "acme", "--out", "typed"],
        "acme\n",
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(puts(&odin.stats()) > 0);
    let run = with_config(
        dir,
        &[
            "apply",
            &sheet,
            "--target",
            "acme",
            "--yes",
            "--confirm-target",
            "acme",
            "--out",
            "confirmed",
        ],
        &LOGIN,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains(&format!("at {url} (target `acme`, production)")),
        "{}",
        run.stdout
    );
    let summary = std::fs::read_to_string(dir.join("confirmed/summary.json")).expect("summary");
    assert!(summary.contains("\"target_name\": \"acme\""), "{summary}");
}

/// A refused production run: its flags, its environment, and what its error says.
type Refused<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

/// `sleipnir ARGS` in `dir` (config `dir/config`) on a pseudo-terminal, `typed` written to
/// it; the exit code and standard output.
fn on_terminal(dir: &Path, args: &[&str], typed: &str) -> (i32, String) {
    let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir)
        .args(args)
        .env_remove("ODIN_URL")
        .env_remove("SLEIPNIR_TARGET")
        .env_remove("RUST_LOG")
        .env("SLEIPNIR_CONFIG", dir.join("config"))
        .envs(LOGIN)
        .stdin(Stdio::from(pty.slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sleipnir starts");
    let mut terminal = std::fs::File::from(pty.master);
    terminal.write_all(typed.as_bytes()).expect("typed");
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "the command did not end");
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().expect("output");
    drop(terminal);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (
        code,
        format!(
            "{stdout}\n--- stderr\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_made_against_one_named_target_is_refused_against_another() {
    let (a, b) = (sim().await, sim().await);
    let work = workdir();
    let dir = work.path();
    let (url_a, url_b) = (a.base_url(), b.base_url());
    add(dir, &["lab-a", &url_a]);
    add(dir, &["lab-b", &url_b]);
    let sheet = sheet(dir, 2);
    let plan = with_config(
        dir,
        &["plan", &sheet, "--target", "lab-a", "--out", "wave.jsonl"],
        &LOGIN,
    );
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    let header = std::fs::read_to_string(dir.join("wave.jsonl")).expect("plan file");
    assert!(
        header
            .lines()
            .next()
            .unwrap_or("")
            .contains("\"target_name\":\"lab-a\""),
        "{header}"
    );
    let run = with_config(
        dir,
        &["apply", "wave.jsonl", "--target", "lab-b", "--yes"],
        &LOGIN,
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(&format!(
            "plan file `wave.jsonl` was made against `lab-a` ({url_a}) (as `admin@sim.example.net`), but this command points at `lab-b` ({url_b}) (--target); nothing was sent"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Run it with --target lab-a"),
        "{}",
        run.stderr
    );
    assert_eq!(b.stats().total, 0);
}

/// Every file under `dir`, as text (lossy).
fn every_file(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("a directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("a file");
                found.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_command_is_used_and_its_value_shows_nowhere() {
    const MARKER: &str = "Pw-Cmd-Marker-6d1f";
    let odin = with_login(Some(Login {
        username: "ops@sim.example.net".into(),
        password: MARKER.into(),
    }));
    let work = workdir();
    let dir = work.path();
    let url = odin.base_url();
    add(
        dir,
        &[
            "lab",
            &url,
            "--username",
            "ops@sim.example.net",
            "--password-command",
            &format!("printf '%s\\n' {MARKER}"),
        ],
    );
    add(
        dir,
        &[
            "broken",
            &url,
            "--username",
            "ops@sim.example.net",
            "--password-command",
            &format!("echo {MARKER}; echo {MARKER} >&2; exit 7"),
        ],
    );
    let sheet = sheet(dir, 3);
    let show = with_config(dir, &["target", "show", "lab", "--explain"], &[]);
    assert!(
        show.stdout
            .contains("password        from password_command `printf"),
        "{}",
        show.stdout
    );
    let runs = [
        with_config(
            dir,
            &[
                "apply", &sheet, "--target", "lab", "--yes", "--out", "run", "-vv",
            ],
            &[],
        ),
        with_config(
            dir,
            &[
                "rollback", "run", "--target", "lab", "--yes", "--out", "undo",
            ],
            &[],
        ),
        with_config(
            dir,
            &["plan", &sheet, "--target", "lab", "--out", "plan.jsonl"],
            &[],
        ),
    ];
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(!run.transcript().contains(MARKER), "{}", run.transcript());
    }
    assert!(puts(&odin.stats()) > 0);
    for (path, text) in every_file(dir) {
        if path.ends_with("targets.toml") {
            continue; // the command, which holds the marker as its argument
        }
        assert!(!text.contains(MARKER), "{path} holds the password");
    }
    // A failing command is an error naming its exit status, never its output; and
    // ODIN_PASSWORD comes before it (not run at all).
    let before = odin.stats().total;
    let failed = with_config(dir, &["check", "--target", "broken"], &[]);
    assert_eq!(failed.code, 2, "{}", failed.transcript());
    assert!(
        failed
            .stderr
            .contains("failed (exit status 7); its output is not shown"),
        "{}",
        failed.stderr
    );
    assert!(!failed.stdout.contains(MARKER), "{}", failed.stdout);
    assert!(
        !failed.stderr.contains(&format!("error: {MARKER}")),
        "{}",
        failed.stderr
    );
    assert_eq!(
        odin.stats().total,
        before,
        "nothing is sent without a password"
    );
    let env = with_config(
        dir,
        &["check", "--target", "broken"],
        &[("ODIN_PASSWORD", MARKER)],
    );
    assert_eq!(env.code, 0, "{}", env.transcript());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_os_keyring_keeps_a_password_where_there_is_one_and_says_so_where_not() {
    const MARKER: &str = "Keyring-Marker-3c9a";
    let odin = with_login(Some(Login {
        username: "ops@sim.example.net".into(),
        password: MARKER.into(),
    }));
    let work = workdir();
    let dir = work.path();
    // A name of its own, so that a developer's keyring is left as it was.
    let name = format!("test-{}", std::process::id());
    add(
        dir,
        &[&name, &odin.base_url(), "--username", "ops@sim.example.net"],
    );
    let login = stdin_run(
        dir,
        &["login", &name, "--password-stdin"],
        &format!("{MARKER}\n"),
    );
    if login.code != 0 {
        // No keyring here (CI: a headless Linux without a Secret Service): said so, and
        // nothing was kept elsewhere.
        assert_eq!(login.code, 1, "{}", login.transcript());
        assert!(
            login.stderr.contains("no OS keyring is available here"),
            "{}",
            login.stderr
        );
        assert!(
            login.stderr.contains("keeps no password in a file"),
            "{}",
            login.stderr
        );
        for (path, text) in every_file(dir) {
            assert!(!text.contains(MARKER), "{path} holds the password");
        }
        println!(
            "skipped the keyring round trip: no OS keyring on this machine ({})",
            login.stderr.trim()
        );
        return;
    }
    assert!(
        !login.transcript().contains(MARKER),
        "{}",
        login.transcript()
    );
    let show = with_config(dir, &["target", "show", &name], &[]);
    assert!(
        show.stdout.contains("password        from the OS keyring"),
        "{}",
        show.stdout
    );
    let check = with_config(dir, &["check", "--target", &name], &[]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(!check.transcript().contains(MARKER));
    let logout = with_config(dir, &["logout", &name], &[]);
    assert_eq!(logout.code, 0, "{}", logout.transcript());
    assert!(
        logout.stdout.contains("removed the password"),
        "{}",
        logout.stdout
    );
    let again = with_config(dir, &["check", "--target", &name], &[]);
    assert_eq!(again.code, 2, "{}", again.transcript());
    for (path, text) in every_file(dir) {
        assert!(!text.contains(MARKER), "{path} holds the password");
    }
}

/// `sleipnir ARGS` in `dir` (config `dir/config`) with `input` on standard input.
fn stdin_run(dir: &Path, args: &[&str], input: &str) -> Run {
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir)
        .args(args)
        .env_remove("ODIN_URL")
        .env_remove("ODIN_USERNAME")
        .env_remove("ODIN_PASSWORD")
        .env_remove("SLEIPNIR_TARGET")
        .env("SLEIPNIR_CONFIG", dir.join("config"))
        .write_stdin(input)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test]
async fn a_target_that_requires_a_reason_refuses_a_command_without_one_and_records_it() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    let url = odin.base_url();
    add(dir, &["ticketed", &url, "--require-reason"]);
    let state = dir.join("state");
    let state = state.to_str().expect("a UTF-8 path");
    let mut env = vec![("SLEIPNIR_STATE_DIR", state)];
    env.extend_from_slice(&LOGIN);
    let refused = with_config(dir, &["check", "--target", "ticketed"], &env);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("target `ticketed` requires a reason for every command: pass --reason TEXT"),
        "{}",
        refused.stderr
    );
    assert_eq!(odin.stats().total, 0, "nothing sent");
    let run = with_config(
        dir,
        &["check", "--target", "ticketed", "--reason", "CHG-4711"],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let history = std::fs::read_to_string(dir.join("state/runs.jsonl")).expect("history");
    let last: serde_json::Value =
        serde_json::from_str(history.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["reason"], "CHG-4711");
    assert_eq!(last["target_name"], "ticketed", "{last}");
}

#[tokio::test]
async fn the_way_back_is_printed_by_the_targets_name() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    add(dir, &["lab", &odin.base_url()]);
    let sheet = sheet(dir, 2);
    let run = with_config(
        dir,
        &["apply", &sheet, "--target", "lab", "--yes", "--out", "r"],
        &LOGIN,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("undo it with: sleipnir rollback r --target lab\n"),
        "{}",
        run.stdout
    );
    let undo = with_config(
        dir,
        &["rollback", "r", "--target", "lab", "--yes", "--out", "u"],
        &LOGIN,
    );
    assert_eq!(undo.code, 0, "{}", undo.transcript());
}

#[test]
fn a_targets_window_freeze_and_budget_are_added_shown_and_checked_at_their_line() {
    let work = workdir();
    let dir = work.path();
    add(
        dir,
        &[
            "night",
            "https://odin.example.net/api/v2",
            "--window",
            "Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00",
            "--window-tz",
            "Europe/Berlin",
            "--freeze",
            "2026-12-24/2026-12-27",
            "--freeze",
            "2027-01-01",
            "--budget-per-day",
            "20000",
        ],
    );
    let config = dir.join("config").join("targets.toml");
    let text = std::fs::read_to_string(&config).expect("written");
    assert!(
        text.contains(
            "window = \"Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00\"\nwindow_tz = \"Europe/Berlin\"\n\
             freeze = [\"2026-12-24/2026-12-27\", \"2027-01-01\"]\nbudget_per_day = 20000\n"
        ),
        "{text}"
    );
    let show = with_config(dir, &["target", "show", "night", "--explain"], &[]);
    assert_eq!(show.code, 0, "{}", show.transcript());
    let line = |n: usize| format!("`{}`, line {n}", config.display());
    for expected in [
        format!(
            "window          Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00  ← {} (--window wins)",
            line(3)
        ),
        format!(
            "window_tz       Europe/Berlin  ← {} (--window-tz wins)",
            line(4)
        ),
        format!(
            "freeze          2026-12-24/2026-12-27, 2027-01-01  ← {} (--freeze adds days)",
            line(5)
        ),
        format!(
            "budget_per_day  20000 requests  ← {} (--budget wins)",
            line(6)
        ),
    ] {
        assert!(
            show.stdout.contains(&expected),
            "{expected}\n{}",
            show.stdout
        );
    }
    // A target without them says what runs do.
    add(dir, &["lab", "https://lab.example.net/api/v2"]);
    let show = with_config(dir, &["target", "show", "lab"], &[]);
    assert!(
        show.stdout
            .contains("window          none (runs start users at any time)\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("budget_per_day  none (no daily cap)\n"),
        "{}",
        show.stdout
    );

    // Bad values are refused naming their flag, and nothing is written.
    for (args, says) in [
        (
            vec!["--window", "22:00-25:00"],
            "--window: `25:00` is not a time of day (HH:MM or HH:MM:SS, 00:00 to 24:00)",
        ),
        (
            vec!["--window-tz", "Europe/Berln"],
            "--window-tz: unknown time zone `Europe/Berln`",
        ),
        (
            vec!["--freeze", "2026-12-32"],
            "--freeze: `2026-12-32` is not a freeze",
        ),
        (vec!["--budget-per-day", "0"], "--budget-per-day"),
    ] {
        let mut all = vec!["target", "add", "bad", "https://bad.example.net/api/v2"];
        all.extend(args);
        let run = with_config(dir, &all, &[]);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains(says), "{says}\n{}", run.stderr);
    }
    assert!(
        !std::fs::read_to_string(&config)
            .expect("kept")
            .contains("bad")
    );

    // A window in the file that sleipnir cannot read names its line, whatever the command.
    let text = std::fs::read_to_string(&config).expect("kept");
    std::fs::write(&config, text.replace("22:00-05:30", "22:00-05:70")).expect("written");
    let run = with_config(dir, &["target", "list"], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "targets.toml`, line 3: target `night`: `window`: `05:70` is not a time of day"
        ),
        "{}",
        run.stderr
    );
}
