//! `sleipnir sim` prints its base URL and a ready-to-paste login, and serves on it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;

/// Kills the simulator when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `sleipnir sim` with `args` and read its banner, up to `Ctrl-C stops it.`.
fn start(args: &[&str]) -> (Running, Vec<String>) {
    let child = Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .arg("sim")
        .args(args)
        .env_remove("ODIN_USERNAME")
        .env_remove("ODIN_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let mut banner = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.starts_with("Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    (running, banner)
}

#[tokio::test]
async fn serves_on_the_printed_url_with_the_printed_login() {
    let (_running, banner) = start(&["--port", "0", "--users", "3", "--rate-limit", "50"]);
    assert!(
        banner[0].starts_with("Odin simulator: 3 users in 4 groups"),
        "{banner:?}"
    );
    let base = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("base URL"))
        .expect("base URL line")
        .trim()
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v2"));
    let login = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("login"))
        .expect("login line")
        .trim();
    assert_eq!(
        login,
        format!(
            "export ODIN_URL={base} ODIN_USERNAME=admin@sim.example.net ODIN_PASSWORD=sleipnir-sim"
        )
    );
    assert!(
        banner
            .iter()
            .any(|l| l.contains("faults    rate limit 50/s"))
    );
    sleipnir::odin::install_crypto();
    let client = reqwest::Client::new();
    let token = client
        .post(format!("{base}/auth/token"))
        .json(&json!({"username": "admin@sim.example.net", "password": "sleipnir-sim"}))
        .send()
        .await
        .expect("answered")
        .json::<serde_json::Value>()
        .await
        .expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let user = client
        .get(format!("{base}/users?userId=user00003@sim.example.net"))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered");
    assert_eq!(user.status(), reqwest::StatusCode::OK);
}

#[test]
fn bad_flags_exit_2() {
    let run = crate::support::sleipnir(&["sim", "--fail-rate", "1.5"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`1.5` is not a probability between 0 and 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_banner_names_the_bulk_write_switches() {
    let (_running, banner) = start(&[
        "--port",
        "0",
        "--users",
        "3",
        "--no-bulk-writes",
        "--bulk-write-partial",
        "skip",
    ]);
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == "faults    no bulk writes (405)"),
        "{banner:?}"
    );
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == "answers   bulk writes skip users who cannot take the change"),
        "{banner:?}"
    );
    let run = crate::support::sleipnir(&["sim", "--bulk-write-partial", "some"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`some` is not a partial bulk-write answer; expected one of: fail, skip"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn answers_that_are_not_odins_are_switches() {
    let (_running, banner) = start(&[
        "--port",
        "0",
        "--users",
        "3",
        "--redirect",
        "308",
        "--redirect-to",
        "http://127.0.0.1:9/api/v2",
        "--redirect-data-only",
        "--html-reads",
        "*",
    ]);
    let base = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("base URL"))
        .expect("base URL line")
        .trim()
        .to_string();
    assert!(
        banner.iter().any(|l| l.contains(
            "every request after the login redirected (308) to http://127.0.0.1:9/api/v2"
        ) && l.contains("HTML login page for reads of *")),
        "{banner:?}"
    );
    sleipnir::odin::install_crypto();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = client
        .post(format!("{base}/auth/token"))
        .json(&json!({"username": "admin@sim.example.net", "password": "sleipnir-sim"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(login.status(), 200, "the login is served");
    let read = client
        .get(format!("{base}/users?userId=user00001@sim.example.net"))
        .send()
        .await
        .expect("answered");
    assert_eq!(read.status(), 308);
    assert_eq!(
        read.headers()["location"],
        "http://127.0.0.1:9/api/v2/users?userId=user00001@sim.example.net"
    );
    assert!(
        start(&["--port", "0", "--redirect", "200", "--redirect-to", "x"])
            .1
            .is_empty(),
        "200 is not a redirect"
    );
}

#[test]
fn the_banner_names_the_number_and_sca_switches() {
    let (_running, banner) = start(&[
        "--port",
        "0",
        "--users",
        "3",
        "--dns-add-existing",
        "ignore",
        "--dns-put-answer",
        "empty",
        "--phone-not-in-group",
        "add",
        "--sca-list-without-flags",
        "--sca-delete-style",
        "query",
        "--sca-bulk-shape",
        "flat",
    ]);
    let expected = "answers   adding a listed number: ignore, activations answer empty, \
                    a user's number not in its group: add, \
                    SCA lists without the endpoints' flags, SCA deletes read the query, SCA group reads flat";
    assert!(banner.iter().any(|l| l.trim() == expected), "{banner:?}");
    let run = crate::support::sleipnir(&["sim", "--sca-delete-style", "header"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`header` is not an SCA delete style; expected one of: either, body, query"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn hunt_groups_call_centers_and_their_switches_are_flags() {
    let (_running, banner) = start(&[
        "--port",
        "0",
        "--users",
        "8",
        "--hunt-groups",
        "2",
        "--call-centers",
        "1",
        "--hunt-group-read",
        "array",
        "--delete-unknown",
        "200",
    ]);
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == "services  2 hunt groups and 1 call centers per group"),
        "{banner:?}"
    );
    let expected = "answers   hunt group read as array, deleting an unknown user: 200";
    assert!(banner.iter().any(|l| l.trim() == expected), "{banner:?}");
    let base = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("base URL"))
        .expect("base URL line")
        .trim()
        .to_string();
    sleipnir::odin::install_crypto();
    let client = reqwest::Client::new();
    let token = client
        .post(format!("{base}/auth/token"))
        .json(&json!({"username": "admin@sim.example.net", "password": "sleipnir-sim"}))
        .send()
        .await
        .expect("answered")
        .json::<serde_json::Value>()
        .await
        .expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let read = client
        .get(format!(
            "{base}/groups/hunt-groups?serviceUserId=hg2.grp01@sim.example.net"
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(read[0]["serviceInstanceProfile"]["name"], "Support");
    let run = crate::support::sleipnir(&["sim", "--skill-put", "sometimes"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "`sometimes` is not a skill level PUT answer; expected one of: replace, merge"
        ),
        "{}",
        run.stderr
    );
}
