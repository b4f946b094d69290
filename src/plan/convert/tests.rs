use super::*;
use serde_json::json;

fn text(t: &str, ty: FieldType) -> Result<Option<Value>, String> {
    convert(&Cell::Text(t.to_string()), ty, &[])
}

#[test]
fn blank_leaves_the_field_alone() {
    assert_eq!(convert(&Cell::Empty, FieldType::Bool, &[]), Ok(None));
}

#[test]
fn sentinels() {
    assert_eq!(text("<null>", FieldType::Bool), Ok(Some(Value::Null)));
    assert_eq!(text("<empty>", FieldType::Text), Ok(Some(json!(""))));
    assert_eq!(
        text("<empty>", FieldType::Integer),
        Err("`<empty>` sets the empty string, but the field is a whole number".into())
    );
    assert_eq!(
        text("json:[1, 2]", FieldType::List),
        Ok(Some(json!([1, 2])))
    );
    assert_eq!(
        text("json:{\"a\": true}", FieldType::Any),
        Ok(Some(json!({"a": true})))
    );
    assert!(
        text("json:[1,", FieldType::List)
            .unwrap_err()
            .starts_with("`json:[1,` is not valid JSON after `json:`")
    );
    assert_eq!(
        text("json:\"x\"", FieldType::Bool),
        Err("`\"x\"` does not fit the field, which is a boolean".into())
    );
}

#[test]
fn none_null_and_na_are_values() {
    for word in ["None", "null", "N/A"] {
        assert_eq!(text(word, FieldType::Text), Ok(Some(json!(word))));
    }
}

#[test]
fn booleans_in_every_spelling() {
    for t in ["true", "TRUE", "Yes", "y", "1"] {
        assert_eq!(text(t, FieldType::Bool), Ok(Some(json!(true))), "{t}");
    }
    for t in ["false", "No", "N", "0"] {
        assert_eq!(text(t, FieldType::Bool), Ok(Some(json!(false))), "{t}");
    }
    assert_eq!(
        text("maybe", FieldType::Bool),
        Err("`maybe` is not a boolean (use true/false, yes/no, y/n or 1/0)".into())
    );
    assert_eq!(text("yes", FieldType::BoolText), Ok(Some(json!("true"))));
    assert_eq!(
        convert(&Cell::Bool(true), FieldType::Bool, &[]),
        Ok(Some(json!(true)))
    );
    assert_eq!(
        convert(&Cell::Bool(false), FieldType::BoolText, &[]),
        Ok(Some(json!("false")))
    );
    assert_eq!(
        convert(&Cell::Number(1.0), FieldType::Bool, &[]),
        Ok(Some(json!(true)))
    );
}

#[test]
fn numbers() {
    assert_eq!(text("12", FieldType::Integer), Ok(Some(json!(12))));
    assert_eq!(text("5.0", FieldType::Integer), Ok(Some(json!(5))));
    assert_eq!(
        text("12abc", FieldType::Integer),
        Err("`12abc` is not a whole number".into())
    );
    assert_eq!(text("2.5", FieldType::Number), Ok(Some(json!(2.5))));
    assert_eq!(
        text("inf", FieldType::Number),
        Err("`inf` is not a number".into())
    );
    assert_eq!(
        convert(&Cell::Number(2.5), FieldType::Integer, &[]),
        Err("`2.5` is not a whole number".into())
    );
}

#[test]
fn workbook_numbers_become_text_without_fraction_or_exponent() {
    assert_eq!(
        convert(&Cell::Number(9871515000.0), FieldType::Text, &[]),
        Ok(Some(json!("9871515000")))
    );
    assert_eq!(
        convert(&Cell::Number(1234.0), FieldType::Any, &[]),
        Ok(Some(json!("1234")))
    );
}

#[test]
fn phone_numbers_and_extensions_keep_their_digits() {
    assert_eq!(
        text("+15551234567", FieldType::Integer),
        Ok(Some(json!("+15551234567")))
    );
    assert_eq!(text("0123", FieldType::Integer), Ok(Some(json!("0123"))));
    assert_eq!(text("0", FieldType::Integer), Ok(Some(json!(0))));
    assert!(text("+1", FieldType::Bool).is_err());
}

#[test]
fn dates_error_cells_and_formulas_fit_no_field() {
    let date = Cell::Date("2026-01-12".into());
    for ty in [
        FieldType::Bool,
        FieldType::Text,
        FieldType::Integer,
        FieldType::Any,
    ] {
        let refused = convert(&date, ty, &[]).unwrap_err();
        assert!(refused.starts_with("`2026-01-12` is a date"), "{refused}");
        assert!(refused.contains("format the column as Text"), "{refused}");
    }
    for error in [
        "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
    ] {
        for ty in [FieldType::Text, FieldType::Integer, FieldType::Any] {
            let refused = convert(&Cell::Error(error.into()), ty, &[]).unwrap_err();
            assert!(refused.contains("is an error cell"), "{refused}");
            // Typed into a CSV file (or saved from a spreadsheet), the same.
            let refused = text(error, ty).unwrap_err();
            assert!(refused.contains("error value"), "{refused}");
        }
    }
    assert_eq!(
        text("json:\"#N/A\"", FieldType::Text),
        Ok(Some(json!("#N/A")))
    );
    assert_eq!(
        text("#N/A text", FieldType::Text),
        Ok(Some(json!("#N/A text")))
    );
    let formula = Cell::Formula("=VLOOKUP(A2,Numbers!A:B,2,FALSE)".into());
    let refused = convert(&formula, FieldType::Text, &[]).unwrap_err();
    assert!(refused.contains("no computed value"), "{refused}");
}

fn formatted(value: f64, shown: Option<&str>, format: &str) -> Cell {
    Cell::Formatted(Box::new(sleipnir_formatted(value, shown, format)))
}

fn sleipnir_formatted(value: f64, shown: Option<&str>, format: &str) -> crate::sheet::Formatted {
    crate::sheet::Formatted {
        value,
        shown: shown.map(str::to_string),
        format: format.into(),
    }
}

#[test]
fn a_number_in_a_text_field_is_the_digits_its_format_shows() {
    let cases = [
        (123.0, "0123", "0000"),
        (2138.0, "02138", "00000"),
        (5551234.0, "555-1234", "000-0000"),
        (
            5551234567.0,
            "(555) 123-4567",
            "[<=9999999]###-####;(###) ###-####",
        ),
    ];
    for (value, shown, format) in cases {
        assert_eq!(
            convert(&formatted(value, Some(shown), format), FieldType::Text, &[]),
            Ok(Some(json!(shown)))
        );
        // A number field takes the number.
        assert_eq!(
            convert(
                &formatted(value, Some(shown), format),
                FieldType::Integer,
                &[]
            ),
            Ok(Some(json!(value as i64)))
        );
    }
    for (value, shown, format) in [
        (1234.0, "1,234", "#,##0"),
        (12.0, "$12.00", "$0.00"),
        (0.12, "12%", "0%"),
        (12.6, "13", "0"),
        (-5.0, "-0005", "0000"),
    ] {
        let refused =
            convert(&formatted(value, Some(shown), format), FieldType::Text, &[]).unwrap_err();
        assert!(
            refused.starts_with(&format!("`{shown}` is how")),
            "{refused}"
        );
        assert!(refused.contains("format the column as Text"), "{refused}");
    }
    let unread = convert(&formatted(5.0, None, "[$-F800]dddd"), FieldType::Text, &[]);
    assert!(unread.unwrap_err().contains("cannot read"));
    // A mapping's value map matches the text shown.
    let values = [("0001".to_string(), json!("Use DN"))];
    assert_eq!(
        convert(
            &formatted(1.0, Some("0001"), "0000"),
            FieldType::Text,
            &values
        ),
        Ok(Some(json!("Use DN")))
    );
}

#[test]
fn a_number_or_text_formatted_to_show_nothing_is_refused_in_every_field() {
    // A value map for the number does not make a blank cell mean it.
    let values = [
        ("4242".to_string(), json!("x")),
        (String::new(), json!("y")),
    ];
    for ty in [FieldType::Text, FieldType::Integer, FieldType::Bool] {
        assert_eq!(
            convert(&formatted(4242.0, Some(""), ";;;"), ty, &values),
            Err(
                "the number 4242 is formatted to show nothing (`;;;`), so the sheet shows a \
                 blank cell; clear the cell to leave the field as it is, or format it to show \
                 the value"
                    .into()
            )
        );
    }
    // ODS: the format is not always known.
    assert!(
        convert(&formatted(0.0, Some(""), ""), FieldType::Text, &[])
            .unwrap_err()
            .starts_with("the number 0 is formatted to show nothing, so")
    );
    let text = |shown: Option<&str>, format: &str| {
        Cell::FormattedText(Box::new(crate::sheet::FormattedText {
            text: "Name2".into(),
            shown: shown.map(str::to_string),
            format: format.into(),
        }))
    };
    assert_eq!(
        convert(&text(Some(""), ";;;"), FieldType::Text, &[]),
        Err(
            "the text `Name2` is formatted to show nothing (`;;;`), so the sheet shows a \
             blank cell; clear the cell to leave the field as it is, or format it to show the \
             text"
                .into()
        )
    );
    assert_eq!(
        convert(&text(None, "0;@"), FieldType::Any, &[]),
        Err(
            "the text `Name2` is shown through a format (`0;@`) that sleipnir cannot read as \
             the spreadsheet shows it; format the cell as Text (`@`) so that it shows what it \
             holds, and save"
                .into()
        )
    );
}

#[test]
fn a_fraction_shown_is_called_one() {
    let refused = convert(&formatted(0.5, Some("1/2"), "# ?/?"), FieldType::Text, &[]);
    assert_eq!(
        refused,
        Err(
            "`1/2` is how the spreadsheet shows the number 0.5 (its format `# ?/?`), a \
             fraction; format the column as Text, type the values as they should be sent, and \
             save"
                .into()
        )
    );
    // ODS names no format where the file has none.
    let refused = convert(&formatted(1234.0, Some("1,234"), ""), FieldType::Text, &[]);
    assert!(
        refused
            .unwrap_err()
            .starts_with("`1,234` is how the spreadsheet shows the number 1234, with more")
    );
}

#[test]
fn calc_error_codes_in_csv_text_are_refused() {
    let refused = text("Err:502", FieldType::Text).unwrap_err();
    assert!(
        refused.starts_with("`Err:502` is a spreadsheet's error value"),
        "{refused}"
    );
    assert_eq!(text("Err:5", FieldType::Text), Ok(Some(json!("Err:5"))));
}

#[test]
fn ids_are_the_digits_shown() {
    use super::digits_shown;
    assert_eq!(
        digits_shown(&formatted(42.0, Some("0042"), "0000")),
        Some("0042".into())
    );
    assert_eq!(digits_shown(&Cell::Number(42.0)), Some("42".into()));
    assert_eq!(digits_shown(&formatted(4.2, Some("4.20"), "0.00")), None);
    assert_eq!(digits_shown(&Cell::Text("42".into())), None);
    // A fraction bar is not a separator of digits.
    assert_eq!(digits_shown(&formatted(1.0, Some("1/1"), "# ?/?")), None);
}

#[test]
fn structured_fields_need_json() {
    assert!(
        text("a;b", FieldType::List)
            .unwrap_err()
            .contains("write it whole as a `json:` cell")
    );
}

#[test]
fn value_maps_come_first_and_ignore_case() {
    let values = vec![
        ("Y".to_string(), json!(true)),
        ("N".to_string(), json!(false)),
    ];
    assert_eq!(
        convert(&Cell::Text("y".into()), FieldType::Bool, &values),
        Ok(Some(json!(true)))
    );
    assert_eq!(
        convert(&Cell::Text("no".into()), FieldType::Bool, &values),
        Ok(Some(json!(false)))
    );
}

#[test]
fn workbook_numbers_are_read_as_the_spreadsheet_shows_them() {
    let number = |n: f64, ty| convert(&Cell::Number(n), ty, &[]);
    assert_eq!(
        number(434.99999999999994, FieldType::Text),
        Ok(Some(json!("435")))
    );
    assert_eq!(number(1001.0, FieldType::Text), Ok(Some(json!("1001"))));
    assert_eq!(
        number(2.9999999999999996, FieldType::Integer),
        Ok(Some(json!(3)))
    );
    assert_eq!(number(0.1 + 0.2, FieldType::Number), Ok(Some(json!(0.3))));
    // Numeric fields keep whole numbers whole, however long.
    assert_eq!(
        number(1_234_567_890_123_456.0, FieldType::Integer),
        Ok(Some(json!(1_234_567_890_123_456u64)))
    );
}

#[test]
fn text_fields_refuse_numbers_whose_digits_a_spreadsheet_lost() {
    let long = convert(&Cell::Number(1_234_567_890_123_456.0), FieldType::Text, &[]);
    assert_eq!(
        long,
        Err(
            "`1234567890123456` is a number of more than 15 digits, more than a spreadsheet \
             keeps, so its last digits may not be the ones typed; format the column as Text, \
             type the numbers again and save"
                .into()
        )
    );
    assert!(convert(&Cell::Number(999_999_999_999_999.0), FieldType::Text, &[]).is_ok());
    for shortened in ["4.47701E+11", "4,47701E+11", "+4.47701E+11"] {
        let refused = text(shortened, FieldType::Text).unwrap_err();
        assert!(
            refused.starts_with(&format!(
                "`{shortened}` is a number a spreadsheet shortened to scientific notation"
            )),
            "{refused}"
        );
    }
    // Numeric fields read scientific notation as the number it is.
    assert_eq!(
        text("4.47701E+11", FieldType::Integer),
        Ok(Some(json!(447_701_000_000u64)))
    );
}

#[test]
fn a_cell_of_characters_that_do_not_show_is_refused() {
    for text in ["\u{200b}", "\u{2060}\u{ad}", "\u{200b} \u{200b}"] {
        let refused = convert(&Cell::Text(text.into()), FieldType::Text, &[]).unwrap_err();
        assert!(refused.contains("looks blank"), "{refused}");
        assert!(refused.contains("U+"), "{refused}");
    }
    assert_eq!(
        convert(&Cell::Text("Smith\u{200b}".into()), FieldType::Text, &[]),
        Ok(Some(json!("Smith\u{200b}")))
    );
}
