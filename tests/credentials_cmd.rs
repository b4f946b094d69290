//! Credential resets (issue 18): the published rules checked offline, values written only to
//! Odin, never to any output or file, and changes no rollback can undo named as such.

use std::path::Path;

use sleipnir::sim::{SimConfig, Simulator, Variant, user_id};

use crate::secrets_cmd::everything;
use crate::support::{LOGIN, Run, run_on, sleipnir_env, sleipnir_in, workdir};

/// Part of every credential value of these tests: searched for in every output.
const MARK: &str = "Qz7Mk";

fn sim(users: usize) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            variant: Variant {
                echo_requests: true,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

const HEADER: &str = "userId,services.assign,user.extension,credentials.sipUserName,\
credentials.sipPassword,credentials.webPassword,credentials.portalPasscode\n";

/// A sheet of users 1..=n assigning Authentication, changing the extension and setting each
/// credential; user `bad`'s passcode breaks the server's (unpublished) passcode rule.
fn given_sheet(n: usize, bad: usize) -> String {
    let mut text = String::from(HEADER);
    for i in 1..=n {
        let passcode = match i == bad {
            true => format!("{MARK}9"),
            false => format!("{}", 100_000 + i),
        };
        text.push_str(&format!(
            "{},Authentication,{},sip-{i},Sip-{MARK}-{i},Web-{MARK}-{i},{passcode}\n",
            user_id(i),
            5000 + i
        ));
    }
    text
}

fn assert_no_mark(all: &str) {
    assert!(!all.contains(MARK), "a credential value leaked");
}

fn vv(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.push("-vv");
    run_on(dir, sim, &all)
}

#[test]
fn the_plan_names_credentials_but_never_their_values() {
    let work = workdir();
    let dir = work.path();
    std::fs::create_dir(dir.join("out")).unwrap();
    std::fs::write(dir.join("s.csv"), given_sheet(3, 0)).unwrap();
    let text = sleipnir_in(dir, &["plan", "s.csv", "--out", "out/plan.jsonl"]);
    assert_eq!(text.code, 0, "{}", text.transcript());
    assert!(
        text.stdout
            .contains("sipPassword = ******** (set; cannot be rolled back)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("sipUserName = sip-1 (set; cannot be rolled back)")
    );
    assert!(
        text.stdout
            .contains("12 credential changes cannot be rolled back")
    );
    let json = sleipnir_in(dir, &["plan", "s.csv", "--format", "json"]);
    let review = sleipnir_in(dir, &["plan", "s.csv", "--out", "out/review.xlsx"]);
    assert_eq!(review.code, 0, "{}", review.transcript());
    let all = everything(&text, &dir.join("out")) + &json.stdout + &review.stdout;
    assert_no_mark(&all);
    let plan_file = std::fs::read_to_string(dir.join("out/plan.jsonl")).unwrap();
    assert!(
        plan_file.contains(r#""sipPassword":"********""#),
        "{plan_file}"
    );
}

#[test]
fn a_sheet_breaking_each_published_rule_fails_offline_with_row_and_column() {
    let sim = sim(10);
    let work = workdir();
    let dir = work.path();
    let rows = [
        // row 2: too short
        format!("{},,,,Ab1{MARK},,", user_id(1)).replace(MARK, ""),
        // row 3: no upper case letter
        format!("{},,,,abc-{}-x,,", user_id(2), MARK.to_lowercase()),
        // row 4: no lower case letter
        format!("{},,,,ABC-{}-X,,", user_id(3), MARK.to_uppercase()),
        // row 5: holds the user id's name
        format!("{},,,,X-User00004-{MARK},,", user_id(4)),
        // row 6: holds the SIP user name given beside it
        format!("{},,,sipfive,Sipfive-{MARK},,", user_id(5)),
        // row 7: a SIP user name without its password
        format!("{},,,sipsix,,,", user_id(6)),
        // row 8: a credential cannot be blanked
        format!("{},,,,,<empty>,", user_id(7)),
        // row 9: no generator makes user names
        format!("{},,,<generate>,<generate>,,", user_id(8)),
        // row 10: a `<…>` word that is not `<generate>` is never taken as the password
        format!("{},,,,<generated>,,", user_id(9)),
        // row 11: nor is `<generate>` with more around it
        format!("{},,,,,<generate>x,", user_id(10)),
    ];
    let text = format!("{HEADER}{}\n", rows.join("\n"));
    std::fs::write(dir.join("bad.csv"), text).unwrap();
    let plan = sleipnir_in(dir, &["plan", "bad.csv"]);
    assert_eq!(plan.code, 2, "{}", plan.transcript());
    for (row, column, why) in [
        (2, "E", "6–60 characters"),
        (3, "E", "upper case"),
        (4, "E", "lower case"),
        (5, "E", "user name `user00004`"),
        (6, "E", "user name `sipfive`"),
        (7, "D", "together with its password"),
        (8, "F", "cannot be empty"),
        (9, "D", "no generator"),
        (10, "E", "does not know"),
        (11, "F", "does not know"),
    ] {
        let found = plan.stderr.lines().any(|line| {
            line.contains(&format!("row {row}"))
                && line.contains(&format!("column {column}"))
                && line.contains(why)
        });
        assert!(found, "row {row} column {column} `{why}`:\n{}", plan.stderr);
    }
    assert_no_mark(&plan.stderr);
    let applied = run_on(dir, &sim, &["apply", "bad.csv", "--out", "run"]);
    assert_eq!(applied.code, 2, "{}", applied.transcript());
    assert!(sim.stats().requests.is_empty(), "something was sent");
    let unknown = "userId,credentials.sipPasword\nx@y,Abcdef\n";
    std::fs::write(dir.join("unknown.csv"), unknown).unwrap();
    let plan = sleipnir_in(dir, &["plan", "unknown.csv"]);
    assert_eq!(plan.code, 2);
    assert!(
        plan.stderr.contains("did you mean `sipPassword`"),
        "{}",
        plan.stderr
    );
}

#[test]
fn fifty_users_get_given_credentials_and_no_output_holds_one() {
    let sim = sim(50);
    let work = workdir();
    let dir = work.path();
    std::fs::create_dir(dir.join("out")).unwrap();
    std::fs::write(dir.join("s.csv"), given_sheet(50, 50)).unwrap();
    let planned = sleipnir_in(
        dir,
        &[
            "plan",
            "s.csv",
            "--out",
            "out/plan.jsonl",
            "--review",
            "out/review.xlsx",
        ],
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    // Against the target: credentials are never read, always shown as set.
    let target = sim.base_url();
    let live = sleipnir_env(
        dir,
        &["plan", "s.csv", "--target", &target, "--rate", "500", "-vv"],
        &LOGIN,
    );
    assert_eq!(live.code, 0, "{}", live.transcript());
    assert!(
        live.stdout
            .contains("sipPassword = ******** (set; cannot be rolled back)")
    );
    assert!(
        live.stdout
            .contains("credential changes cannot be rolled back"),
        "{}",
        live.stdout
    );
    assert!(
        !sim.stats()
            .requests
            .iter()
            .any(|r| r.path.contains("authentication"))
    );
    // A plan file holds no value: applying it needs the sheet, and only that sheet.
    let refused = vv(dir, &sim, &["apply", "out/plan.jsonl", "--out", "out/no"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("--credentials SHEET"),
        "{}",
        refused.stderr
    );
    std::fs::write(dir.join("other.csv"), given_sheet(50, 0)).unwrap();
    let wrong = vv(
        dir,
        &sim,
        &[
            "apply",
            "out/plan.jsonl",
            "--credentials",
            "other.csv",
            "--out",
            "out/no",
        ],
    );
    assert_eq!(wrong.code, 2, "{}", wrong.transcript());
    assert!(wrong.stderr.contains("SHA-256"), "{}", wrong.stderr);
    let writes = |sim: &Simulator| {
        sim.stats()
            .requests
            .iter()
            .filter(|r| r.method == "PUT")
            .map(|r| r.count)
            .sum::<u64>()
    };
    assert_eq!(writes(&sim), 0, "something was written");

    let extensions: Vec<_> = (1..=50)
        .map(|i| sim.state(&user_id(i)).unwrap()["user"]["extension"].clone())
        .collect();
    let applied = vv(
        dir,
        &sim,
        &[
            "apply",
            "out/plan.jsonl",
            "--credentials",
            "s.csv",
            "--out",
            "out/run",
        ],
    );
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .contains("200 credential changes cannot be rolled back")
    );
    // failed.jsonl holds user 50's credentials step: applying it needs the sheet.
    assert!(
        applied
            .stdout
            .contains("failed.jsonl --credentials s.csv --target"),
        "{}",
        applied.stdout
    );
    for i in 1..=49 {
        let held = sim.credentials(&user_id(i)).expect("user");
        assert_eq!(held.sip_user_name, Some(format!("sip-{i}")));
        assert_eq!(held.sip_password, Some(format!("Sip-{MARK}-{i}")));
        assert_eq!(held.web_password, Some(format!("Web-{MARK}-{i}")));
        assert_eq!(held.portal_passcode, Some(format!("{}", 100_000 + i)));
    }
    // Rollback restores the extensions and names the credentials it cannot restore.
    let rolled = vv(dir, &sim, &["rollback", "out/run", "--out", "out/back"]);
    assert_eq!(rolled.code, 0, "{}", rolled.transcript());
    assert!(
        rolled.stdout.contains(&format!(
            "  {}: portalPasscode, sipPassword, sipUserName, webPassword",
            user_id(1)
        )),
        "{}",
        rolled.stdout
    );
    // User 50's passcode was refused after its other credentials were set: exactly those
    // stay changed.
    assert!(
        rolled.stdout.contains("50 users keep the credentials")
            && rolled.stdout.contains(&format!(
                "  {}: sipUserName, sipPassword, webPassword\n",
                user_id(50)
            ))
            && !rolled.stdout.contains("may keep some"),
        "{}",
        rolled.stdout
    );
    for (i, extension) in (1..=50).zip(extensions) {
        let state = sim.state(&user_id(i)).unwrap();
        assert_eq!(state["user"]["extension"], extension, "as before the run");
    }
    // The server refused user 50's passcode, echoing the request with its values.
    let all = everything(&applied, &dir.join("out")) + &rolled.stdout + &rolled.stderr;
    assert!(
        all.contains("while handling PUT /api/v2/users/portal-passcode"),
        "no echo: {}",
        applied.transcript()
    );
    assert!(all.contains("[redacted]"), "nothing was redacted");
    assert_no_mark(&all);
}

#[test]
fn generated_credentials_go_to_credentials_csv_only_and_rollback_names_them() {
    let sim = sim(50);
    let work = workdir();
    let dir = work.path();
    std::fs::create_dir(dir.join("out")).unwrap();
    let mut text = String::from(
        "userId,user.serviceProviderId,user.groupId,user.extension,credentials.sipPassword,\
         credentials.webPassword,credentials.portalPasscode\n",
    );
    for i in 1..=50 {
        // Half the rows say where the user lives; the others' groups are read.
        let (sp, group) = match i % 2 {
            1 => (
                "ent.sim".to_string(),
                sleipnir::sim::group_id((i - 1) % 4 + 1),
            ),
            _ => (String::new(), String::new()),
        };
        // Users 49 and 50 change nothing but their credentials.
        let extension = match i < 49 {
            true => (6000 + i).to_string(),
            false => String::new(),
        };
        text.push_str(&format!(
            "{},{sp},{group},{extension},<generate>,<generate>,<generate>\n",
            user_id(i),
        ));
    }
    std::fs::write(dir.join("g.csv"), text).unwrap();
    let planned = sleipnir_in(dir, &["plan", "g.csv"]);
    assert!(
        planned
            .stdout
            .contains("webPassword = <generate> (generated; cannot be rolled back)"),
        "{}",
        planned.stdout
    );
    let before: Vec<_> = (1..=50)
        .map(|i| sim.state(&user_id(i)).unwrap()["user"]["extension"].clone())
        .collect();
    let applied = vv(dir, &sim, &["apply", "g.csv", "--out", "out/run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .contains("out/run/credentials.csv` (owner-only)"),
        "{}",
        applied.stdout
    );
    // Odin's generators, asked per group with limit=N (four groups) and per SIP password.
    let asked = |path: &str| {
        sim.stats()
            .requests
            .iter()
            .filter(|r| r.path == format!("/api/v2{path}"))
            .map(|r| r.count)
            .sum::<u64>()
    };
    assert_eq!(asked("/password/generate"), 4);
    assert_eq!(asked("/passcode/generate"), 4);
    assert_eq!(asked("/sip-password/generate"), 50);

    let file = dir.join("out/run/credentials.csv");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["userId", "credential", "value"]
    );
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 150);
    for line in &lines {
        let held = sim.credentials(&line[0]).unwrap();
        let value = match &line[1] {
            "sipPassword" => held.sip_password,
            "webPassword" => held.web_password,
            "portalPasscode" => held.portal_passcode,
            other => panic!("{other}"),
        };
        assert_eq!(value.as_deref(), Some(&line[2]), "{}", &line[0]);
    }
    // The report names the file; nothing but the file holds a generated value.
    let html = std::fs::read_to_string(dir.join("out/run/report.html")).unwrap();
    assert!(html.contains("credentials.csv"));
    std::fs::remove_file(&file).unwrap();
    // The rollback file names the credentials it cannot restore, a credentials-only user
    // included.
    let entries = std::fs::read_to_string(dir.join("out/run/rollback.jsonl")).unwrap();
    let named = r#""notRestorable":["sipPassword","webPassword","portalPasscode"]"#;
    assert_eq!(entries.matches(named).count(), 50, "{entries}");
    let rolled = vv(dir, &sim, &["rollback", "out/run", "--out", "out/back"]);
    assert_eq!(rolled.code, 0, "{}", rolled.transcript());
    assert!(
        rolled
            .stdout
            .contains("50 users keep the credentials this run set"),
        "{}",
        rolled.stdout
    );
    assert!(rolled.stdout.contains(&format!(
        "  {}: portalPasscode, sipPassword, webPassword",
        user_id(7)
    )));
    let all = everything(&applied, &dir.join("out")) + &rolled.stdout + &rolled.stderr;
    for line in &lines {
        assert!(!all.contains(&line[2]), "a generated value leaked");
    }
    for (i, extension) in (1..=50).zip(before) {
        let state = sim.state(&user_id(i)).unwrap();
        assert_eq!(
            state["user"]["extension"], extension,
            "rollback restores the rest"
        );
    }
}
