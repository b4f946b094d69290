//! results.xlsx and report.html after a run, and `sleipnir report DIR` after a kill.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::Event;
use sleipnir::rundir::{RunFiles, Status};
use sleipnir::sim::{FaultConfig, SimConfig, user_id};

use crate::sim_support::odin;
use crate::support::{LOGIN, sleipnir_env, workdir};

const HOSTILE: &str = "<script>alert(1)</script>@evil.example";

/// The cells of worksheet `name` of the workbook at `path`.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("results.xlsx opens");
    let range = book.worksheet_range(name).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// Attribute `name` of a start tag.
fn attr(tag: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.into_inner() == name)
        .map(|a| a.value.into_owned())
}

/// The fill colour (`rgb` of the fill's `fgColor`) of each cell of column D of the Results
/// sheet, by row number, read from the workbook's XML.
fn status_fills(path: &Path) -> HashMap<u32, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("xlsx")).expect("zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .expect("part")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let styles = read("xl/styles.xml");
    // The Results sheet is the third.
    let results = read("xl/worksheets/sheet3.xml");
    let (mut fills, mut xfs) = (Vec::new(), Vec::new());
    let (mut in_fills, mut in_xfs) = (false, false);
    let mut reader = quick_xml::Reader::from_str(&styles);
    loop {
        match reader.read_event().expect("styles.xml") {
            Event::Start(t) | Event::Empty(t) => match t.name().into_inner() {
                "fills" => in_fills = true,
                "cellXfs" => in_xfs = true,
                "fill" if in_fills => fills.push(String::new()),
                "fgColor" if in_fills => {
                    *fills.last_mut().expect("fill") = attr(&t, "rgb").unwrap_or_default();
                }
                "xf" if in_xfs => xfs.push(attr(&t, "fillId").unwrap_or_default()),
                _ => {}
            },
            Event::End(t) => match t.name().into_inner() {
                "fills" => in_fills = false,
                "cellXfs" => in_xfs = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut out = HashMap::new();
    let mut reader = quick_xml::Reader::from_str(&results);
    loop {
        match reader.read_event().expect("sheet xml") {
            Event::Start(t) | Event::Empty(t) if t.name().into_inner() == "c" => {
                let at = attr(&t, "r").expect("cell ref");
                if let Some(row) = at.strip_prefix('D') {
                    let style: usize = attr(&t, "s").map_or(0, |s| s.parse().expect("s"));
                    let fill: usize = xfs[style].parse().unwrap_or(0);
                    out.insert(row.parse().expect("row"), fills[fill].clone());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of every element of the page with an `id`, after checking the page is well
/// formed (every element closed, in order, attributes quoted) by reading it as XML.
fn page_ids(html: &str) -> HashMap<String, String> {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let (mut open, mut ids, mut depth) = (Vec::<(String, usize)>::new(), HashMap::new(), 0);
    let mut texts: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("report.html is well formed") {
            Event::Start(t) => {
                depth += 1;
                texts.push(String::new());
                if let Some(id) = attr(&t, "id") {
                    open.push((id, depth));
                }
            }
            Event::Text(t) => {
                let text = t.into_inner();
                for s in &mut texts {
                    s.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                for s in &mut texts {
                    s.push_str(&format!("&{name};"));
                }
            }
            Event::End(_) => {
                let text = texts.pop().expect("balanced");
                if open.last().is_some_and(|(_, d)| *d == depth) {
                    let (id, _) = open.pop().expect("id");
                    ids.insert(id, text);
                }
                depth -= 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    ids
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_failures_gets_a_workbook_and_a_page_and_report_rebuilds_them() {
    let odin = odin(SimConfig {
        users: 12,
        ..SimConfig::default()
    })
    .await;
    // Odin refuses user 1's settings by a rule no read shows.
    odin.sim.refuse_settings_of(&[user_id(1)]);
    let work = workdir();
    let mut text = String::from(
        "userId,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber,settings.Do Not Disturb.isActive\n",
    );
    text.push_str(&format!("{},4001,+15557770001,true\n", user_id(1)));
    for n in 2..=12 {
        text.push_str(&format!("{},{},,{}\n", user_id(n), 4000 + n, n % 2 == 0));
    }
    text.push_str("nobody@sim.example.net,4100,,true\n");
    text.push_str(&format!("{HOSTILE},4101,,true\n"));
    std::fs::write(work.path().join("s.csv"), text).expect("sheet");
    let target = odin.sim.base_url();
    let args = [
        "apply", "s.csv", "--out", "run", "--target", &target, "--yes",
    ];
    // 25 requests a second: the run lasts a few seconds, so the timeline has points to draw.
    let run = sleipnir_env(
        work.path(),
        &[&args[..], &["--rate", "25"]].concat(),
        &LOGIN,
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("report: `run/report.html`"),
        "{}",
        run.stdout
    );
    let dir = work.path().join("run");
    check_files(&dir, true);

    for name in ["results.xlsx", "report.html"] {
        std::fs::remove_file(dir.join(name)).expect("removed");
    }
    let again = sleipnir_env(work.path(), &["report", "run"], &[]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert!(
        again.stdout.contains("run/results.xlsx"),
        "{}",
        again.stdout
    );
    check_files(&dir, true);
}

/// Both report files of the run in `dir` say what its run files say.
fn check_files(dir: &Path, finished: bool) {
    let files = RunFiles::new(dir);
    let results = files.results().expect("results");
    let rows = sheet(&dir.join("results.xlsx"), "Results");
    assert_eq!(rows.len(), results.len() + 1, "a row per results.csv line");
    for (cells, result) in rows[1..].iter().zip(&results) {
        assert_eq!(number(&cells[0]), result.row as f64);
        assert_eq!(cells[1], Data::String(result.user_id.clone()));
        assert_eq!(cells[3], Data::String(result.status.name().into()));
        assert_eq!(number(&cells[6]), result.duration_ms as f64);
    }
    let fills = status_fills(&dir.join("results.xlsx"));
    let mut by_status: HashMap<Status, std::collections::HashSet<String>> = HashMap::new();
    for (i, result) in results.iter().enumerate() {
        let fill = fills.get(&(i as u32 + 2)).expect("status cell").clone();
        by_status.entry(result.status).or_default().insert(fill);
    }
    let fill = |s: Status| {
        let set = &by_status[&s];
        assert_eq!(set.len(), 1, "{s} cells share one fill");
        set.iter().next().expect("fill").clone()
    };
    let counts = match files.summary().expect("summary") {
        Some(summary) => summary.steps,
        None => {
            let mut counts = sleipnir::rundir::StatusCounts::default();
            results.iter().for_each(|r| counts.add(r.status));
            counts
        }
    };
    if finished {
        let (applied, failed) = (fill(Status::Applied), fill(Status::Failed));
        assert_eq!(applied, "FFC6EFCE");
        assert_eq!(failed, "FFFFC7CE");
        for other in [Status::Skipped, Status::Compensated] {
            if by_status.contains_key(&other) {
                assert_eq!(fill(other), "FFFFEB9C");
            }
        }
        let summary = files.summary().expect("summary").expect("finished");
        let book: HashMap<String, Data> = sheet(&dir.join("results.xlsx"), "Summary")
            .into_iter()
            .filter_map(|r| Some((r.first()?.to_string(), r.get(1)?.clone())))
            .collect();
        let figure = |label: &str| number(&book[label]);
        assert_eq!(figure("users"), summary.users as f64);
        assert_eq!(figure("users not done"), summary.users_not_done as f64);
        for status in Status::ALL {
            let label = format!("steps {}", status.name());
            assert_eq!(figure(&label), summary.steps.get(status) as f64, "{label}");
        }
        assert_eq!(figure("requests"), summary.requests.requests as f64);
        assert_eq!(figure("retries"), summary.requests.retries as f64);
        assert_eq!(figure("answered 429"), summary.requests.throttled as f64);
        let failures = sheet(&dir.join("results.xlsx"), "Failures");
        assert!(
            failures.iter().any(|r| r[1]
                .to_string()
                .contains("the settings of user `{user}` break a rule")),
            "{failures:?}"
        );
    }

    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    // The page links to nothing; the one URL in it is the run's target (as the header of
    // its rollback file records it), as text in the commands that undo and retry the run.
    let target = files
        .source()
        .expect("rollback header")
        .target
        .expect("the run records its target");
    assert!(
        !html.contains("href=\"http") && !html.contains("src="),
        "no link"
    );
    assert!(
        !html.contains("What to do next") || html.contains(&format!("--target {target}")),
        "the commands name the run's target"
    );
    assert!(
        !html.replace(&target, "").contains("http"),
        "no URL but the target"
    );
    assert!(
        !html.contains("<script"),
        "no script, and the hostile id is text"
    );
    let ids = page_ids(&html);
    for status in Status::ALL {
        let shown = ids[&format!("count-{}", status.name())].replace(',', "");
        assert_eq!(shown, counts.get(status).to_string(), "{status}");
    }
    let outcome = &ids["outcome"];
    assert_eq!(outcome.contains("did not finish"), !finished, "{outcome}");
    if finished {
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;@evil.example"));
        assert!(html.contains("<svg class=\"chart\""), "the chart is drawn");
        assert!(html.matches("<polyline").count() >= 5, "a line per series");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_gets_its_report_from_report_dir() {
    const USERS: usize = 300;
    let odin = odin(SimConfig {
        users: USERS,
        faults: FaultConfig {
            latency: Duration::from_millis(10),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=USERS {
        text.push_str(&format!("{},{}\n", user_id(n), 5000 + n));
    }
    std::fs::write(work.path().join("s.csv"), text).expect("sheet");
    let target = odin.sim.base_url();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .current_dir(work.path())
        .args([
            "apply", "s.csv", "--out", "run", "--target", &target, "--yes", "-q",
        ])
        .args(["--rate", "200"])
        .envs(LOGIN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("apply starts");
    let dir = work.path().join("run");
    // Kill it once some users are done and the timeline has a second's counters (and well
    // before all users are done).
    for _ in 0..200 {
        let lines =
            std::fs::read_to_string(dir.join("results.csv")).map_or(0, |t| t.lines().count());
        let points =
            std::fs::read_to_string(dir.join("timeline.jsonl")).map_or(0, |t| t.lines().count());
        if lines > 20 && points >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    assert!(
        !dir.join("summary.json").exists(),
        "the run was killed mid-way"
    );
    assert!(!dir.join("report.html").exists());
    let run = sleipnir_env(work.path(), &["report", "run"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    check_files(&dir, false);
    // The plan's users, not those with results; requests by kind from the timeline; and
    // advice that fits the files: continue with --resume (failed.jsonl holds nobody).
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let outcome = &page_ids(&html)["outcome"];
    assert!(outcome.contains("of 300 users done"), "{outcome}");
    assert!(
        !outcome.contains("300 of 300"),
        "users never started are not done: {outcome}"
    );
    assert!(
        html.contains("sleipnir apply s.csv --resume run"),
        "no resume advice"
    );
    assert!(
        !html.contains("failed.jsonl --target"),
        "failed.jsonl is empty"
    );
    let book: HashMap<String, calamine::Data> = sheet(&dir.join("results.xlsx"), "Summary")
        .into_iter()
        .filter_map(|r| Some((r.first()?.to_string(), r.get(1)?.clone())))
        .collect();
    assert!(number(&book["writes"]) > 0.0, "{book:?}");
    let none = sleipnir_env(work.path(), &["report", "nowhere"], &[]);
    assert_eq!(none.code, 2, "{}", none.transcript());
}

#[tokio::test]
async fn a_server_message_too_long_for_a_cell_ends_with_a_mark_in_results_xlsx() {
    let odin = odin(SimConfig {
        users: 4,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    // Odin names the user it did not find: a 40,000-character id makes a longer message.
    let long_id = format!("{}@sim.example.net", "x".repeat(40_000));
    std::fs::write(
        work.path().join("sheet.csv"),
        format!(
            "userId,user.extension\n{},6001\n{long_id},6002\n",
            user_id(1)
        ),
    )
    .expect("sheet");
    let run = sleipnir_env(
        work.path(),
        &[
            "apply",
            "sheet.csv",
            "--target",
            &odin.sim.base_url(),
            "--yes",
            "--out",
            "run",
            "--rate",
            "500",
        ],
        &LOGIN,
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let dir = work.path().join("run");
    let whole = RunFiles::new(&dir)
        .results()
        .expect("results.csv")
        .into_iter()
        .find(|r| r.status == Status::Failed)
        .expect("the long user failed")
        .message;
    assert!(whole.chars().count() > 40_000, "{}", whole.len());
    let rows = sheet(&dir.join("results.xlsx"), "Results");
    let failed = rows
        .iter()
        .find(|row| row[3] == Data::String("failed".into()))
        .expect("the failed row");
    for (column, text) in [(1, long_id.as_str()), (10, whole.as_str())] {
        let Data::String(cell) = &failed[column] else {
            panic!("column {column}: {:?}", failed[column]);
        };
        let mark = format!(
            " … [cut: {} characters do not fit in a workbook cell (32,767); results.csv holds \
             the whole text]",
            sleipnir::text::thousands(text.chars().count() as u64)
        );
        assert_eq!(cell.chars().count(), 32_767, "column {column}");
        let kept = cell
            .strip_suffix(&mark)
            .unwrap_or_else(|| panic!("column {column} ends without {mark}"));
        assert!(text.starts_with(kept), "column {column}");
    }
}
