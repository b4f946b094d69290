//! No secret in any output: against a simulator whose error texts echo each request (its
//! `Authorization` header, and its body with a login's password), the admin's password and
//! the tokens of the run are found nowhere — not on stdout or stderr at `-vv`, not in any
//! run file (the workbook unzipped).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use sleipnir::sim::{FaultConfig, Login, SimConfig, Simulator, Variant, user_id};

use crate::support::{Run, sleipnir_env, workdir};

/// The admin's password in these tests: a marker to search for, with a `"` and a `\` that
/// an echo escapes (once in JSON, twice inside an error text's JSON string).
const PASSWORD: &str = r#"Mk-pw"4f2e\9b7c1d"#;
/// Parts of it that survive any escaping.
const MARKS: [&str; 2] = ["4f2e", "9b7c1d"];
/// Every token the simulator issues is a JWT, and every JWT starts so (`{"` in base64url).
const TOKEN_START: &str = "eyJ";

fn sim(variant: Variant, faults: FaultConfig) -> Simulator {
    Simulator::start(
        SimConfig {
            users: 30,
            token_ttl: Duration::from_secs(2),
            login: Login {
                username: "admin@sim.example.net".into(),
                password: PASSWORD.into(),
            },
            variant,
            faults,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

fn echoing() -> Variant {
    Variant {
        echo_requests: true,
        ..Variant::default()
    }
}

fn run(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--rate", "500", "-vv"]);
    sleipnir_env(
        dir,
        &all,
        &[
            ("ODIN_USERNAME", "admin@sim.example.net"),
            ("ODIN_PASSWORD", PASSWORD),
        ],
    )
}

/// Every text the run left: its output, and each file under `dir` (zip members unpacked).
pub(crate) fn everything(run: &Run, dir: &Path) -> String {
    let mut all = format!("{}\n{}\n", run.stdout, run.stderr);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("file");
            if bytes.starts_with(b"PK") {
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
                for i in 0..zip.len() {
                    let mut member = zip.by_index(i).expect("member");
                    let mut text = String::new();
                    let _ = member.read_to_string(&mut text);
                    all.push_str(&text);
                }
            } else {
                all.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    all
}

/// `s.csv`: a new extension for user 1.
fn one_user_sheet(dir: &Path) {
    std::fs::write(
        dir.join("s.csv"),
        format!("userId,user.extension\n{},4001\n", user_id(1)),
    )
    .expect("sheet");
}

fn assert_no_secret(all: &str) {
    for mark in MARKS {
        assert!(!all.contains(mark), "the password leaked");
    }
    assert!(!all.contains(TOKEN_START), "a token leaked");
}

#[test]
fn a_run_against_an_echoing_server_leaves_no_secret_anywhere() {
    let sim = sim(
        echoing(),
        FaultConfig {
            fail_rate: 0.3,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let dir = work.path();
    // Some users lack Sequential Ring: their settings write is refused, its text echoing
    // the request; 503s before writes echo theirs.
    let mut text =
        String::from("userId,user.extension,settings.Sequential Ring.ringBaseLocationFirst\n");
    for n in 1..=30 {
        text.push_str(&format!("{},{},false\n", user_id(n), 3000 + n));
    }
    std::fs::write(dir.join("s.csv"), text).expect("sheet");
    let applied = run(dir, &sim, &["apply", "s.csv", "--out", "run", "--yes"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let rolled = run(dir, &sim, &["rollback", "run", "--out", "back", "--yes"]);
    let all = everything(&applied, dir) + &everything(&rolled, &dir.join("back"));
    // The server did echo, and what it echoed was cut out.
    assert!(
        all.contains("while handling PUT"),
        "the server echoed nothing"
    );
    assert!(all.contains("[redacted]"), "nothing was redacted");
    assert_no_secret(&all);
}

#[test]
fn a_login_answered_500_with_the_password_in_its_text_never_shows_it() {
    let sim = sim(
        Variant {
            failing_login: true,
            ..echoing()
        },
        FaultConfig::default(),
    );
    let work = workdir();
    let dir = work.path();
    one_user_sheet(dir);
    for args in [
        vec!["apply", "s.csv", "--out", "run", "--yes"],
        vec!["plan", "s.csv"],
        vec!["check"],
    ] {
        let out = run(dir, &sim, &args);
        assert_eq!(out.code, 3, "{}", out.transcript());
        assert!(out.stderr.contains("HTTP 500"), "{}", out.transcript());
        assert!(out.stderr.contains("[redacted]"), "{}", out.transcript());
        assert_no_secret(&everything(&out, dir));
    }
}

#[test]
fn check_and_export_against_an_echoing_server_show_no_secret() {
    let sim = sim(echoing(), FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    let checked = run(dir, &sim, &["check", "--user", "nobody@sim.example.net"]);
    assert_eq!(checked.code, 1, "{}", checked.transcript());
    let json = run(
        dir,
        &sim,
        &["check", "--group", "ent.sim/grp01", "--format", "json"],
    );
    std::fs::write(dir.join("users.txt"), "nobody@sim.example.net\n").expect("list");
    let exported = run(
        dir,
        &sim,
        &[
            "export",
            "--users",
            "users.txt",
            "--columns",
            "user.extension",
            "--out",
            "x.csv",
        ],
    );
    assert_eq!(exported.code, 1, "{}", exported.transcript());
    let all = everything(&checked, dir) + &everything(&json, dir) + &everything(&exported, dir);
    assert!(all.contains("[redacted]"), "nothing was redacted");
    assert_no_secret(&all);
}

#[test]
fn a_target_with_a_login_in_it_is_refused_and_never_repeated() {
    let sim = sim(Variant::default(), FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    one_user_sheet(dir);
    let target = sim
        .base_url()
        .replace("http://", &format!("http://admin:{PASSWORD}@"));
    for args in [
        vec!["apply", "s.csv", "--target", &target, "--yes"],
        vec!["check", "--target", &target],
    ] {
        let out = sleipnir_env(
            dir,
            &args,
            &[("ODIN_USERNAME", "admin"), ("ODIN_PASSWORD", PASSWORD)],
        );
        assert_eq!(out.code, 2, "{}", out.transcript());
        assert!(out.stderr.contains("ODIN_USERNAME"), "{}", out.transcript());
        assert_no_secret(&everything(&out, dir));
    }
    assert_eq!(sim.stats().requests.len(), 0, "nothing was sent");
}

/// A created user's web password goes in `POST /users` (API.md §14): against a server that
/// echoes each request in its error texts, and with 503s, neither a password the sheet
/// gives nor a generated one is found anywhere but the run's `credentials.csv` — the
/// onboarding's output and run files, nor its rollback's.
#[test]
fn a_created_users_password_is_found_nowhere_but_credentials_csv() {
    let sim = sim(
        echoing(),
        FaultConfig {
            fail_rate: 0.3,
            ..FaultConfig::default()
        },
    );
    let work = workdir();
    let dir = work.path();
    // Two given passwords (the second too short: Odin refuses the create, echoing it) and
    // one generated.
    let given = ["Nw-4e7b\"9a1c5d", "Nw-6f0a"];
    let head = "userId,action,user.serviceProviderId,user.groupId,user.firstName,\
                user.lastName,user.callingLineIdFirstName,user.callingLineIdLastName,\
                credentials.webPassword\n";
    let mut text = String::from(head);
    for (n, password) in given.iter().chain(["<generate>"].iter()).enumerate() {
        let quoted = password.replace('"', "\"\"");
        text.push_str(&format!(
            "new{n}@sim.example.net,create,ent.sim,grp01,A,B,A,B,\"{quoted}\"\n"
        ));
    }
    std::fs::write(dir.join("s.csv"), text).expect("sheet");
    let applied = run(dir, &sim, &["apply", "s.csv", "--out", "run", "--yes"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let generated = std::fs::read_to_string(dir.join("run/credentials.csv")).expect("csv");
    let made = generated
        .lines()
        .nth(1)
        .and_then(|l| l.rsplit(',').next())
        .expect("a value");
    std::fs::remove_file(dir.join("run/credentials.csv")).expect("handed out");
    let rolled = run(dir, &sim, &["rollback", "run", "--out", "back", "--yes"]);
    // The sheet holds the given ones: the run's files are searched, not it.
    let all = everything(&applied, &dir.join("run")) + &everything(&rolled, &dir.join("back"));
    assert!(
        all.contains("while handling POST"),
        "the server echoed nothing"
    );
    for secret in ["4e7b", "9a1c5d", "6f0a", made] {
        assert!(!all.contains(secret), "a password leaked: {secret}");
    }
    assert_no_secret(&all);
}
