//! Sheet values against Odin's live values (issue 22): text compared in NFC, values that
//! print the same shown escaped, and the losses a spreadsheet makes (leading zeros, `+`)
//! refused by `plan --target` and `apply` unless `--allow-lossy-values` — the round trip
//! through an export saved by a spreadsheet, CSV and XLSX.

use std::path::Path;

use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use sleipnir::sim::{SimConfig, user_id};

use crate::sim_support::{Odin, odin};
use crate::support::{Run, puts, results, run_on, sleipnir_env, workdir};

/// `sleipnir ARGS --target SIM` in `dir` (a command that only reads: plan, export).
fn read_on(dir: &Path, odin: &Odin, args: &[&str]) -> Run {
    crate::support::read_on(dir, &odin.sim, args)
}

/// Set fields of user `n`'s record in the simulator, as someone else would in Odin.
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

async fn live_user(odin: &Odin, n: usize, key: &str) -> Value {
    odin.state(&user_id(n)).await["user"][key].clone()
}

async fn small() -> Odin {
    odin(SimConfig {
        users: 6,
        ..SimConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn text_that_differs_only_in_normalisation_is_already_as_planned() {
    let odin = small().await;
    // Odin may hold either form: user 1 precomposed, user 2 decomposed.
    set_user(
        &odin,
        1,
        json!({"callingLineIdLastName": "Zo\u{eb} M\u{fc}ller"}),
    )
    .await;
    set_user(
        &odin,
        2,
        json!({"callingLineIdLastName": "Zoe\u{308} Mu\u{308}ller"}),
    )
    .await;
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("names.csv"),
        format!(
            "userId,user.callingLineIdLastName\n{},Zoe\u{308} Mu\u{308}ller\n{},Zo\u{eb} M\u{fc}ller\n",
            user_id(1),
            user_id(2)
        ),
    )
    .unwrap();
    let plan = read_on(dir, &odin, &["plan", "names.csv"]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert!(
        plan.stdout.contains("= 2 users already as planned"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains('~'), "{}", plan.stdout);
    let before = puts(&odin.stats().await);
    let apply = run_on(dir, &odin.sim, &["apply", "names.csv", "--out", "run"]);
    assert_eq!(apply.code, 0, "{}", apply.transcript());
    assert_eq!(puts(&odin.stats().await), before, "no write is sent");
    let statuses: Vec<String> = results(&dir.join("run"))
        .iter()
        .map(|r| r[3].to_string())
        .collect();
    assert_eq!(statuses, ["unchanged", "unchanged"]);
    // Each keeps the form Odin held.
    assert_eq!(
        live_user(&odin, 2, "callingLineIdLastName").await,
        "Zoe\u{308} Mu\u{308}ller"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn values_that_print_the_same_show_the_difference_escaped() {
    let odin = small().await;
    set_user(&odin, 1, json!({"lastName": "Smith\u{200b}"})).await;
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("names.csv"),
        format!("userId,user.lastName\n{},Smith\n", user_id(1)),
    )
    .unwrap();
    let plan = read_on(dir, &odin, &["plan", "names.csv", "--out", "review.xlsx"]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert!(
        plan.stdout
            .contains("user      lastName: \"Smith\\u{200b}\" → \"Smith\"\n"),
        "{}",
        plan.stdout
    );
    // The review workbook shows the same.
    let review = sleipnir::sheet::read(&dir.join("review.xlsx"), &Default::default()).unwrap();
    let before = review
        .columns
        .iter()
        .position(|c| c.title == "before")
        .unwrap();
    assert_eq!(
        review.rows[0].cells[before],
        sleipnir::sheet::Cell::text("Smith\\u{200b}")
    );
    // Applied, the value sent is the sheet's as it is, and results.csv says what differed.
    let apply = run_on(dir, &odin.sim, &["apply", "names.csv", "--out", "run"]);
    assert_eq!(apply.code, 0, "{}", apply.transcript());
    assert_eq!(live_user(&odin, 1, "lastName").await, "Smith");
    let lines = results(&dir.join("run"));
    assert_eq!(&lines[0][3], "applied");
    assert_eq!(
        &lines[0][10],
        "only characters that do not show differ: `lastName` `Smith\\u{200b}` → `Smith`"
    );
}

/// The export of group `grp02` of 40 users (user 14 in it has extension `0014`; its
/// forwarding number is set to `+15553000014` first), to `file`.
async fn export(odin: &Odin, dir: &Path, file: &str) {
    let out = read_on(
        dir,
        odin,
        &[
            "export",
            "--group",
            "ent.sim/grp02",
            "--columns",
            "user.extension,user.callingLineIdLastName,\
             settings.Call Forwarding Always.forwardToPhoneNumber",
            "--out",
            file,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
}

async fn round_trip_sim() -> Odin {
    let odin = odin(SimConfig {
        users: 40,
        groups: 3,
        ..SimConfig::default()
    })
    .await;
    odin.put_json(
        "/users/services/settings",
        json!({"userId": user_id(14), "Call Forwarding Always": {"forwardToPhoneNumber": "+15553000014"}}),
    )
    .await;
    assert_eq!(live_user(&odin, 14, "extension").await, "0014");
    odin
}

/// A cell of the sheet as a spreadsheet saved it.
#[derive(Clone, Debug, PartialEq)]
enum Saved {
    Text(String),
    Number(f64),
}

/// The exported CSV's rows (header first), with the losses a spreadsheet makes in user 14's
/// row and one real edit (user 5's last name).
fn as_saved(csv_text: &str) -> Vec<Vec<Saved>> {
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<Saved>> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let mut row: Vec<Saved> = record.iter().map(|c| Saved::Text(c.to_string())).collect();
        if record[0] == user_id(14) {
            assert_eq!(&record[3], "0014");
            assert_eq!(&record[5], "+15553000014");
            row[3] = Saved::Number(14.0);
            row[5] = Saved::Number(15553000014.0);
        }
        if record[0] == user_id(5) {
            row[4] = Saved::Text("Edited".into());
        }
        rows.push(row);
    }
    rows
}

fn write_csv(path: &Path, rows: &[Vec<Saved>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Saved::Text(text) => text.clone(),
                Saved::Number(n) => format!("{n}"),
            })
            .collect();
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
}

fn write_xlsx(path: &Path, rows: &[Vec<Saved>]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Saved::Text(text) if text.is_empty() => continue,
                Saved::Text(text) => sheet.write_string(r, c, text),
                Saved::Number(n) => sheet.write_number(r, c, *n),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_round_trip_through_a_spreadsheet_refuses_the_losses_and_plans_the_edit() {
    let odin = round_trip_sim().await;
    let work = workdir();
    let dir = work.path();
    export(&odin, dir, "export.csv").await;
    let rows = as_saved(&std::fs::read_to_string(dir.join("export.csv")).unwrap());
    let at = rows
        .iter()
        .position(|r| r[0] == Saved::Text(user_id(14)))
        .unwrap()
        + 1;
    write_csv(&dir.join("saved.csv"), &rows);
    write_xlsx(&dir.join("saved.xlsx"), &rows);
    for file in ["saved.csv", "saved.xlsx"] {
        let plan = read_on(dir, &odin, &["plan", file, "--out", "plan.jsonl"]);
        assert_eq!(plan.code, 2, "{file}: {}", plan.transcript());
        let expected = format!(
            "error: `{file}` has 2 problems; nothing was planned\n  \
             row {at}, column D (`user.extension`): `14` is Odin's `0014` without its leading \
             zeros: a spreadsheet dropped them when it read the value as a number (as it does \
             opening a CSV file); format the column as Text and type the value again (or \
             --allow-lossy-values writes `14` as it is)\n  \
             row {at}, column F (`settings.Call Forwarding Always.forwardToPhoneNumber`): \
             `15553000014` is Odin's `+15553000014` without its leading `+`: a spreadsheet \
             dropped it when it read the value as a number (as it does opening a CSV file); \
             format the column as Text and type the value again (or --allow-lossy-values \
             writes `15553000014` as it is)\n"
        );
        assert!(plan.stderr.ends_with(&expected), "{file}: {}", plan.stderr);
        assert!(!plan.stderr.contains("Edited"), "{}", plan.stderr);
        assert!(!dir.join("plan.jsonl").exists(), "no plan file is written");

        let allowed = read_on(
            dir,
            &odin,
            &["plan", file, "--allow-lossy-values", "--out", "plan.jsonl"],
        );
        assert_eq!(allowed.code, 0, "{file}: {}", allowed.transcript());
        for line in [
            "callingLineIdLastName: \"Lovelace\" → \"Edited\"",
            "extension: \"0014\" → \"14\"",
            "Call Forwarding Always.forwardToPhoneNumber: \"+15553000014\" → \"15553000014\"",
            "2 users to change (3 fields), 11 already as planned",
        ] {
            assert!(
                allowed.stdout.contains(line),
                "{file}: {line}\n{}",
                allowed.stdout
            );
        }
        assert!(
            allowed.stderr.contains(&format!(
                "2 values are the live ones as a spreadsheet loses them, planned as the sheet \
                 has them (--allow-lossy-values): row {at}, column D (`user.extension`): `14` \
                 for `0014`; row {at}, column F"
            )),
            "{}",
            allowed.stderr
        );
        assert!(dir.join("plan.jsonl").exists());
        std::fs::remove_file(dir.join("plan.jsonl")).unwrap();
    }
    // The offline plan cannot know the live values and says nothing new.
    let offline = sleipnir_env(dir, &["plan", "saved.csv"], &[]);
    assert_eq!(offline.code, 0, "{}", offline.transcript());
    assert!(
        !offline.stderr.contains("spreadsheet"),
        "{}",
        offline.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_fails_the_user_with_a_lost_value_and_sends_it_nothing() {
    let odin = round_trip_sim().await;
    let work = workdir();
    let dir = work.path();
    // User 14 lost its zeros; users 2 and 5 are real edits.
    std::fs::write(
        dir.join("users.csv"),
        format!(
            "userId,user.extension\n{},2002\n{},14\n{},2005\n",
            user_id(2),
            user_id(14),
            user_id(5)
        ),
    )
    .unwrap();
    let before = puts(&odin.stats().await);
    let apply = run_on(dir, &odin.sim, &["apply", "users.csv", "--out", "run"]);
    assert_eq!(apply.code, 1, "{}", apply.transcript());
    assert_eq!(puts(&odin.stats().await), before + 2, "two users written");
    assert_eq!(live_user(&odin, 14, "extension").await, "0014");
    assert_eq!(live_user(&odin, 2, "extension").await, "2002");
    assert_eq!(live_user(&odin, 5, "extension").await, "2005");
    let lines = results(&dir.join("run"));
    let refused = lines.iter().find(|r| r[1] == user_id(14)).unwrap();
    assert_eq!(&refused[3], "failed");
    assert!(
        refused[10].starts_with(
            "not sent: row 3, column B (`user.extension`): `14` is Odin's `0014` without its \
             leading zeros"
        ),
        "{}",
        &refused[10]
    );
    let failed = std::fs::read_to_string(dir.join("run/failed.jsonl")).unwrap();
    assert!(failed.contains(&user_id(14)), "{failed}");
    assert_eq!(failed.lines().count(), 2, "a header and user 14: {failed}");

    // With the flag, it is written as the sheet has it, and the resume command keeps it.
    let allowed = run_on(
        dir,
        &odin.sim,
        &[
            "apply",
            "users.csv",
            "--allow-lossy-values",
            "--out",
            "run2",
        ],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.transcript());
    assert_eq!(live_user(&odin, 14, "extension").await, "14");
    // The run's record says what was allowed.
    let lines = results(&dir.join("run2"));
    let written = lines.iter().find(|r| r[1] == user_id(14)).unwrap();
    assert_eq!(&written[3], "applied");
    assert!(
        written[10].contains(
            "as the sheet has it (--allow-lossy-values): row 3, column B (`user.extension`): \
             `14` for `0014`"
        ),
        "{}",
        &written[10]
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run2/summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["source"]["command"],
        "sleipnir apply users.csv --allow-lossy-values"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_file_names_the_user_the_field_and_its_rows() {
    let odin = round_trip_sim().await;
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("users.csv"),
        format!(
            "userId,user.extension\n{},2005\n{},14\n",
            user_id(5),
            user_id(14)
        ),
    )
    .unwrap();
    // A plan made with the flag is applied only with it, refused before anything is sent.
    let plan = read_on(
        dir,
        &odin,
        &[
            "plan",
            "users.csv",
            "--allow-lossy-values",
            "--out",
            "allowed.jsonl",
        ],
    );
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    let requests = odin.stats().await.total;
    let refused = run_on(dir, &odin.sim, &["apply", "allowed.jsonl", "--out", "r0"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("was made with --allow-lossy-values"),
        "{}",
        refused.stderr
    );
    assert_eq!(odin.stats().await.total, requests, "nothing is sent");
    // An offline plan knows no live values; applying it finds the loss.
    let plan = sleipnir_env(dir, &["plan", "users.csv", "--out", "plan.jsonl"], &[]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    let before = puts(&odin.stats().await);
    let apply = run_on(dir, &odin.sim, &["apply", "plan.jsonl", "--out", "run"]);
    assert_eq!(apply.code, 1, "{}", apply.transcript());
    assert_eq!(
        puts(&odin.stats().await),
        before + 1,
        "only user 5 is written"
    );
    let lines = results(&dir.join("run"));
    let refused = lines.iter().find(|r| r[1] == user_id(14)).unwrap();
    assert_eq!(&refused[3], "failed");
    assert!(
        refused[10].starts_with(&format!(
            "not sent: row 3: user `{}`, `user.extension` (sheet row 3 of the plan file): \
             `14` is Odin's `0014` without its leading zeros",
            user_id(14)
        )),
        "{}",
        &refused[10]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_restores_odins_own_values_without_asking() {
    let odin = small().await;
    set_user(&odin, 1, json!({"extension": "14"})).await;
    let work = workdir();
    let dir = work.path();
    // Giving the extension its zeros is an edit; undoing it looks like their loss.
    std::fs::write(
        dir.join("users.csv"),
        format!("userId,user.extension\n{},0014\n", user_id(1)),
    )
    .unwrap();
    let apply = run_on(dir, &odin.sim, &["apply", "users.csv", "--out", "run"]);
    assert_eq!(apply.code, 0, "{}", apply.transcript());
    assert_eq!(live_user(&odin, 1, "extension").await, "0014");
    let rollback = run_on(dir, &odin.sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(rollback.code, 0, "{}", rollback.transcript());
    assert_eq!(live_user(&odin, 1, "extension").await, "14");
}
