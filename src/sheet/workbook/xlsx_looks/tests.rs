use super::*;

fn sheet(body: &str) -> Scan {
    let xml = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{body}</worksheet>"#
    );
    scan(xml.as_bytes(), false).expect("scanned")
}

#[test]
fn hidden_rows_and_columns() {
    let scan = sheet(
        r#"<cols><col min="2" max="3" width="9" hidden="1"/><col min="5" max="5" width="0"/><col min="6" max="6" width="12"/></cols>
        <sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="3" hidden="1"><c r="A3"><v>1</v></c></row>
        <row r="4" hidden="true"/><row r="6" customHeight="1" ht="0"/><row r="7" ht="15"/></sheetData>"#,
    );
    assert_eq!(scan.looks.hidden_rows, vec![(3, 4), (6, 6)]);
    assert_eq!(scan.looks.hidden_columns, vec![(1, 2), (4, 4)]);
    assert!(!scan.looks.filter);
}

#[test]
fn rows_hidden_by_default_are_every_row_not_listed_as_shown() {
    let scan = sheet(
        r#"<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/><sheetData>
        <row r="1"><c r="A1"><v>1</v></c></row><row r="2"/><row r="5" hidden="1"/><row r="7"/></sheetData>"#,
    );
    assert_eq!(
        scan.looks.hidden_rows,
        vec![(3, 6), (8, LAST_ROW)],
        "rows 3–4 have no element, 5 is hidden, 6 has none"
    );
}

#[test]
fn merged_ranges_and_the_filter() {
    let scan = sheet(
        r#"<sheetData/><autoFilter ref="A1:C9"/><mergeCells count="3"><mergeCell ref="D2:D4"/><mergeCell ref="$B$7:A6"/><mergeCell ref="E5"/></mergeCells>
        <customSheetViews><customSheetView guid="x"><autoFilter ref="A1:B2"/></customSheetView></customSheetViews>"#,
    );
    assert_eq!(
        scan.looks.merges,
        vec![
            Merge {
                rows: (2, 4),
                columns: (3, 3)
            },
            Merge {
                rows: (6, 7),
                columns: (0, 1)
            },
        ]
    );
    assert!(scan.looks.filter);
    let custom_only = sheet(
        r#"<sheetData/><customSheetViews><customSheetView guid="x"><autoFilter ref="A1:B2"/></customSheetView></customSheetViews>"#,
    );
    assert!(!custom_only.looks.filter);
}

#[test]
fn formulas_without_a_computed_value() {
    let scan = sheet(
        r#"<sheetData><row r="2">
        <c r="A2"><f>A1*2</f></c>
        <c r="B2"><f>A1&amp;"x"</f><v/></c>
        <c r="C2" t="str"><f>""&amp;""</f><v></v></c>
        <c r="D2"><f>1+1</f><v>2</v></c>
        <c r="E2" t="e"><f>NA()</f><v>#N/A</v></c>
        <c r="F2"><v>5</v></c>
        <c r="G2" t="inlineStr"><f>"a"</f><is><t>a</t></is></c>
        </row></sheetData>"#,
    );
    assert_eq!(
        scan.formulas,
        vec![(1, 0, "=A1*2".into()), (1, 1, "=A1&\"x\"".into())]
    );
}

#[test]
fn a_shared_formula_is_named_as_moved_to_its_cell() {
    let scan = sheet(
        r#"<sheetData><row r="2"><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f></c></row>
        <row r="3"><c r="B3"><f t="shared" si="0"/></c></row>
        <row r="4"><c r="B4"><f t="shared" si="7"/></c></row></sheetData>"#,
    );
    assert_eq!(
        scan.formulas,
        vec![
            (1, 1, "=A2*2".into()),
            (2, 1, "=A3*2".into()),
            (3, 1, "(a shared formula)".into()),
        ]
    );
}

#[test]
fn a_stored_zero_is_no_result_where_the_workbook_asks_to_be_recalculated() {
    let body = r#"<worksheet><sheetData><row r="1"><c r="A1"><f>B1*2</f><v>0</v></c><c r="B1"><f>1000+7</f><v>1007</v></c><c r="C1" t="str"><f>"0"</f><v>0</v></c></row></sheetData></worksheet>"#;
    let stale = scan(body.as_bytes(), true).expect("scanned");
    assert_eq!(stale.formulas, vec![(0, 0, "=B1*2".into())]);
    let saved = scan(body.as_bytes(), false).expect("scanned");
    assert!(saved.formulas.is_empty());
}

#[test]
fn cells_without_a_reference_are_placed_by_their_order() {
    let scan = sheet(
        r#"<sheetData><row><c><v>1</v></c><c><f>A1</f></c></row><row><c><f>B1</f></c></row></sheetData>"#,
    );
    assert_eq!(
        scan.formulas,
        vec![(0, 1, "=A1".into()), (1, 0, "=B1".into())]
    );
}

#[test]
fn prefixed_element_names_are_read() {
    let xml = r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="2" hidden="1"><x:c r="A2"><x:f>1</x:f></x:c></x:row></x:sheetData><x:mergeCells><x:mergeCell ref="A3:A4"/></x:mergeCells></x:worksheet>"#;
    let scan = scan(xml.as_bytes(), false).expect("scanned");
    assert_eq!(scan.looks.hidden_rows, vec![(2, 2)]);
    assert_eq!(scan.looks.merges.len(), 1);
    assert_eq!(scan.formulas, vec![(1, 0, "=1".into())]);
}

#[test]
fn references() {
    assert_eq!(cell_reference("A1"), Some((0, 0)));
    assert_eq!(cell_reference("XFD1048576"), Some((1_048_575, 16_383)));
    assert_eq!(cell_reference("$AB$12"), Some((11, 27)));
    assert_eq!(cell_reference("12"), None);
    assert_eq!(cell_reference("A0"), None);
}
