use super::*;

/// The cell `xml`, with `format` its style's code, in a document Calc saved or not.
fn read(xml: &str, format: &str, calc: bool) -> (Cell, Option<ReadAsShown>) {
    let mut reader = Reader::from_reader(xml.as_bytes());
    let mut buf = Vec::new();
    let attrs = match reader.read_event_into(&mut buf).expect("event") {
        Event::Start(e) => Attrs::of(&e).expect("attributes"),
        other => panic!("not a start tag: {other:?}"),
    };
    let mut text = String::new();
    let paragraph = read_text(&mut reader, "table:table-cell", &mut buf, &mut text).expect("text");
    attrs.cell(paragraph.then_some(&text), &|| format.to_string(), calc)
}

fn cell(xml: &str) -> Cell {
    read(xml, "", true).0
}

fn float(value: &str, shown: &str) -> Cell {
    cell(&format!(
        r#"<table:table-cell office:value-type="float" office:value="{value}"><text:p>{shown}</text:p></table:table-cell>"#
    ))
}

fn formatted(value: f64, shown: &str) -> Cell {
    Cell::Formatted(Box::new(Formatted {
        value,
        shown: Some(shown.into()),
        format: String::new(),
    }))
}

#[test]
fn numbers_keep_the_text_they_display_where_it_differs() {
    assert_eq!(float("1001", "1001"), Cell::Number(1001.0));
    assert_eq!(float("123", "0123"), formatted(123.0, "0123"));
    assert_eq!(float("2138", "02138"), formatted(2138.0, "02138"));
    assert_eq!(float("1234", "1,234"), formatted(1234.0, "1,234"));
    assert_eq!(float("4", "4.0"), formatted(4.0, "4.0"));
    // Calc's General format: 1e20 is saved as `1E+020`, and displayed so.
    assert_eq!(float("1E+020", "1E+020"), formatted(1e20, "1E+020"));
    assert_eq!(
        float("0.333333333333333", "0.333333333333333"),
        Cell::Number(0.333333333333333)
    );
    // Binary noise displayed in full is still the number a spreadsheet shows.
    assert_eq!(
        float("434.99999999999994", "434.99999999999994"),
        Cell::Number(434.99999999999994)
    );
    // A formula's boolean result is saved as 1 or 0 displayed TRUE or FALSE.
    assert_eq!(float("1", "TRUE"), Cell::Bool(true));
    assert_eq!(float("0", "FALSE"), Cell::Bool(false));
    assert_eq!(
        cell(
            r#"<table:table-cell office:value-type="percentage" office:value="0.12"><text:p>12%</text:p></table:table-cell>"#
        ),
        formatted(0.12, "12%")
    );
}

#[test]
fn displayed_text_keeps_its_spaces_spans_and_paragraphs() {
    assert_eq!(
        float("1234567", "1<text:s/>234<text:s text:c=\"2\"/>567"),
        formatted(1234567.0, "1 234  567")
    );
    assert_eq!(
        float(
            "5551234",
            "<text:span text:style-name=\"T1\">555</text:span>-1234"
        ),
        formatted(5551234.0, "555-1234")
    );
    assert_eq!(
        cell(
            r#"<table:table-cell office:value-type="string"><text:p>a &amp; b</text:p><text:p>c</text:p><office:annotation><text:p>note</text:p></office:annotation></table:table-cell>"#
        ),
        Cell::Text("a & b\nc".into())
    );
}

#[test]
fn error_results_are_error_cells() {
    let na = r#"<table:table-cell table:formula="of:=NA()" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>"#;
    assert_eq!(cell(na), Cell::Error("#N/A".into()));
    let calc = r#"<table:table-cell table:formula="of:=SUM(" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>Err:502</text:p></table:table-cell>"#;
    assert_eq!(cell(calc), Cell::Error("Err:502".into()));
    // Saved without calcext: a formula whose text result is an error value.
    let old = r#"<table:table-cell table:formula="of:=1/0" office:value-type="string"><text:p>#DIV/0!</text:p></table:table-cell>"#;
    assert_eq!(cell(old), Cell::Error("#DIV/0!".into()));
    // Typed text that reads like one stays text (conversion refuses it).
    let typed =
        r#"<table:table-cell office:value-type="string"><text:p>#N/A</text:p></table:table-cell>"#;
    assert_eq!(cell(typed), Cell::Text("#N/A".into()));
}

#[test]
fn an_empty_result_calc_saved_is_blank_and_a_formula_a_script_wrote_is_refused() {
    // As Calc saves `=""`, `=IF(E3="";"";E3)`, `=T(1)`: no type, an empty paragraph.
    let empty = r#"<table:table-cell table:formula="of:=IF([.E3]=&quot;&quot;;&quot;&quot;;[.E3])"><text:p/></table:table-cell>"#;
    assert_eq!(read(empty, "", true).0, Cell::Empty);
    // The same cell in a document Calc did not save: no computed value to trust.
    assert_eq!(
        read(empty, "", false).0,
        Cell::Formula("=IF(E3=\"\",\"\",E3)".into())
    );
    // As odfpy writes a formula: no paragraph at all.
    let script = r#"<table:table-cell table:formula="of:=1000+1"></table:table-cell>"#;
    assert_eq!(read(script, "", true).0, Cell::Formula("=1000+1".into()));
}

#[test]
fn a_number_shown_as_nothing_is_formatted_and_one_with_no_text_is_plain() {
    let blank = r#"<table:table-cell table:style-name="ce1" office:value-type="float" office:value="4242"><text:p/></table:table-cell>"#;
    assert_eq!(
        read(blank, ";;;", true).0,
        Cell::Formatted(Box::new(Formatted {
            value: 4242.0,
            shown: Some(String::new()),
            format: ";;;".into(),
        }))
    );
    let bare =
        r#"<table:table-cell office:value-type="float" office:value="5"></table:table-cell>"#;
    assert_eq!(cell(bare), Cell::Number(5.0));
}

#[test]
fn a_text_is_read_as_shown_or_refused_where_it_shows_nothing() {
    let plus = r#"<table:table-cell table:style-name="ce2" office:value-type="string" office:string-value="15551234567"><text:p>+15551234567</text:p></table:table-cell>"#;
    let (value, read_as_shown) = read(plus, "0;-0;0;\"+\"@", true);
    assert_eq!(value, Cell::Text("+15551234567".into()));
    assert_eq!(
        read_as_shown,
        Some(ReadAsShown {
            cell: String::new(),
            stored: "15551234567".into(),
            shown: "+15551234567".into(),
            format: "0;-0;0;\"+\"@".into(),
        })
    );
    let hidden = r#"<table:table-cell office:value-type="string" office:string-value="Name2"><text:p/></table:table-cell>"#;
    assert_eq!(
        read(hidden, ";;;", true),
        (
            Cell::FormattedText(Box::new(FormattedText {
                text: "Name2".into(),
                shown: Some(String::new()),
                format: ";;;".into(),
            })),
            None
        )
    );
    // A formula's text result shown as it is, and a text with no paragraph.
    let same = r#"<table:table-cell table:formula="of:=&quot;0042&quot;" office:value-type="string" office:string-value="0042"><text:p>0042</text:p></table:table-cell>"#;
    assert_eq!(read(same, "", true), (Cell::Text("0042".into()), None));
    let bare = r#"<table:table-cell office:value-type="string" office:string-value="x"></table:table-cell>"#;
    assert_eq!(read(bare, "", true), (Cell::Text("x".into()), None));
}

#[test]
fn formulas_without_a_value_dates_and_booleans() {
    assert_eq!(
        cell(
            r#"<table:table-cell table:formula="of:=[.A1]&amp;&quot;x&quot;"></table:table-cell>"#
        ),
        Cell::Formula("=A1&\"x\"".into())
    );
    assert_eq!(
        cell(
            r#"<table:table-cell office:value-type="date" office:date-value="2026-01-12"><text:p>01/12/26</text:p></table:table-cell>"#
        ),
        Cell::Date("2026-01-12".into())
    );
    assert_eq!(
        cell(
            r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>"#
        ),
        Cell::Bool(true)
    );
    assert!(is_error_text("#NAME?") && is_error_text("Err:504"));
    assert!(!is_error_text("#1 fan!") && !is_error_text("Err:") && !is_error_text("#"));
}
