use super::*;
use crate::sheet::{Formatted, FormattedText};

fn rule(sqref: &str, code: &str) -> RuleDisplay {
    let rules = Rules {
        found: vec![(
            sqref.to_string(),
            RuleFormat::Own(Some(164), Some(code.into())),
        )],
        ..Rules::default()
    };
    rules.formats(&[]).pop().expect("a rule")
}

#[test]
fn ranges_of_cells_rows_and_columns() {
    let at = |reference| area(reference).map(|a| (a.rows, a.columns));
    assert_eq!(at("B2"), Some(((1, 1), (1, 1))));
    assert_eq!(at("$C$9:B2"), Some(((1, 8), (1, 2))));
    assert_eq!(at("B:$C"), Some(((0, u32::MAX), (1, 2))));
    assert_eq!(at("3:5"), Some(((2, 4), (0, u32::MAX))));
    assert_eq!(at("B2:5"), None);
    assert_eq!(at("A0"), None);
    assert_eq!(at("ABCD1"), None);
    assert_eq!(at(""), None);
}

#[test]
fn rules_that_set_a_number_format_in_the_sheet_or_in_their_own_format() {
    let xml = r#"<worksheet xmlns:x14="x14" xmlns:xm="xm"><sheetData/>
        <conditionalFormatting sqref="B2:B9 D2"><cfRule type="cellIs" dxfId="1" operator="lessThan"><formula>1000</formula></cfRule><cfRule type="dataBar"/></conditionalFormatting>
        <conditionalFormatting sqref="C2:C9"><cfRule type="cellIs" dxfId="0"><formula>"Last2"</formula></cfRule></conditionalFormatting>
        <extLst><ext><x14:conditionalFormattings><x14:conditionalFormatting><x14:cfRule type="cellIs"><xm:f>5</xm:f><x14:dxf><numFmt numFmtId="165" formatCode="0.0"/></x14:dxf></x14:cfRule><xm:sqref>E2:E3</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst></worksheet>"#;
    let scan = crate::sheet::workbook::xlsx_looks::scan(xml.as_bytes(), false).expect("scanned");
    assert!(scan.conditional.need_styles());
    let styles = r#"<styleSheet><numFmts><numFmt numFmtId="170" formatCode="00"/></numFmts><dxfs count="2"><dxf><font><b/></font></dxf><dxf><numFmt numFmtId="164" formatCode="0000"/><fill/></dxf></dxfs></styleSheet>"#;
    let dxfs = dxf_formats(styles.as_bytes());
    assert_eq!(
        dxfs,
        vec![None, Some((Some(164), Some("0000".to_string())))]
    );
    let rules = scan.conditional.formats(&dxfs);
    let found: Vec<(&str, Vec<Area>)> = rules
        .iter()
        .map(|r| (r.label.as_str(), r.areas.clone()))
        .collect();
    let cells = |rows, columns| Area { rows, columns };
    assert_eq!(
        found,
        vec![
            ("0000", vec![cells((1, 8), (1, 1)), cells((1, 1), (3, 3))]),
            ("0.0", vec![cells((1, 2), (4, 4))]),
        ]
    );
}

#[test]
fn cells_a_rule_shows_otherwise_depend_on_it() {
    let text_of = |typed: &str, shown: Option<&str>, format: &str| {
        Cell::FormattedText(Box::new(FormattedText {
            text: typed.into(),
            shown: shown.map(str::to_string),
            format: format.into(),
        }))
    };
    let padded = Cell::Formatted(Box::new(Formatted {
        value: 7.0,
        shown: Some("0007".into()),
        format: "0000".into(),
    }));
    let mut cells = vec![
        (1, 1, Cell::Number(101.0)),
        (1, 2, Cell::Text("Last2".into())),
        (2, 1, Cell::Number(1001.0)),
        (2, 2, Cell::Text("+1555".into())),
        (3, 1, padded.clone()),
        (3, 2, text_of("Name", Some(""), ";;;")),
        (4, 1, Cell::Bool(true)),
        (9, 1, Cell::Number(101.0)),
    ];
    let mut rules = vec![rule("B2:B5", "0000"), rule("C:C", ";;;")];
    // C3 was read as its own format shows it (`"+"@`); stored, it is `1555`.
    apply(&mut cells, &mut rules, vec![(2, 2, "1555".into())]);
    let conditional = |cell: Cell, shown: &str, format: &str| {
        Cell::Conditional(Box::new(Conditional {
            cell,
            shown: Some(shown.into()),
            format: format.into(),
        }))
    };
    assert_eq!(cells[0].2, conditional(Cell::Number(101.0), "0101", "0000"));
    assert_eq!(
        cells[1].2,
        conditional(Cell::Text("Last2".into()), "", ";;;")
    );
    // `0000` shows 1001 as it is, and 7 as its own `0000` does.
    assert_eq!(cells[2].2, Cell::Number(1001.0));
    assert_eq!(
        cells[3].2,
        conditional(Cell::Text("+1555".into()), "", ";;;")
    );
    assert_eq!(cells[4].2, padded);
    // Shown as nothing either way.
    assert_eq!(cells[5].2, text_of("Name", Some(""), ";;;"));
    assert_eq!(cells[6].2, Cell::Bool(true));
    assert_eq!(cells[7].2, Cell::Number(101.0));
    // A format that shows text as typed changes a text read through its own format.
    let mut cells = vec![(2, 2, Cell::Text("+1555".into()))];
    apply(
        &mut cells,
        &mut [rule("C3", "0")],
        vec![(2, 2, "1555".into())],
    );
    assert_eq!(
        cells[0].2,
        conditional(Cell::Text("+1555".into()), "1555", "0")
    );
    let mut cells = vec![(1, 1, Cell::Number(101.0))];
    apply(&mut cells, &mut [rule("B2", "# ?/?")], Vec::new());
    let Cell::Conditional(unknown) = &cells[0].2 else {
        panic!("conditional: {:?}", cells[0].2);
    };
    assert_eq!(
        (unknown.shown.as_deref(), unknown.format.as_str()),
        (None, "# ?/?")
    );
}
