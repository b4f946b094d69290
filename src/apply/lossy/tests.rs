use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::notation::FieldPath;
use crate::plan::cells::{FieldColumn, SheetCells};
use crate::problem::Column;

fn lost_of(live: Value, planned: Value) -> Option<Lost> {
    lost(&live, &planned)
}

#[test]
fn leading_zeros_and_plus_dropped_are_losses() {
    assert_eq!(
        lost_of(json!("0014"), json!("14")),
        Some(Lost::LeadingZeros)
    );
    assert_eq!(lost_of(json!("000"), json!("0")), Some(Lost::LeadingZeros));
    assert_eq!(
        lost_of(json!("+15553000014"), json!("15553000014")),
        Some(Lost::Plus)
    );
    assert_eq!(
        lost_of(json!("+0044123"), json!("44123")),
        Some(Lost::PlusAndZeros)
    );
    // Only the `+` of `+0044123` dropped keeps the zeros.
    assert_eq!(
        lost_of(json!("+0044123"), json!("0044123")),
        Some(Lost::Plus)
    );
}

#[test]
fn long_numbers_shortened_are_losses() {
    // Excel's General format shows 447701234567 as 4.47701E+11 and saves that.
    assert_eq!(
        lost_of(json!("447701234567"), json!("447701000000")),
        Some(Lost::Digits(6))
    );
    assert_eq!(
        lost_of(json!("+447701234567"), json!("447701000000")),
        Some(Lost::Digits(6))
    );
    // Rounded, not only cut: 4.47702E+11 for 447701834567.
    assert_eq!(
        lost_of(json!("447701834567"), json!("447702000000")),
        Some(Lost::Digits(6))
    );
    // Rounding that carries into one more digit.
    assert_eq!(
        lost_of(json!("999999999999"), json!("1000000000000")),
        Some(Lost::Digits(1))
    );
    // 15 digits kept of 18.
    assert_eq!(
        lost_of(json!("123456789012345678"), json!("123456789012345000")),
        Some(Lost::Digits(15))
    );
}

#[test]
fn real_edits_are_never_losses() {
    for (live, planned) in [
        (json!("2001"), json!("2002")),
        (json!("0014"), json!("0015")),
        (json!("0014"), json!("15")),
        (json!("14"), json!("0014")),
        (json!("0014"), json!("014")),
        (json!("+15553000014"), json!("+15553000015")),
        (json!("+15553000014"), json!("15553000015")),
        (json!("+15553000014"), json!("+1555300001")),
        (json!("0014"), json!("0014")),
        // Fewer than 12 significant digits: a short number ending in zeros is an edit.
        (json!("2001"), json!("2000")),
        (json!("44770123456"), json!("44770000000")),
        // Shortened digits of another number.
        (json!("447701234567"), json!("447800000000")),
        // The live value is not digits, or is a number; the planned one is not digits.
        (json!("ext 0014"), json!("14")),
        (json!(14), json!("14")),
        (json!(null), json!("14")),
        (json!("0014"), json!("+14")),
        (json!("0014"), json!("1-4")),
        (json!("0014"), json!(true)),
        // A number field's value is no text's digits.
        (json!("0014"), json!(14)),
    ] {
        assert_eq!(
            lost_of(live.clone(), planned.clone()),
            None,
            "{live} → {planned}"
        );
    }
}

fn user(cells: SheetCells) -> UserPlan {
    UserPlan {
        user_id: "u@x".into(),
        rows: vec![4, 9],
        service_provider_id: None,
        group_id: None,
        steps: vec![
            Step::from_patch(
                Resource::User,
                json!({"extension": "14", "lastName": "Smith"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )
            .unwrap(),
            Step::from_patch(
                Resource::Settings,
                json!({"Call Forwarding Always.forwardToPhoneNumber": "15553000014"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )
            .unwrap(),
        ],
        before: None,
        not_restorable: Vec::new(),
        cells,
    }
}

fn live() -> HashMap<Resource, Value> {
    HashMap::from([
        (
            Resource::User,
            json!({"extension": "0014", "lastName": "Smith"}),
        ),
        (
            Resource::Settings,
            json!({"Call Forwarding Always": {"forwardToPhoneNumber": "+15553000014"}}),
        ),
    ])
}

#[test]
fn losses_are_named_at_their_cell() {
    let column = Arc::new(FieldColumn {
        column: Column {
            index: 3,
            title: "user.extension".into(),
        },
        field: Arc::new(FieldPath::parse("user.extension").unwrap()),
    });
    let user = user(SheetCells::new(vec![(column, 9)]));
    let found = losses(&user, &live());
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].field(), "user.extension");
    assert_eq!(
        found[0].problem(&user).to_string(),
        "row 9, column D (`user.extension`): `14` is Odin's `0014` without its leading zeros: \
         a spreadsheet dropped them when it read the value as a number (as it does opening a \
         CSV file); format the column as Text and type the value again (or \
         --allow-lossy-values writes `14` as it is)"
    );
    // No cell kept for it (a plan file's users have none): the user, field and rows.
    assert!(
        found[1].problem(&user).to_string().starts_with(
            "row 4: user `u@x`, `settings.Call Forwarding Always.forwardToPhoneNumber` \
             (sheet rows 4, 9 of the plan file): `15553000014` is Odin's `+15553000014` \
             without its leading `+`"
        ),
        "{}",
        found[1].problem(&user)
    );
}

#[test]
fn shortened_numbers_say_how_the_spreadsheet_showed_them() {
    let loss = Loss {
        resource: Resource::User,
        key: "phoneNumber".into(),
        live: "447701234567".into(),
        planned: "447701000000".into(),
        lost: Lost::Digits(6),
    };
    assert!(
        loss.message().contains(
            "shortened to 6 significant digits: a spreadsheet showed the number as \
             `4.47701E+11` and saved what it showed"
        ),
        "{}",
        loss.message()
    );
    assert_eq!(scientific("400000000000", 1), "4E+11");
}
