//! `sleipnir export` against the in-process simulator: the round trip (export, re-plan to
//! nothing, edit, apply exactly the edits), request counts, and bad input.

use std::path::Path;

use serde_json::Value;
use sleipnir::export::{SheetFormat, cell_for};
use sleipnir::notation::FieldPath;
use sleipnir::schema::Schema;
use sleipnir::sheet::{self, Cell};
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::sim_support::{Odin, odin};
use crate::support::{LOGIN, sleipnir_env, workdir};

const COLUMNS: &str = "user.extension,user.mobilePhoneNumber,user.nationalPrefix,user.lastName,\
    settings.Call Forwarding Always.*,settings.Call Forwarding Busy.*,\
    settings.Call Forwarding No Answer.*,settings.Call Forwarding Not Reachable.isActive";

/// 40 users in 3 groups: `grp02` holds users 2, 5, 8, …, 38, among them every hard case of
/// the seed (extension `0014`, mobile numbers as JSON numbers, unassigned services).
async fn sim() -> Odin {
    odin(SimConfig {
        users: 40,
        groups: 3,
        ..SimConfig::default()
    })
    .await
}

use crate::support::{puts, read_on as run};

fn live<'a>(state: &'a Value, title: &str) -> Option<&'a Value> {
    let path = FieldPath::parse(title).unwrap();
    let doc = &state[path.namespace.name()];
    sleipnir::notation::get(doc, &path.segments).filter(|v| !v.is_null())
}

/// Every cell of the file is the cell of the simulator's live value, and re-plans to it.
async fn assert_cells_match(odin: &Odin, file: &Path, format: SheetFormat) -> usize {
    let schema = Schema::builtin().unwrap();
    let sheet = sheet::read(file, &Default::default()).unwrap();
    let titles: Vec<&str> = sheet.columns.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        &titles[..3],
        ["userId", "user.serviceProviderId", "user.groupId"]
    );
    for row in &sheet.rows {
        let Cell::Text(id) = &row.cells[0] else {
            panic!("{row:?}")
        };
        let state = odin.state(id).await;
        assert_eq!(row.cells[2], Cell::Text("grp02".into()));
        for (title, cell) in titles.iter().zip(&row.cells).skip(3) {
            let ty = schema
                .field_type(&FieldPath::parse(title).unwrap())
                .unwrap();
            let expected = cell_for(live(&state, title), ty, format).unwrap();
            let read_back = match (&expected, format) {
                (sleipnir::export::ExportCell::Blank, _) => Cell::Empty,
                (sleipnir::export::ExportCell::Bool(b), SheetFormat::Xlsx) => Cell::Bool(*b),
                (sleipnir::export::ExportCell::Number(n), SheetFormat::Xlsx) => Cell::Number(*n),
                (other, _) => Cell::text(&other.as_text()),
            };
            assert_eq!(cell, &read_back, "{id} {title}");
        }
    }
    sheet.rows.len()
}

fn cell<'a>(sheet: &'a sheet::Sheet, user: &str, title: &str) -> &'a Cell {
    let col = sheet.columns.iter().position(|c| c.title == title).unwrap();
    let row = sheet
        .rows
        .iter()
        .find(|r| r.cells[0] == Cell::Text(user.into()))
        .unwrap();
    &row.cells[col]
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_plan_to_nothing_and_apply_sends_no_write() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    for (file, format) in [("g.xlsx", SheetFormat::Xlsx), ("g.csv", SheetFormat::Csv)] {
        let out = run(
            dir,
            &odin.sim,
            &[
                "export",
                "--group",
                "ent.sim/grp02",
                "--columns",
                COLUMNS,
                "--out",
                file,
            ],
        );
        assert_eq!(out.code, 0, "{}", out.transcript());
        assert!(
            out.stdout.starts_with("exported 13 users"),
            "{}",
            out.stdout
        );
        assert_eq!(assert_cells_match(&odin, &dir.join(file), format).await, 13);
        let plan = run(dir, &odin.sim, &["plan", file]);
        assert_eq!(plan.code, 0, "{}", plan.transcript());
        assert!(
            plan.stdout
                .contains("0 users to change (0 fields), 13 already as planned"),
            "{}",
            plan.stdout
        );
        let before = puts(&odin.stats().await);
        let apply = run(
            dir,
            &odin.sim,
            &["apply", file, "--yes", "--out", &format!("run-{file}")],
        );
        assert_eq!(apply.code, 0, "{}", apply.transcript());
        assert_eq!(
            puts(&odin.stats().await),
            before,
            "an untouched export writes nothing"
        );
    }
    // The hard cases, as cells.
    let xlsx = sheet::read(&dir.join("g.xlsx"), &Default::default()).unwrap();
    assert_eq!(
        cell(&xlsx, &user_id(14), "user.extension"),
        &Cell::Text("0014".into())
    );
    assert_eq!(
        cell(&xlsx, &user_id(2), "user.mobilePhoneNumber"),
        &Cell::Text("15552000002".into())
    );
    assert_eq!(
        cell(&xlsx, &user_id(2), "user.nationalPrefix"),
        &Cell::Text("<empty>".into())
    );
    assert_eq!(
        cell(&xlsx, &user_id(5), "user.mobilePhoneNumber"),
        &Cell::Empty
    );
    assert_eq!(
        cell(
            &xlsx,
            &user_id(11),
            "settings.Call Forwarding Busy.isActive"
        ),
        &Cell::Empty
    );
    assert!(matches!(
        cell(&xlsx, &user_id(5), "settings.Call Forwarding Busy.isActive"),
        Cell::Bool(_)
    ));
    assert!(matches!(
        cell(
            &xlsx,
            &user_id(5),
            "settings.Call Forwarding No Answer.numberOfRings"
        ),
        Cell::Number(_)
    ));
    assert_eq!(
        cell(
            &xlsx,
            &user_id(8),
            "settings.Call Forwarding No Answer.forwardToPhoneNumber"
        ),
        &Cell::Text("15555000008".into())
    );
    let csv = std::fs::read(dir.join("g.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFuserId,user.serviceProviderId,user.groupId,"));
}

#[tokio::test(flavor = "multi_thread")]
async fn three_edited_cells_change_exactly_three_fields() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--group",
            "ent.sim/grp02",
            "--columns",
            COLUMNS,
            "--out",
            "g.csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    let before: Vec<Value> = futures_states(&odin, &[2, 5, 8, 11]).await;
    let text = std::fs::read_to_string(dir.join("g.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0]
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(str::to_string)
        .collect();
    let col = |title: &str| header.iter().position(|h| h == title).unwrap();
    let active = !before[1]["settings"]["Call Forwarding Always"]["isActive"]
        .as_bool()
        .unwrap();
    let edits = [
        (user_id(2), col("user.extension"), "0777".to_string()),
        (
            user_id(5),
            col("settings.Call Forwarding Always.isActive"),
            active.to_string(),
        ),
        (
            user_id(8),
            col("settings.Call Forwarding No Answer.numberOfRings"),
            "6".to_string(),
        ),
    ];
    for (user, col, value) in &edits {
        let line = lines
            .iter_mut()
            .find(|l| l.starts_with(&format!("{user},")))
            .unwrap();
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[*col] = value.clone();
        *line = cells.join(",");
    }
    std::fs::write(dir.join("edited.csv"), lines.join("\n")).unwrap();
    let plan = run(dir, &odin.sim, &["plan", "edited.csv"]);
    assert!(
        plan.stdout
            .contains("3 users to change (3 fields), 10 already as planned"),
        "{}",
        plan.stdout
    );
    let puts_before = puts(&odin.stats().await);
    let apply = run(
        dir,
        &odin.sim,
        &["apply", "edited.csv", "--yes", "--out", "run"],
    );
    assert_eq!(apply.code, 0, "{}", apply.transcript());
    assert_eq!(puts(&odin.stats().await) - puts_before, 3);
    let after = futures_states(&odin, &[2, 5, 8, 11]).await;
    assert_eq!(after[0]["user"]["extension"], "0777");
    assert_eq!(
        after[1]["settings"]["Call Forwarding Always"]["isActive"],
        active
    );
    assert_eq!(
        after[2]["settings"]["Call Forwarding No Answer"]["numberOfRings"],
        6
    );
    // Nothing else moved.
    let mut expected = before.clone();
    expected[0]["user"]["extension"] = "0777".into();
    expected[1]["settings"]["Call Forwarding Always"]["isActive"] = active.into();
    expected[2]["settings"]["Call Forwarding No Answer"]["numberOfRings"] = 6.into();
    assert_eq!(after, expected);
}

async fn futures_states(odin: &Odin, users: &[usize]) -> Vec<Value> {
    let mut all = Vec::new();
    for n in users {
        all.push(odin.state(&user_id(*n)).await);
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn group_reads_cost_requests_per_group_not_per_user() {
    let odin = odin(SimConfig {
        users: 140,
        groups: 7,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let dir = work.path();
    let columns = "user.extension,user.firstName,settings.Call Forwarding Always.*,settings.Call Forwarding Busy.*";
    let total = odin.stats().await.total;
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--service-provider",
            "ent.sim",
            "--columns",
            columns,
            "--out",
            "all.xlsx",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout.starts_with("exported 140 users"),
        "{}",
        out.stdout
    );
    let used = odin.stats().await.total - total;
    // A login, the group listing, then per group: users, Always, Busy.
    assert_eq!(used, 1 + 1 + 7 * 3, "{:?}", odin.stats().await);
    let total = odin.stats().await.total;
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--group",
            "ent.sim/grp03",
            "--columns",
            "policy.*",
            "--out",
            "policy.csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(
        odin.stats().await.total - total,
        1 + 1 + 20,
        "one policy read per user"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn users_files_and_filters_combine_as_a_union() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("list.txt"),
        format!("{}\n{}\n{}\n", user_id(1), user_id(2), user_id(4)),
    )
    .unwrap();
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--group",
            "ent.sim/grp02",
            "--users",
            "list.txt",
            "--columns",
            "user.extension",
            "--out",
            "u.csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    // grp02's 13 users (user 2 among them) and users 1 and 4, each once.
    assert!(
        out.stdout.starts_with("exported 15 users"),
        "{}",
        out.stdout
    );
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--users",
            "u.csv",
            "--where",
            "extension=0*",
            "--columns",
            "user.firstName",
            "--out",
            "zero.csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    // Users 4 and 14: extensions with a leading zero, read with their groups: per group the
    // filtered listing, and one unfiltered listing that tells the file's users the filter
    // left out from users who are not in that group (5 requests with the login).
    assert!(
        out.stdout
            .starts_with("exported 2 users to `zero.csv` (5 requests"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_and_leaves_no_file() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    let base = [
        "export",
        "--group",
        "ent.sim/grp01",
        "--out",
        "x.xlsx",
        "--columns",
    ];
    let cases: [(&[&str], i32, &str); 5] = [
        (&["user.extensoin"], 2, "did you mean `extension`"),
        (
            &["user.extension", "--where", "lastName=Nobody"],
            2,
            "the selection matched no users",
        ),
        (&["services.assign"], 2, "it is not a field export can read"),
        (
            &[
                "settings.Call Forwarding Always.isActive",
                "--group",
                "ent.sim/grp99",
            ],
            2,
            "group `ent.sim/grp99` not found",
        ),
        (
            &["user.extension", "--where", "lastname=x"],
            2,
            "did you mean `lastName`",
        ),
    ];
    for (extra, code, message) in cases {
        let mut args = base.to_vec();
        args.extend(extra);
        let out = run(dir, &odin.sim, &args);
        assert_eq!(out.code, code, "{}", out.transcript());
        assert!(out.stderr.contains(message), "{}", out.transcript());
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "{extra:?} left a file"
        );
    }
    std::fs::write(dir.join("x.xlsx"), "keep").unwrap();
    let mut args = base.to_vec();
    args.push("user.extension");
    let out = run(dir, &odin.sim, &args);
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr.contains("`x.xlsx` already exists; pass --force"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(dir.join("x.xlsx")).unwrap(), b"keep");
    args.push("--force");
    assert_eq!(run(dir, &odin.sim, &args).code, 0);
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--group",
            "ent.sim/grp01",
            "--columns",
            "user.extension",
            "--out",
            "/proc/nope/x.csv",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr.contains("choose a writable place with --out"),
        "{}",
        out.stderr
    );
    let out = sleipnir_env(
        dir,
        &[
            "export",
            "--group",
            "a/b",
            "--columns",
            "user.extension",
            "--out",
            "y.csv",
            "--target",
            "http://127.0.0.1:9/api/v2",
        ],
        &LOGIN,
    );
    assert_eq!(out.code, 3, "{}", out.transcript());
    assert!(!dir.join("y.csv").exists());
}

#[test]
fn an_interrupted_export_exits_130_and_leaves_no_file() {
    let sim = Simulator::start(
        SimConfig {
            users: 60,
            groups: 3,
            faults: sleipnir::sim::FaultConfig {
                latency: std::time::Duration::from_millis(50),
                ..sleipnir::sim::FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let target = sim.base_url();
    // policy.* is read per user: 60 reads at 20/s keep the export busy for seconds.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .current_dir(work.path())
        .args([
            "export",
            "--service-provider",
            "ent.sim",
            "--columns",
            "policy.*",
        ])
        .args([
            "--out", "all.xlsx", "--target", &target, "--rate", "20", "-q",
        ])
        .envs(LOGIN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("export starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.stats().total < 10 {
        assert!(
            std::time::Instant::now() < deadline,
            "the export never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = child.wait().expect("export ends");
    assert_eq!(status.code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(work.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "nothing is left behind: {left:?}");
}

#[tokio::test]
async fn a_users_file_with_a_wrong_group_leaves_nobody_out() {
    let odin = sim().await;
    let work = workdir();
    let dir = work.path();
    // User 2 lives in grp02, not grp01; the third user does not exist.
    std::fs::write(
        dir.join("wrong.csv"),
        format!(
            "userId,user.serviceProviderId,user.groupId\n{},ent.sim,grp01\n{},ent.sim,grp01\nghost@sim.example.net,ent.sim,grp01\n{},ent.sim,grp09\n{},other.sp,grp01\n",
            user_id(2),
            user_id(1),
            user_id(3),
            user_id(4)
        ),
    )
    .unwrap();
    let out = run(
        dir,
        &odin.sim,
        &[
            "export",
            "--users",
            "wrong.csv",
            "--columns",
            "user.extension",
            "--out",
            "w.csv",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr.contains("ghost@sim.example.net"),
        "{}",
        out.stderr
    );
    let sheet = sheet::read(&dir.join("w.csv"), &Default::default()).unwrap();
    let homes: Vec<(String, String)> = sheet
        .rows
        .iter()
        .map(|row| match (&row.cells[0], &row.cells[2]) {
            (Cell::Text(id), Cell::Text(group)) => (id.clone(), group.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    // Users 3 and 4 are stated in groups that do not exist: read one by one too.
    let mut homes = homes;
    homes.sort();
    assert_eq!(
        homes,
        [
            (user_id(1), "grp01".to_string()),
            (user_id(2), "grp02".to_string()),
            (user_id(3), "grp03".to_string()),
            (user_id(4), "grp01".to_string())
        ]
    );
}
