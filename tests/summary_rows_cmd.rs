//! Against the simulator as the real Odin is (API.md §3, §7a): group listings are summary
//! rows, and a partial nested object in a write replaces the stored one (or merges, the
//! other possible answer). For the users of three groups, `plan --target`, apply, rollback
//! and export of fields listing rows lack or hold in another shape: every before-value is the
//! real one, the state after apply and after rollback is exact, exported cells are the live
//! values.

use std::path::Path;

use serde_json::{Value, json};
use sleipnir::sheet::{self, Cell};
use sleipnir::sim::{
    NestedWrites, SERVICE_PROVIDER, SimConfig, Simulator, Variant, group_id, group_spares, user_id,
};

use crate::support::{LOGIN, run_on, sleipnir_env, workdir};

const USERS: usize = 9;
const GROUPS: usize = 3;
const FIELDS: [&str; 6] = [
    "user.address.city",
    "user.address.addressLine2",
    "user.emailAddress",
    "user.callingLineIdPhoneNumber",
    "user.department.name",
    "settings.Call Forwarding Always.forwardToPhoneNumber",
];

/// The new value of field `f` for user `n`.
fn value(f: usize, n: usize) -> String {
    match f {
        0 => format!("Newtown {n}"),
        1 => format!("Suite {n}"),
        2 => format!("new{n}@example.test"),
        // A CLID number is one of the user's group's numbers (a spare), as national digits.
        3 => (group_spares((n - 1) % GROUPS + 1).start + ((n - 1) / GROUPS) as u64).to_string(),
        4 => format!("Dept {n}"),
        _ => format!("+1555888{n:04}"),
    }
}

fn sim(nested: NestedWrites) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            variant: Variant {
                nested_writes: nested,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// The live value of sheet column `title` in a user's simulator state.
fn live(state: &Value, title: &str) -> Value {
    let path = sleipnir::notation::FieldPath::parse(title).expect("path");
    sleipnir::notation::get(&state[path.namespace.name()], &path.segments)
        .cloned()
        .unwrap_or(Value::Null)
}

fn states(sim: &Simulator) -> Vec<Value> {
    (1..=USERS)
        .map(|n| sim.state(&user_id(n)).expect("user"))
        .collect()
}

fn write_sheet(dir: &Path) {
    let mut text = format!(
        "userId,user.serviceProviderId,user.groupId,{}\n",
        FIELDS.join(",")
    );
    for n in 1..=USERS {
        let values: Vec<String> = (0..FIELDS.len()).map(|f| value(f, n)).collect();
        text.push_str(&format!(
            "{},{SERVICE_PROVIDER},{},{}\n",
            user_id(n),
            group_id((n - 1) % GROUPS + 1),
            values.join(",")
        ));
    }
    std::fs::write(dir.join("sheet.csv"), text).expect("sheet");
}

/// Export the five columns of the three groups and check every cell against the live state.
fn export_matches(dir: &Path, sim: &Simulator, name: &str) {
    let target = sim.base_url();
    let mut args = vec!["export", "--columns"];
    let columns = FIELDS.join(",");
    args.push(&columns);
    let groups: Vec<String> = (1..=GROUPS)
        .map(|g| format!("{SERVICE_PROVIDER}/{}", group_id(g)))
        .collect();
    for group in &groups {
        args.extend(["--group", group]);
    }
    args.extend(["--out", name, "--target", &target, "--rate", "1000"]);
    let out = sleipnir_env(dir, &args, &LOGIN);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let sheet = sheet::read(&dir.join(name), &Default::default()).expect("exported sheet");
    assert_eq!(sheet.rows.len(), USERS);
    for row in &sheet.rows {
        let Cell::Text(id) = &row.cells[0] else {
            panic!("{row:?}")
        };
        let state = sim.state(id).expect("user");
        for (column, cell) in sheet.columns.iter().zip(&row.cells).skip(3) {
            let live = live(&state, &column.title);
            let text = match cell {
                Cell::Empty => Value::Null,
                Cell::Text(t) => Value::String(t.clone()),
                other => panic!("{other:?}"),
            };
            // Seeded empty department names are written as `<empty>`.
            let text = if text == "<empty>" { json!("") } else { text };
            assert_eq!(text, live, "`{id}` `{}` in {name}", column.title);
        }
    }
}

/// Unset `address.addressLine2` of users `1..=users`, as an admin in Odin would.
fn without_second_line(sim: &Simulator, users: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        sleipnir::odin::install_crypto();
        let client = reqwest::Client::new();
        let token = crate::sim_support::login(&client, sim).await;
        for n in 1..=users {
            let mut address = sim.state(&user_id(n)).expect("user")["user"]["address"].clone();
            address["addressLine2"] = Value::Null;
            let body = json!({"userId": user_id(n), "serviceProviderId": SERVICE_PROVIDER,
                              "groupId": group_id((n - 1) % GROUPS + 1), "address": address});
            let answer = client
                .put(format!("{}/users", sim.base_url()))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("answered");
            assert!(answer.status().is_success());
        }
    });
    for n in 1..=users {
        let state = sim.state(&user_id(n)).expect("user");
        assert!(state["user"]["address"].get("addressLine2").is_none());
        assert!(state["user"]["address"]["addressLine1"].is_string());
    }
}

fn round_trip(nested: NestedWrites) {
    let sim = sim(nested);
    let work = workdir();
    let dir = work.path();
    write_sheet(dir);
    // Users 1 to 3 have no second address line: the run adds one inside the object, and
    // the rollback must take it away again, whether the server merges or replaces.
    without_second_line(&sim, 3);
    let before = states(&sim);
    export_matches(dir, &sim, "before.csv");

    // plan --target records the real before-values.
    let target = sim.base_url();
    let planned = sleipnir_env(
        dir,
        &[
            "plan",
            "sheet.csv",
            "--target",
            &target,
            "--out",
            "plan.jsonl",
            "--rate",
            "1000",
        ],
        &LOGIN,
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let text = std::fs::read_to_string(dir.join("plan.jsonl")).expect("plan file");
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let user: Value = serde_json::from_str(line).expect("json");
        let n: usize = user["userId"].as_str().expect("id")[4..9]
            .parse()
            .expect("n");
        for title in FIELDS {
            let (resource, path) = title.split_once('.').expect("namespace");
            let recorded = &user["before"][resource][path];
            assert_eq!(
                *recorded,
                live(&before[n - 1], title),
                "{title} of user {n}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, USERS * FIELDS.len());

    // apply: exactly the sheet's values, nothing else of the record lost.
    let applied = run_on(dir, &sim, &["apply", "plan.jsonl", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    // Listing rows lack these user fields: each user's record is read on its own (no
    // listing is read for nothing); Call Forwarding Always is one /bulk read per group, and
    // the group's number list one more, for the CLID numbers (one of the group's).
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary.json"),
    )
    .expect("json");
    let requests = &summary["requests"];
    assert_eq!(requests["userReads"], json!(USERS), "{summary}");
    assert_eq!(requests["groupReads"], json!(2 * GROUPS), "{summary}");
    assert_eq!(requests["writes"], json!(2 * USERS), "{summary}");
    for (n, (was, now)) in before.iter().zip(states(&sim)).enumerate() {
        let mut expected = was.clone();
        for (f, title) in FIELDS.iter().enumerate() {
            let path = sleipnir::notation::FieldPath::parse(title).expect("path");
            let doc = &mut expected[path.namespace.name()];
            sleipnir::notation::set(doc, &path.segments, json!(value(f, n + 1)));
        }
        assert_eq!(now["user"], expected["user"], "user {} after apply", n + 1);
        assert_eq!(
            now["settings"],
            expected["settings"],
            "user {} after apply",
            n + 1
        );
    }
    export_matches(dir, &sim, "after.csv");

    // rollback: exactly as before.
    let rolled = run_on(dir, &sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(rolled.code, 0, "{}", rolled.transcript());
    for (n, (was, now)) in before.iter().zip(states(&sim)).enumerate() {
        for resource in ["user", "settings", "services", "policy"] {
            assert_eq!(
                now[resource],
                was[resource],
                "{resource} of user {} after rollback",
                n + 1
            );
        }
    }
}

#[test]
fn summary_rows_and_replacing_nested_writes_lose_nothing() {
    round_trip(NestedWrites::Replace);
}

#[test]
fn summary_rows_and_merging_nested_writes_lose_nothing() {
    round_trip(NestedWrites::Merge);
}

#[test]
fn a_part_of_voice_messaging_is_written_and_restored_whole() {
    let sim = sim(NestedWrites::Replace);
    let work = workdir();
    let dir = work.path();
    let mut text = String::from(
        "userId,settings.Voice Messaging User.Voice Messaging User.isActive,\
         settings.Voice Messaging User.Voice Messaging User Greeting.noAnswerNumberOfRings\n",
    );
    for n in 1..=3 {
        text.push_str(&format!("{},false,5\n", user_id(n)));
    }
    std::fs::write(dir.join("vm.csv"), text).expect("sheet");
    let before = states(&sim);
    let applied = run_on(dir, &sim, &["apply", "vm.csv", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    for (n, was) in before.iter().take(3).enumerate() {
        let now = sim.state(&user_id(n + 1)).expect("user");
        let mut expected = was["settings"]["Voice Messaging User"].clone();
        expected["Voice Messaging User"]["isActive"] = json!(false);
        expected["Voice Messaging User Greeting"]["noAnswerNumberOfRings"] = json!(5);
        assert_eq!(now["settings"]["Voice Messaging User"], expected);
    }
    let rolled = run_on(dir, &sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(rolled.code, 0, "{}", rolled.transcript());
    for (n, was) in before.iter().enumerate() {
        let now = sim.state(&user_id(n + 1)).expect("user");
        assert_eq!(now["settings"], was["settings"], "user {}", n + 1);
    }
}

/// A sheet whose group column is wrong for a user: the user's record says where it lives,
/// so the user fails before anything of it is written (Odin would refuse the user write
/// only after its other steps), and `plan --target` shows it as not readable.
#[test]
fn a_wrong_group_column_fails_the_user_before_any_write() {
    let sim = sim(NestedWrites::Replace);
    let work = workdir();
    let dir = work.path();
    // User 2 lives in grp02; the sheet says grp01. User 1 is right.
    let text = format!(
        "userId,user.serviceProviderId,user.groupId,settings.Do Not Disturb.isActive,user.address.city\n\
         {},{SERVICE_PROVIDER},grp01,true,Here\n{},{SERVICE_PROVIDER},grp01,true,There\n",
        user_id(1),
        user_id(2)
    );
    std::fs::write(dir.join("wrong.csv"), text).expect("sheet");
    let before = sim.state(&user_id(2)).expect("user");
    let target = sim.base_url();
    let planned = sleipnir_env(dir, &["plan", "wrong.csv", "--target", &target], &LOGIN);
    assert_eq!(planned.code, 1, "{}", planned.transcript());
    assert!(
        planned.stdout.contains("Odin has this user in `grp02`"),
        "{}",
        planned.transcript()
    );
    let applied = run_on(dir, &sim, &["apply", "wrong.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    assert_eq!(sim.state(&user_id(2)).expect("user"), before);
    let lines = crate::support::results(&dir.join("run"));
    let failed: Vec<&str> = lines
        .iter()
        .filter(|l| &l[1] == user_id(2).as_str())
        .map(|l| &l[3])
        .collect();
    assert_eq!(failed, ["failed", "skipped"]);
    // Its live values were never read: the report says so, never `(unset)`.
    let html = std::fs::read_to_string(dir.join("run/report.html")).expect("report");
    assert!(html.contains("(not read)"), "the unread before-values");
    assert!(!html.contains("(unset)"), "nothing shown as unset");
    assert!(
        sim.state(&user_id(1)).expect("user")["user"]["address"]["city"] == "Here",
        "the right user is written"
    );
}
