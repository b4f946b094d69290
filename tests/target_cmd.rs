//! A run's way back goes to its own server and overwrites nothing newer (issue 23): every
//! run records its target; `rollback`, `--resume` and `apply PLAN` against another one are
//! refused before logging in unless `--other-target`; a rollback keeps the fields someone
//! else changed since the run (`drifted`) and restores the rest; a value a plan sets is no
//! drift; and writes Odin is known to refuse are not sent.

use std::path::Path;

use serde_json::{Value, json};
use sleipnir::sim::{SimConfig, user_id};

use crate::sim_support::{Odin, odin};
use crate::support::{LOGIN, Run, results, run_on, sleipnir_env, workdir};

async fn sims(users: usize) -> Odin {
    odin(SimConfig {
        users,
        ..SimConfig::default()
    })
    .await
}

/// Set fields of user `n`'s record, as someone else would in Odin's portal.
async fn set_user(odin: &Odin, n: usize, fields: Value) {
    let record = &odin.state(&user_id(n)).await["user"];
    let mut body = json!({
        "userId": user_id(n),
        "serviceProviderId": record["serviceProviderId"],
        "groupId": record["groupId"],
    });
    for (key, value) in fields.as_object().expect("fields") {
        body[key] = value.clone();
    }
    odin.put_json("/users", body).await;
}

/// Users 1..=`users`: a new extension and first name, and a Call Forwarding Always number.
fn sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from(
        "userId,user.extension,user.callingLineIdFirstName,settings.Call Forwarding Always.forwardToPhoneNumber\n",
    );
    for n in 1..=users {
        text.push_str(&format!(
            "{},{},Wave{n},+1555666{n:04}\n",
            user_id(n),
            7000 + n
        ));
    }
    std::fs::write(dir.join("wave.csv"), text).expect("sheet written");
    "wave.csv".to_string()
}

/// `sleipnir ARGS --yes --rate 500` in `dir`, with the simulator's login and `env`.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--yes", "--rate", "500"]);
    let mut env = env.to_vec();
    env.extend(LOGIN);
    sleipnir_env(dir, &all, &env)
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file")).expect("json")
}

fn header(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("file");
    serde_json::from_str(text.lines().next().expect("a header")).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_keeps_what_someone_changed_since_and_force_restores_it() {
    let odin = sims(3).await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 3);
    let before: Vec<Value> = states(&odin, 3).await;
    let target = odin.sim.base_url();

    let run = run_on(dir, &odin.sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // Every run records its target and Odin user, and its undo command names the target.
    assert!(
        run.stdout.contains(&format!(
            "undo it with: sleipnir rollback run --target {target}\n"
        )),
        "{}",
        run.stdout
    );
    let summary = json_file(&dir.join("run/summary.json"));
    assert_eq!(summary["source"]["target"], target.as_str());
    assert_eq!(
        summary["source"]["odin_user"],
        sleipnir::sim::DEFAULT_USERNAME
    );
    let rollback_header = header(&dir.join("run/rollback.jsonl"));
    assert_eq!(rollback_header["target"], target.as_str());
    assert_eq!(
        rollback_header["odin_user"],
        sleipnir::sim::DEFAULT_USERNAME
    );
    // The rollback entry records what the run wrote beside what it restores.
    let entries = sleipnir::plan::file::read(&dir.join("run/rollback.jsonl")).expect("rollback");
    let first = entries
        .users
        .iter()
        .find(|u| u.user_id == user_id(1))
        .expect("user 1's entry");
    let wrote = first.before.as_ref().expect("after-values recorded");
    assert_eq!(
        wrote[&sleipnir::resource::Resource::User]["extension"],
        "7001"
    );

    // After the run, someone changes user 1's extension and user 2's forwarding number.
    set_user(&odin, 1, json!({"extension": "4242"})).await;
    odin.put_json(
        "/users/services/settings",
        json!({"userId": user_id(2), "Call Forwarding Always": {"forwardToPhoneNumber": "+15550004242"}}),
    )
    .await;

    let undo = run_on(dir, &odin.sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undo.code, 1, "{}", undo.transcript());
    let lines = results(&dir.join("undo"));
    let line = |n: usize, resource: &str| {
        lines
            .iter()
            .find(|l| l[1] == user_id(n) && &l[2] == resource)
            .expect("a line")
            .clone()
    };
    let kept = line(1, "user");
    assert_eq!(&kept[3], "drifted", "{kept:?}");
    assert!(
        kept[10].contains("user `extension` was \"7001\" after the run, is \"4242\" now"),
        "{kept:?}"
    );
    assert_eq!(&kept[7], "callingLineIdFirstName", "the rest is restored");
    assert_eq!(&line(1, "settings")[3], "applied");
    assert_eq!(&line(2, "settings")[3], "drifted");
    assert_eq!(&line(2, "user")[3], "applied");
    let now = states(&odin, 3).await;
    assert_eq!(now[0]["user"]["extension"], "4242", "kept");
    assert_eq!(
        now[0]["user"]["callingLineIdFirstName"],
        before[0]["user"]["callingLineIdFirstName"]
    );
    assert_eq!(
        now[1]["settings"]["Call Forwarding Always"]["forwardToPhoneNumber"],
        "+15550004242"
    );
    assert_eq!(now[2], before[2], "an untouched user is restored exactly");
    let summary = json_file(&dir.join("undo/summary.json"));
    assert_eq!(summary["usersByOutcome"]["drifted"], 2);

    // --force restores them too.
    let forced = run_on(
        dir,
        &odin.sim,
        &["rollback", "run", "--out", "forced", "--force"],
    );
    assert_eq!(forced.code, 0, "{}", forced.transcript());
    assert_eq!(states(&odin, 3).await, before);
}

async fn states(odin: &Odin, users: usize) -> Vec<Value> {
    let mut states = Vec::new();
    for n in 1..=users {
        states.push(odin.state(&user_id(n)).await);
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn rollback_and_resume_against_another_server_are_refused_before_login() {
    let (a, b) = (sims(2).await, sims(2).await);
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 2);
    let (url_a, url_b) = (a.sim.base_url(), b.sim.base_url());
    let run = run_on(dir, &a.sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(run.code, 0, "{}", run.transcript());

    // ODIN_URL left pointing at B.
    let sent = b.sim.stats().total;
    let refused = run_env(
        dir,
        &["rollback", "run", "--out", "undo"],
        &[("ODIN_URL", &url_b)],
    );
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(&format!(
            "the run in `run` changed {url_a} (as `{}`), but this command points at {url_b} (ODIN_URL); nothing was sent",
            sleipnir::sim::DEFAULT_USERNAME
        )),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--other-target"),
        "{}",
        refused.stderr
    );
    assert_eq!(b.sim.stats().total, sent, "no request reached B");
    assert!(!dir.join("undo").exists());

    // A resume of the run against B: refused the same way.
    let resumed = run_env(
        dir,
        &["apply", &sheet, "--resume", "run", "--target", &url_b],
        &[],
    );
    assert_eq!(resumed.code, 2, "{}", resumed.transcript());
    assert!(
        resumed.stderr.contains(&format!("changed {url_a}"))
            && resumed
                .stderr
                .contains(&format!("points at {url_b} (--target)")),
        "{}",
        resumed.stderr
    );
    assert_eq!(b.sim.stats().total, sent, "no request reached B");

    // The same server written otherwise (a trailing slash, the host's case) is the same.
    let same = url_a.replacen("http://", "HTTP://", 1) + "/";
    let undo = run_env(
        dir,
        &["rollback", "run", "--out", "undo", "--target", &same],
        &[("ODIN_URL", &url_b)],
    );
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert_eq!(b.sim.stats().total, sent, "no request reached B");

    // --other-target runs it against B on purpose, saying so.
    let elsewhere = run_env(
        dir,
        &["rollback", "run", "--out", "elsewhere", "--other-target"],
        &[("ODIN_URL", &url_b)],
    );
    assert!(
        elsewhere.code == 0 || elsewhere.code == 1,
        "{}",
        elsewhere.transcript()
    );
    assert!(
        elsewhere.stderr.contains("as --other-target asks"),
        "{}",
        elsewhere.stderr
    );
    assert!(b.sim.stats().total > sent, "B was written");
    let summary = json_file(&dir.join("elsewhere/summary.json"));
    assert_eq!(summary["source"]["target"], url_b.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_made_against_a_is_refused_against_b_and_applied_twice_is_unchanged() {
    let (a, b) = (sims(3).await, sims(3).await);
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 3);
    let (url_a, url_b) = (a.sim.base_url(), b.sim.base_url());
    let planned = crate::support::read_on(dir, &a.sim, &["plan", &sheet, "--out", "p.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert_eq!(header(&dir.join("p.jsonl"))["target"], url_a.as_str());

    let sent = b.sim.stats().total;
    let refused = run_on(dir, &b.sim, &["apply", "p.jsonl", "--out", "b"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains(&format!("plan file `p.jsonl` was made against {url_a}"))
            && refused.stderr.contains(&format!("points at {url_b}")),
        "{}",
        refused.stderr
    );
    assert_eq!(b.sim.stats().total, sent, "no request reached B");

    let first = run_on(dir, &a.sim, &["apply", "p.jsonl", "--out", "one"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    // Applied again (a terminal died and the admin ran it again): it already landed.
    let writes = crate::support::puts(&a.sim.stats());
    let second = run_on(dir, &a.sim, &["apply", "p.jsonl", "--out", "two"]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert!(
        results(&dir.join("two"))
            .iter()
            .all(|l| &l[3] == "unchanged"),
        "{}",
        second.transcript()
    );
    assert_eq!(
        crate::support::puts(&a.sim.stats()),
        writes,
        "nothing written"
    );
    let summary = json_file(&dir.join("two/summary.json"));
    assert_eq!(summary["usersByOutcome"]["unchanged"], 3);
    assert_eq!(summary["usersByOutcome"]["drifted"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_of_a_service_the_user_lacks_are_skipped_without_a_request() {
    // Users 3 and 7 lack Call Forwarding Busy (the simulator's seed: n % 4 == 3).
    const USERS: usize = 8;
    let odin = sims(USERS).await;
    let work = workdir();
    let dir = work.path();
    let mut text =
        String::from("userId,user.extension,settings.Call Forwarding Busy.forwardToPhoneNumber\n");
    for n in 1..=USERS {
        text.push_str(&format!("{},{},+1555888{n:04}\n", user_id(n), 8000 + n));
    }
    std::fs::write(dir.join("cfb.csv"), text).expect("sheet");
    let lacking = [user_id(3), user_id(7)];

    let planned = crate::support::read_on(dir, &odin.sim, &["plan", "cfb.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned
            .stderr
            .contains("2 users without `Call Forwarding Busy` assigned"),
        "{}",
        planned.stderr
    );
    assert!(
        planned.stdout.contains(", 1 warning\n"),
        "{}",
        planned.stdout
    );

    let before = odin.sim.stats();
    let run = run_on(dir, &odin.sim, &["apply", "cfb.csv", "--out", "run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let after = odin.sim.stats();
    let count = |stats: &sleipnir::sim::StatsReport, method: &str, path: &str, status: u16| {
        stats
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.ends_with(path) && r.status == status)
            .map(|r| r.count)
            .sum::<u64>()
    };
    let settings = "/users/services/settings";
    assert_eq!(
        count(&after, "PUT", settings, 200) - count(&before, "PUT", settings, 200),
        (USERS - 2) as u64
    );
    assert_eq!(
        count(&after, "PUT", settings, 400),
        0,
        "no refused write sent"
    );
    assert_eq!(
        count(&after, "PUT", "/users", 200) - count(&before, "PUT", "/users", 200),
        (USERS - 2) as u64,
        "nothing of those users is written"
    );
    let lines = results(&dir.join("run"));
    for user in &lacking {
        let mine: Vec<_> = lines.iter().filter(|l| &l[1] == user).collect();
        assert!(mine.iter().all(|l| &l[3] == "skipped"), "{mine:?}");
        let settings = mine.iter().find(|l| &l[2] == "settings").expect("line");
        assert!(
            settings[10].starts_with(
                "not sent: `Call Forwarding Busy` is not assigned to this user, and the sheet \
                 does not assign it"
            ),
            "{settings:?}"
        );
        let user_line = mine.iter().find(|l| &l[2] == "user").expect("line");
        assert!(
            user_line[10].contains("would be refused by Odin"),
            "{user_line:?}"
        );
        assert_eq!(
            odin.state(user).await["user"]["extension"],
            format!("{}", 1000 + user[4..9].parse::<usize>().expect("n"))
        );
    }
    let failed = sleipnir::plan::file::read(&dir.join("run/failed.jsonl")).expect("failed");
    let ids: Vec<&str> = failed.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, [lacking[0].as_str(), lacking[1].as_str()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_of_an_older_sleipnir_rolls_back_saying_what_it_does_not_record() {
    let odin = sims(2).await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 2);
    let before = states(&odin, 2).await;
    let run = run_on(dir, &odin.sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // As an older sleipnir wrote it: no target in the header, no after-values in entries.
    let path = dir.join("run/rollback.jsonl");
    let old: String = std::fs::read_to_string(&path)
        .expect("rollback")
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).expect("json");
            let object = value.as_object_mut().expect("object");
            for key in ["target", "odin_user", "before"] {
                object.remove(key);
            }
            format!("{value}\n")
        })
        .collect();
    std::fs::write(&path, old).expect("rewritten");
    // Someone changes user 1's extension: without after-values, the rollback restores it.
    set_user(&odin, 1, json!({"extension": "4242"})).await;

    let undo = run_on(dir, &odin.sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert!(
        undo.stderr.contains(&format!(
            "warning: the run in `run` changed a target it does not record (made by an older \
             sleipnir): make sure {} is that server",
            odin.sim.base_url()
        )),
        "{}",
        undo.stderr
    );
    assert!(
        undo.stderr
            .contains("does not record what the run wrote (made by an older sleipnir)"),
        "{}",
        undo.stderr
    );
    assert_eq!(states(&odin, 2).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_resumes_only_with_the_kind_of_plan_it_started_with() {
    let odin = sims(3).await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 3);
    let before = states(&odin, 3).await;
    for out in ["one", "two"] {
        let run = run_on(dir, &odin.sim, &["apply", &sheet, "--out", out]);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let logins = crate::run_dir_cmd::logins(&odin.sim);
    // A rollback pointed at another apply run of the same sheet as if it were its own.
    let wrong = run_on(dir, &odin.sim, &["rollback", "one", "--resume", "two"]);
    assert_eq!(wrong.code, 2, "{}", wrong.transcript());
    assert!(
        wrong.stderr.contains(
            "`two` is a run of `wave.csv`, not of `rollback of wave.csv`; resume it as it \
             started: `sleipnir apply wave.csv --resume two`"
        ),
        "{}",
        wrong.stderr
    );
    // The sheet's own plan applied on a rollback's directory, and the rollback file of a
    // run on that run: each is another plan.
    let undo = run_on(dir, &odin.sim, &["rollback", "one", "--out", "undo"]);
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    let wrong = run_on(dir, &odin.sim, &["apply", &sheet, "--resume", "undo"]);
    assert_eq!(wrong.code, 2, "{}", wrong.transcript());
    assert!(
        wrong
            .stderr
            .contains("is a run of `rollback of wave.csv`, not of `wave.csv`")
    );
    let wrong = run_on(
        dir,
        &odin.sim,
        &["apply", "one/rollback.jsonl", "--resume", "two"],
    );
    assert_eq!(wrong.code, 2, "{}", wrong.transcript());
    assert_eq!(
        crate::run_dir_cmd::logins(&odin.sim),
        logins + 1,
        "only the real rollback logged in"
    );
    // The two runs wrote the same values: undoing the first put everyone back.
    assert_eq!(states(&odin, 3).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_into_the_run_it_undoes_or_a_run_into_a_file_is_refused_as_usage() {
    let odin = sims(2).await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, 2);
    let run = run_on(dir, &odin.sim, &["apply", &sheet, "--out", "one"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let logins = crate::run_dir_cmd::logins(&odin.sim);
    for args in [
        &["rollback", "one", "--resume", "one"][..],
        &["rollback", "one", "--out", "./one"][..],
    ] {
        let refused = run_on(dir, &odin.sim, args);
        assert_eq!(refused.code, 2, "{}", refused.transcript());
        assert!(
            refused.stderr.contains("`one` is the run to undo"),
            "{}",
            refused.stderr
        );
        assert!(!refused.stderr.contains("in use by another run"));
    }
    let into_file = run_on(dir, &odin.sim, &["apply", &sheet, "--out", &sheet]);
    assert_eq!(into_file.code, 2, "{}", into_file.transcript());
    assert!(into_file.stderr.contains("is a file, not a run directory"));
    assert_eq!(
        crate::run_dir_cmd::logins(&odin.sim),
        logins,
        "none logged in"
    );
}
