//! Requests go only where the admin pointed, and answers that are not Odin's are named: a
//! redirect is never followed, a 200 that is not JSON is a failed read (and a write it
//! answers is checked with a read), a target without the API path says what a target looks
//! like, a login that never answers times out naming its request.

use std::path::Path;

use sleipnir::sim::{FaultConfig, LOGIN_PAGE_TITLE, SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, results, run_on, sleipnir_env, workdir};

fn sim(users: usize, faults: FaultConfig) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            groups: 1,
            faults,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator starts")
}

/// A sheet giving users 1..=`users` a new extension.
fn sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=users {
        text.push_str(&format!("{},{}\n", user_id(n), 8100 + n));
    }
    let path = dir.join("sheet.csv");
    std::fs::write(&path, text).expect("sheet written");
    path.to_string_lossy().into_owned()
}

/// `sleipnir ARGS --target TARGET` with the simulator's login.
fn on(dir: &Path, target: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--target", target]);
    sleipnir_env(dir, &all, &LOGIN)
}

#[test]
fn a_redirected_login_sends_the_password_to_no_other_origin() {
    let work = workdir();
    let sheet = sheet(work.path(), 2);
    // The server the redirect points to: a bare listener that nobody should connect to
    // (the kernel completes a connection even before it is accepted).
    let elsewhere = Elsewhere::new();
    for status in [301u16, 302, 303, 307, 308] {
        let odin = sim(
            2,
            FaultConfig {
                redirect: Some(status),
                // An http:// location: what an https target turning to http would send.
                redirect_to: elsewhere.base_url(),
                ..FaultConfig::default()
            },
        );
        for args in [
            vec!["apply", &sheet, "--yes"],
            vec!["plan", &sheet],
            vec!["check"],
        ] {
            let run = on(work.path(), &odin.base_url(), &args);
            assert_eq!(run.code, 3, "{status} {args:?}: {}", run.transcript());
            let location = format!("{}/auth/token", elsewhere.base_url());
            assert!(
                run.stderr.contains(&format!(
                    "`POST {}/auth/token` answered HTTP {status}, a redirect to `{location}`",
                    odin.base_url()
                )) && run
                    .stderr
                    .contains(&format!("--target {}\n", elsewhere.base_url())),
                "{status} {args:?}: {}",
                run.transcript()
            );
        }
        assert_eq!(odin.stats().total, 3, "one login each, answered {status}");
    }
    elsewhere.assert_untouched();
}

/// A listener on another port, for a redirect to point to.
struct Elsewhere(std::net::TcpListener);

impl Elsewhere {
    fn new() -> Elsewhere {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).expect("nonblocking");
        Elsewhere(listener)
    }

    fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.0.local_addr().expect("addr"))
    }

    /// Nothing connected to it: no password, no token.
    fn assert_untouched(&self) {
        match self.0.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("the other origin was connected to: {other:?}"),
        }
    }
}

#[test]
fn a_target_without_the_api_path_is_named() {
    let odin = sim(2, FaultConfig::default());
    let work = workdir();
    let sheet = sheet(work.path(), 2);
    let host = odin.url("");
    for args in [
        vec!["apply", &sheet, "--yes"],
        vec!["plan", &sheet],
        vec!["check"],
    ] {
        let run = on(work.path(), &host, &args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.transcript());
        assert_eq!(
            run.stderr,
            format!(
                "error: `POST {host}/auth/token` answered HTTP 404 (Not Found): `{host}` does \
                 not look like Odin's API; the target is the API's base URL, e.g. \
                 https://HOST/api/v2\n"
            ),
            "{args:?}"
        );
    }
    assert_eq!(odin.stats().total, 0, "nothing reached the API");
}

#[test]
fn a_login_that_never_answers_times_out_naming_the_request() {
    let odin = sim(
        2,
        FaultConfig {
            hang_login: true,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let sheet = sheet(work.path(), 2);
    let started = std::time::Instant::now();
    let run = on(
        work.path(),
        &odin.base_url(),
        &["apply", &sheet, "--yes", "--timeout", "2"],
    );
    assert!(started.elapsed().as_secs() < 20, "bounded by --timeout");
    assert_eq!(run.code, 3, "{}", run.transcript());
    let login = format!("POST {}/auth/token", odin.base_url());
    assert!(
        run.stderr.contains(&format!(
            "waiting for Odin's answer to `{login}` (attempt 1, not tried again, 1 s so far; it \
             times out after 2 s, see --timeout)\n"
        )),
        "the wait is told: {}",
        run.transcript()
    );
    assert!(
        run.stderr.ends_with(&format!(
            "error: timed out after 2 s waiting for Odin's answer to `{login}`\n"
        )),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_read_answered_with_a_web_page_fails_that_user_only() {
    let odin = sim(
        3,
        FaultConfig {
            html_reads: vec![user_id(2)],
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let sheet = sheet(work.path(), 3);
    let run = run_on(work.path(), &odin, &["apply", &sheet, "--out", "run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let lines = results(&work.path().join("run"));
    let status = |n: usize| -> (String, String) {
        let line = lines
            .iter()
            .find(|l| l[1] == user_id(n))
            .expect("a results line");
        (
            line[3].to_string(),
            line.iter().collect::<Vec<_>>().join(" | "),
        )
    };
    assert_eq!(status(1).0, "applied");
    assert_eq!(status(3).0, "applied");
    let (failed, line) = status(2);
    assert_eq!(failed, "failed", "{line}");
    assert!(
        line.contains(&format!(
            "answered HTTP 200 with a web page (text/html; charset=utf-8, title \
             `{LOGIN_PAGE_TITLE}`), not Odin's JSON: a login page or proxy in front of Odin?"
        )),
        "{line}"
    );
    assert_eq!(
        odin.state(&user_id(3)).expect("user")["user"]["extension"],
        "8103"
    );
}

#[test]
fn a_write_answered_with_a_web_page_after_it_landed_is_applied_and_rolled_back() {
    let odin = sim(
        3,
        FaultConfig {
            html_writes: vec![user_id(2)],
            ..FaultConfig::default()
        },
    );
    let before = odin.state(&user_id(2)).expect("user");
    let work = workdir();
    let sheet = sheet(work.path(), 3);
    let run = run_on(
        work.path(),
        &odin,
        &["apply", &sheet, "--out", "run", "--no-bulk-writes"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let lines = results(&work.path().join("run"));
    let line = lines
        .iter()
        .find(|l| l[1] == user_id(2))
        .expect("a results line");
    assert_eq!(&line[3], "applied", "{line:?}");
    assert_eq!(
        &line[4], "200",
        "the status of the answer that was not Odin's"
    );
    let text = line.iter().collect::<Vec<_>>().join(" | ");
    assert!(
        text.contains("not Odin's JSON") && text.contains("a read showed the write had landed"),
        "{text}"
    );
    assert_eq!(
        odin.state(&user_id(2)).expect("user")["user"]["extension"],
        "8102"
    );
    let undo = run_on(
        work.path(),
        &odin,
        &["rollback", "run", "--out", "undo", "--no-bulk-writes"],
    );
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert_eq!(odin.state(&user_id(2)).expect("user"), before);
}

#[test]
fn a_redirect_after_the_login_pauses_the_run_and_sends_no_token_elsewhere() {
    let elsewhere = Elsewhere::new();
    let odin = sim(
        3,
        FaultConfig {
            redirect: Some(307),
            redirect_to: elsewhere.base_url(),
            redirect_data_only: true,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let sheet = sheet(work.path(), 3);
    let run = run_on(
        work.path(),
        &odin,
        &["apply", &sheet, "--out", "run", "--concurrency", "1"],
    );
    assert_ne!(run.code, 0, "{}", run.transcript());
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains(
            "continue it once the target answers itself again, not with a redirect \
             with: sleipnir apply"
        ),
        "{}",
        run.transcript()
    );
    assert!(
        text.contains(&format!(
            "a redirect to `{}/users?userId=",
            elsewhere.base_url()
        )),
        "{}",
        run.transcript()
    );
    elsewhere.assert_untouched();
    let lines = results(&work.path().join("run"));
    assert!(
        lines.iter().all(|l| &l[3] == "skipped"),
        "no user written, none failed: {lines:?}"
    );
}

#[test]
fn plan_target_says_how_long_its_reads_take_before_it_starts() {
    let work = workdir();
    let sheet = sheet(work.path(), 2);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("addr").port()
    };
    let target = format!("http://127.0.0.1:{closed}/api/v2");
    let run = on(work.path(), &target, &["plan", &sheet, "--rate", "0.1"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stderr.starts_with(
            "reading the live values of 2 users: up to 2 requests, 20 s at --rate 0.1 (fewer \
             where group reads serve them)\n"
        ),
        "{}",
        run.transcript()
    );
    // Quick reads are not announced.
    let quick = on(work.path(), &target, &["plan", &sheet]);
    assert!(
        !quick.stderr.contains("reading the live values"),
        "{}",
        quick.transcript()
    );
}

#[test]
fn a_write_whose_answers_all_dropped_is_checked_with_a_read() {
    // Every write lands and its connection is dropped unanswered; with no retries, the
    // step's outcome comes from the read after it.
    let odin = sim(
        2,
        FaultConfig {
            drop_rate: 1.0,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let sheet = sheet(work.path(), 2);
    let run = run_on(
        work.path(),
        &odin,
        &[
            "apply",
            &sheet,
            "--out",
            "run",
            "--retries",
            "0",
            "--no-bulk-writes",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    for line in results(&work.path().join("run")) {
        assert_eq!(&line[3], "applied", "{line:?}");
        assert!(
            line[10].starts_with(
                "the connection dropped before Odin answered; a read showed the write had landed"
            ),
            "{line:?}"
        );
    }
    assert_eq!(odin.stats().dropped, 2);
}

#[test]
fn plan_target_stops_its_reads_at_a_redirect() {
    let elsewhere = Elsewhere::new();
    let odin = sim(
        12,
        FaultConfig {
            redirect: Some(308),
            redirect_to: elsewhere.base_url(),
            redirect_data_only: true,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let sheet = sheet(work.path(), 12);
    let run = crate::support::read_on(work.path(), &odin, &["plan", &sheet, "--concurrency", "1"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.stdout, "", "nothing planned");
    assert!(
        run.stderr.contains("the live reads stopped, ")
            && run.stderr.contains("; nothing was planned")
            && run
                .stderr
                .contains(&format!("a redirect to `{}/", elsewhere.base_url())),
        "{}",
        run.transcript()
    );
    // One redirected read (and the reads that place users in groups), not one per user.
    let redirected: u64 = odin
        .stats()
        .requests
        .iter()
        .filter(|r| r.status == 308)
        .map(|r| r.count)
        .sum();
    assert!(redirected < 12, "{redirected} redirected reads");
    elsewhere.assert_untouched();
}

#[test]
fn check_stops_at_a_redirected_read() {
    let elsewhere = Elsewhere::new();
    let odin = sim(
        3,
        FaultConfig {
            redirect: Some(308),
            redirect_to: elsewhere.base_url(),
            redirect_data_only: true,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let run = crate::support::read_on(work.path(), &odin, &["check", "--group", "ent.sim/grp01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.stdout, "", "no conclusions about the server");
    assert!(
        run.stderr.contains("error: the check stopped: `GET /")
            && run
                .stderr
                .contains(&format!("a redirect to `{}/", elsewhere.base_url())),
        "{}",
        run.transcript()
    );
    let redirected: u64 = odin
        .stats()
        .requests
        .iter()
        .filter(|r| r.status == 308)
        .map(|r| r.count)
        .sum();
    assert_eq!(redirected, 1, "one redirected read");
    elsewhere.assert_untouched();
}
