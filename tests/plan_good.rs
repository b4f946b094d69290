//! Good sheets from every kind of source plan cleanly, and plans print, save and reload.

use serde_json::Value;

use crate::support::{sleipnir, sleipnir_in, workdir};

fn good(args: &[&str]) -> String {
    let run = sleipnir(args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run.transcript()
}

#[test]
fn good_csv() {
    insta::assert_snapshot!(good(&["plan", "tests/fixtures/good.csv"]));
}

#[test]
fn good_xlsx_written_by_another_tool() {
    insta::assert_snapshot!(good(&["plan", "tests/fixtures/good.xlsx"]));
}

#[test]
fn second_worksheet_by_name() {
    insta::assert_snapshot!(good(&[
        "plan",
        "tests/fixtures/good.xlsx",
        "--sheet",
        "Policy"
    ]));
}

#[test]
fn semicolon_csv() {
    insta::assert_snapshot!(good(&["plan", "tests/fixtures/semicolon.csv"]));
}

#[test]
fn bom_csv() {
    insta::assert_snapshot!(good(&["plan", "tests/fixtures/bom.csv"]));
}

#[test]
fn windows_1252_csv_is_decoded_with_a_warning() {
    insta::assert_snapshot!(good(&["plan", "tests/fixtures/windows-1252.csv"]));
    let quiet = sleipnir(&["plan", "-q", "tests/fixtures/windows-1252.csv"]);
    assert_eq!(quiet.code, 0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn mapping_file() {
    insta::assert_snapshot!(good(&[
        "plan",
        "tests/fixtures/mapped.csv",
        "--mapping",
        "tests/fixtures/mapped.toml"
    ]));
}

#[test]
fn json_format_is_one_document_for_scripts() {
    let run = sleipnir(&["plan", "tests/fixtures/good.csv", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(doc["totals"]["users"], 2);
    assert_eq!(doc["totals"]["rows"], 3);
    assert_eq!(doc["users"][0]["userId"], "user00001@sim.example.net");
    assert_eq!(doc["users"][0]["rows"], serde_json::json!([2, 5]));
    assert_eq!(doc["users"][1]["steps"][0]["resource"], "user");
    assert_eq!(doc["users"][1]["steps"][0]["patch"]["extension"], "01002");
}

#[test]
fn plan_file_round_trips() {
    let dir = workdir();
    let sheet = crate::support::root().join("tests/fixtures/good.csv");
    let sheet = sheet.to_str().expect("utf-8 path");
    let run = sleipnir_in(dir.path(), &["plan", sheet, "--out", "plan.jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("wrote the plan of 2 users to `plan.jsonl`")
    );
    let text = std::fs::read_to_string(dir.path().join("plan.jsonl")).expect("plan written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["sleipnir"], "plan");
    assert_eq!(lines[0]["version"], 1);
    let bytes = std::fs::read(sheet).expect("sheet");
    assert_eq!(lines[0]["sha256"], sha256_hex(&bytes));
    assert_eq!(lines[1]["userId"], "user00001@sim.example.net");
    // Showing the saved plan gives the same users and steps as planning the sheet.
    let from_sheet = sleipnir_in(dir.path(), &["plan", sheet, "--format", "json"]);
    let from_file = sleipnir_in(dir.path(), &["plan", "plan.jsonl", "--format", "json"]);
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    let a: Value = serde_json::from_str(&from_sheet.stdout).expect("json");
    let b: Value = serde_json::from_str(&from_file.stdout).expect("json");
    assert_eq!(a["users"], b["users"]);
    assert_eq!(a["source"], b["source"]);
}

#[test]
fn a_broken_plan_file_names_its_line() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("p.jsonl"),
        "{\"sleipnir\":\"plan\",\"version\":1,\"source\":\"s.csv\",\"sha256\":\"00\"}\n{\"userId\":\"a\"}\n",
    )
    .expect("write");
    let run = sleipnir_in(dir.path(), &["plan", "p.jsonl"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `p.jsonl` line 2: missing field `rows` at line 1 column 14\n"
    );
}

#[test]
fn formulas_read_as_their_cached_values() {
    let dir = workdir();
    let path = dir.path().join("formulas.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "userId").expect("cell");
    sheet.write_string(0, 1, "user.extension").expect("cell");
    sheet
        .write_string(1, 0, "user00001@sim.example.net")
        .expect("cell");
    sheet
        .write_formula(
            1,
            1,
            rust_xlsxwriter::Formula::new("=1000+7").set_result("1007"),
        )
        .expect("cell");
    book.save(&path).expect("saved");
    let run = sleipnir_in(dir.path(), &["plan", "formulas.xlsx", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["users"][0]["steps"][0]["patch"]["extension"], "1007");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
