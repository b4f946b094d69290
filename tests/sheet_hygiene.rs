//! CSV files as people and mainstream tools really write them (issue 15): each fault is a
//! fixture under `tests/fixtures/hygiene/`, and each plans what the admin sees in the sheet
//! or fails saying where and why. Workbooks: `sheet_workbooks.rs`.

use serde_json::{Value, json};
use sleipnir::sim::{SimConfig, Simulator};

use crate::support::{run_on, sleipnir, workdir};

/// `plan FIXTURE --format json`, which must succeed: the plan document and stderr.
fn planned(fixture: &str) -> (Value, String) {
    let path = format!("tests/fixtures/hygiene/{fixture}");
    let run = sleipnir(&["plan", &path, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    (doc, run.stderr)
}

/// `plan FIXTURE`, which must refuse the sheet: its stderr.
fn refused(fixture: &str) -> String {
    let path = format!("tests/fixtures/hygiene/{fixture}");
    let run = sleipnir(&["plan", &path]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stdout.is_empty(), "nothing is planned: {}", run.stdout);
    run.stderr
}

/// The patch of user `i`'s step on `resource`.
pub fn patch<'a>(doc: &'a Value, i: usize, resource: &str) -> &'a Value {
    doc["users"][i]["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["resource"] == resource))
        .map_or(&Value::Null, |step| &step["patch"])
}

#[test]
fn excel_sep_line_names_the_delimiter_with_or_without_a_bom() {
    for fixture in ["sep-line.csv", "bom-sep-line.csv"] {
        let (doc, stderr) = planned(fixture);
        assert_eq!(stderr, "", "{fixture}");
        assert_eq!(doc["users"][0]["rows"], json!([2]), "{fixture}");
        assert_eq!(patch(&doc, 0, "user")["extension"], "0123", "{fixture}");
        assert_eq!(
            patch(&doc, 0, "policy")["clidPolicy"],
            "Use DN",
            "{fixture}"
        );
    }
}

#[test]
fn a_line_break_inside_a_quoted_cell_is_no_new_row() {
    assert_eq!(
        refused("quoted-line-break.csv"),
        "error: `tests/fixtures/hygiene/quoted-line-break.csv` has 1 problem; nothing was planned\n  \
         row 3, column C (`settings.Do Not Disturb.isActive`): `maybe` is not a boolean (use \
         true/false, yes/no, y/n or 1/0)\n"
    );
    let (doc, _) = planned("quoted-line-break-good.csv");
    assert_eq!(doc["users"][0]["rows"], json!([2]));
    assert_eq!(doc["users"][1]["rows"], json!([3]));
    assert_eq!(
        patch(&doc, 0, "user")["callingLineIdLastName"],
        "Smith\r\nJr"
    );
}

#[test]
fn run_files_number_rows_as_the_spreadsheet_does() {
    let sim = Simulator::start(
        SimConfig {
            users: 2,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let sheet = crate::support::root().join("tests/fixtures/hygiene/quoted-line-break-sim.csv");
    let run = run_on(
        work.path(),
        &sim,
        &["apply", sheet.to_str().expect("path"), "--out", "run"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let mut rows: Vec<(String, String)> =
        csv::Reader::from_path(work.path().join("run/results.csv"))
            .expect("results")
            .deserialize::<std::collections::HashMap<String, String>>()
            .map(|line| {
                let line = line.expect("a results line");
                (line["userId"].clone(), line["row"].clone())
            })
            .collect();
    rows.sort();
    rows.dedup();
    assert_eq!(
        rows,
        [
            ("user00001@sim.example.net".to_string(), "2".to_string()),
            ("user00002@sim.example.net".to_string(), "3".to_string()),
        ]
    );
}

#[test]
fn a_short_row_has_blank_trailing_cells() {
    let (doc, stderr) = planned("short-row.csv");
    assert_eq!(stderr, "");
    assert_eq!(patch(&doc, 0, "user"), &json!({"extension": "1001"}));
}

#[test]
fn numbers_a_spreadsheet_shortened_are_refused_in_text_fields() {
    for fixture in ["scientific.csv", "scientific-decimal-comma.csv"] {
        insta::assert_snapshot!(fixture, refused(fixture));
    }
}

#[test]
fn unicode_spaces_in_a_title_are_spaces() {
    let (doc, stderr) = planned("nbsp-title.csv");
    assert_eq!(stderr, "");
    assert_eq!(
        patch(&doc, 0, "settings")["Call Forwarding Always.forwardToPhoneNumber"],
        "+15551230001"
    );
}

#[test]
fn invisible_characters_in_a_title_are_dropped_with_one_warning_each() {
    let (doc, stderr) = planned("zero-width-title.csv");
    assert_eq!(
        stderr,
        "warning: column B (`user.extension`): the title held an invisible character, U+200B \
         (zero-width space); it was left out\n\
         warning: column C (`user.callingLineIdLastName`): the title held an invisible \
         character, U+FEFF (byte order mark); it was left out\n"
    );
    assert_eq!(
        patch(&doc, 0, "user"),
        &json!({"extension": "1001", "callingLineIdLastName": "Smith"})
    );
}

#[test]
fn a_title_that_matches_nothing_shows_its_invisible_characters() {
    assert_eq!(
        refused("control-char-title.csv"),
        "error: `tests/fixtures/hygiene/control-char-title.csv` has 1 problem; nothing was planned\n  \
         row 1, column B (`user.exten\\u{1f}sion`): `user` has no field `exten\\u{1f}sion`; did \
         you mean `extension`?\n"
    );
}

#[test]
fn utf8_with_a_few_other_bytes_is_refused_where_they_are() {
    insta::assert_snapshot!("mixed-encoding.csv", refused("mixed-encoding.csv"));
}

#[test]
fn utf16_without_a_bom_is_read_as_utf16() {
    for (fixture, order) in [
        ("utf16le-no-bom.csv", "little-endian"),
        ("utf16be-no-bom.csv", "big-endian"),
    ] {
        let (doc, stderr) = planned(fixture);
        assert_eq!(
            stderr,
            format!(
                "warning: `tests/fixtures/hygiene/{fixture}` has no byte order mark, but its \
                 NUL bytes say it is UTF-16 ({order}); read it so\n"
            )
        );
        assert_eq!(patch(&doc, 0, "user")["callingLineIdFirstName"], "Zoë");
    }
    assert_eq!(
        refused("utf32.csv"),
        "error: `tests/fixtures/hygiene/utf32.csv` is not a CSV text file: it looks like UTF-32 \
         text, which sleipnir does not read; save it as CSV UTF-8\n"
    );
}
