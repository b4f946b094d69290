//! Every invalid sheet exits 2, sends nothing, and says exactly what is wrong and where.

use crate::support::sleipnir;

/// `plan` on `tests/fixtures/bad/NAME`; the transcript is snapshotted under NAME.
fn bad(name: &str, extra: &[&str]) {
    bad_as(name, name, extra);
}

/// `plan` on `tests/fixtures/bad/NAME` with extra flags, snapshotted under `snapshot`.
fn bad_as(snapshot: &str, name: &str, extra: &[&str]) {
    let path = format!("tests/fixtures/bad/{name}");
    let mut args = vec!["plan", path.as_str()];
    args.extend_from_slice(extra);
    let run = sleipnir(&args);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stdout.is_empty(), "nothing is planned: {}", run.stdout);
    insta::assert_snapshot!(snapshot, run.transcript());
}

#[test]
fn missing_user_id_column() {
    bad("missing-user-id.csv", &[]);
}

#[test]
fn unknown_namespace() {
    bad("unknown-namespace.csv", &[]);
}

#[test]
fn unknown_service() {
    bad("unknown-service.csv", &[]);
}

#[test]
fn unknown_field() {
    bad("unknown-field.csv", &[]);
}

#[test]
fn unknown_assigned_service() {
    bad("unknown-assigned-service.csv", &[]);
}

#[test]
fn bad_boolean() {
    bad("bad-boolean.csv", &[]);
}

#[test]
fn bad_integer() {
    bad("bad-integer.csv", &[]);
}

#[test]
fn conflicting_duplicate_user() {
    bad("conflicting-user.csv", &[]);
}

#[test]
fn empty_user_id() {
    bad("empty-user-id.csv", &[]);
}

#[test]
fn duplicate_and_empty_header() {
    bad("duplicate-header.csv", &[]);
}

#[test]
fn ragged_rows() {
    bad("ragged-row.csv", &[]);
}

#[test]
fn empty_file() {
    bad("empty.csv", &[]);
}

#[test]
fn non_workbook_xlsx() {
    bad("not-a-workbook.xlsx", &[]);
}

#[test]
fn invalid_json_cell() {
    bad("invalid-json.csv", &[]);
}

#[test]
fn sentinel_of_the_wrong_type() {
    bad("wrong-sentinel.csv", &[]);
}

#[test]
fn column_neither_mapped_nor_ignored() {
    bad_as(
        "unmapped-column.toml",
        "unmapped-column.csv",
        &["--mapping", "tests/fixtures/bad/unmapped-column.toml"],
    );
}

#[test]
fn malformed_mapping_file() {
    bad_as(
        "broken-mapping.toml",
        "unmapped-column.csv",
        &["--mapping", "tests/fixtures/bad/broken-mapping.toml"],
    );
}

#[test]
fn dates_and_error_cells_in_typed_fields() {
    let run = sleipnir(&["plan", "tests/fixtures/dates-and-errors.xlsx"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn unknown_worksheet_suggests_the_nearest() {
    let run = sleipnir(&["plan", "tests/fixtures/good.xlsx", "--sheet", "Polcy"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn unknown_file_type_and_missing_file() {
    let run = sleipnir(&["plan", "tests/fixtures/mapped.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `tests/fixtures/mapped.toml` is not a sheet sleipnir reads; use a .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls or .ods file\n"
    );
    let run = sleipnir(&["plan", "tests/fixtures/nope.csv"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: cannot read `tests/fixtures/nope.csv`: "),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let run = sleipnir(&["plan"]);
    assert_eq!(run.code, 2);
    let run = sleipnir(&["plan", "tests/fixtures/good.csv", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    let run = sleipnir(&["plan", "tests/fixtures/good.csv", "--sheet", "x"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `tests/fixtures/good.csv` is a CSV file and has no worksheets; drop `--sheet`\n"
    );
}

#[test]
fn a_user_id_with_a_character_that_does_not_show_is_refused() {
    let dir = crate::support::workdir();
    std::fs::write(
        dir.path().join("ids.csv"),
        "userId,user.extension\nuser00002@sim.example.net\u{200b},2002\nuser00003\u{a0}@sim.example.net,2003\n",
    )
    .expect("sheet");
    let run = crate::support::sleipnir_in(dir.path(), &["plan", "ids.csv"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `ids.csv` has 2 problems; nothing was planned\n  \
         row 2, column A (`userId`): the user id `user00002@sim.example.net\\u{200b}` holds a \
         character that does not show, U+200B (zero-width space); type the id again\n  \
         row 3, column A (`userId`): the user id `user00003\\u{a0}@sim.example.net` holds a \
         character that does not show, U+00A0 (non-breaking space); type the id again\n"
    );
}
