use super::*;
use crate::operation::numbers::NumberState;

fn asks(list: &[(&str, Option<&str>, Option<&str>)]) -> BTreeMap<String, Asks> {
    list.iter()
        .map(|(user, number, extension)| {
            let asks = Asks {
                number: number.map(national),
                extension: extension.map(str::to_string),
                ..Asks::default()
            };
            (user.to_string(), asks)
        })
        .collect()
}

fn group_list(held: &[(&str, Option<&str>)]) -> GroupList {
    let mut list = GroupList {
        country_code: Some("1".into()),
        ..GroupList::default()
    };
    for (number, holder) in held {
        list.numbers.insert(
            national(number),
            NumberState {
                activated: true,
                holder: holder.map(str::to_string),
                holder_kind: holder.map(|_| "Normal".to_string()),
            },
        );
    }
    list
}

#[test]
fn a_held_number_waits_for_its_holder_when_the_sheet_moves_it() {
    let list = group_list(&[("+1-5550001", Some("a")), ("+1-5550002", None)]);
    let mut arrangement = Arrangement::default();
    let wants = asks(&[("b", Some("5550001"), None), ("a", Some("5550002"), None)]);
    check_numbers(&wants, &list, ("g", None), &mut arrangement);
    refuse_cycles(&mut arrangement);
    assert!(arrangement.refused.is_empty(), "{arrangement:?}");
    assert_eq!(arrangement.waits_for["b"], ["a"]);
}

#[test]
fn a_number_held_by_someone_who_stays_is_refused_naming_the_holder() {
    let list = group_list(&[("+1-5550001", Some("keeper@x"))]);
    let mut arrangement = Arrangement::default();
    check_numbers(
        &asks(&[("b", Some("+1-5550001"), None)]),
        &list,
        ("g", None),
        &mut arrangement,
    );
    assert!(arrangement.refused["b"].why.contains("held by `keeper@x`"));
}

#[test]
fn a_cycle_of_swaps_is_refused_with_its_users_named() {
    let list = group_list(&[("5550001", Some("a")), ("5550002", Some("b"))]);
    let mut arrangement = Arrangement::default();
    let wants = asks(&[("a", Some("5550002"), None), ("b", Some("5550001"), None)]);
    check_numbers(&wants, &list, ("g", None), &mut arrangement);
    refuse_cycles(&mut arrangement);
    assert!(arrangement.refused["a"].why.contains("cycle of swaps"));
    assert!(
        arrangement.refused["a"].why.contains("`a` → `b`"),
        "{:?}",
        arrangement.refused
    );
    assert!(arrangement.refused.contains_key("b"));
    assert!(arrangement.waits_for.is_empty());
}

#[test]
fn numbers_outside_the_group_are_checked_against_the_enterprise() {
    let list = group_list(&[]);
    let pool: HashMap<String, Option<String>> = [
        ("5550007".to_string(), None),
        ("5550008".to_string(), Some("other".to_string())),
    ]
    .into();
    let mut arrangement = Arrangement::default();
    let wants = asks(&[
        ("free", Some("+1-5550007"), None),
        ("elsewhere", Some("5550008"), None),
        ("unknown", Some("5550009"), None),
        ("twice1", Some("5550007"), None),
    ]);
    check_numbers(&wants, &list, ("g", Some(&pool)), &mut arrangement);
    assert!(
        arrangement.refused["elsewhere"]
            .why
            .contains("group `other`")
    );
    assert!(
        arrangement.refused["unknown"]
            .why
            .contains("not among the enterprise's numbers")
    );
    assert!(arrangement.refused["free"].why.contains("`twice1`"));
    assert!(arrangement.refused["twice1"].why.contains("`free`"));
}

#[test]
fn extensions_clash_within_the_sheet_and_with_the_group() {
    let held: HashMap<String, String> = [
        ("0104".to_string(), "keeper".to_string()),
        ("0105".to_string(), "mover".to_string()),
    ]
    .into();
    let mut arrangement = Arrangement::default();
    for (user, extension) in [
        ("a", "0104"),
        ("b", "0105"),
        ("mover", "0199"),
        ("c", "0300"),
        ("d", "0300"),
    ] {
        arrangement.extensions.insert(user.into(), extension.into());
    }
    let wants = asks(&[
        ("a", None, Some("0104")),
        ("b", None, Some("0105")),
        ("mover", None, Some("0199")),
        ("c", None, Some("0300")),
        ("d", None, Some("0300")),
    ]);
    check_extensions(&wants, &held, &mut arrangement);
    assert!(arrangement.refused["a"].why.contains("held by `keeper`"));
    assert_eq!(arrangement.waits_for["b"], ["mover"]);
    assert!(arrangement.refused["c"].why.contains("`d`"));
    assert!(!arrangement.refused.contains_key("mover"));
}

#[test]
fn waiting_for_a_refused_user_is_refused_too() {
    let mut arrangement = Arrangement::default();
    refuse(&mut arrangement, "a", NUMBER, "no".into());
    arrangement.waits_for.insert("b".into(), vec!["a".into()]);
    arrangement.waits_for.insert("c".into(), vec!["b".into()]);
    refuse_cycles(&mut arrangement);
    assert!(arrangement.refused["b"].why.contains("`a`"));
    assert!(arrangement.refused["c"].why.contains("`b`"));
    assert!(arrangement.waits_for.is_empty());
}

fn held(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(extension, holder)| (extension.to_string(), holder.to_string()))
        .collect()
}

#[test]
fn an_extension_swap_is_refused_at_the_extension_cells() {
    let mut arrangement = Arrangement::default();
    let wants = asks(&[("a", None, Some("1007")), ("b", None, Some("1001"))]);
    for (user, a) in &wants {
        let extension = a.extension.clone().unwrap_or_default();
        arrangement.extensions.insert(user.clone(), extension);
    }
    check_extensions(
        &wants,
        &held(&[("1001", "a"), ("1007", "b")]),
        &mut arrangement,
    );
    refuse_cycles(&mut arrangement);
    for user in ["a", "b"] {
        let refusal = &arrangement.refused[user];
        assert_eq!(refusal.field, "extension");
        assert!(
            refusal.why.contains("extension is part of a cycle"),
            "{refusal:?}"
        );
    }
    assert!(arrangement.waits_for.is_empty());
}

#[test]
fn an_extension_held_by_a_user_the_sheet_moves_waits_for_it() {
    let mut arrangement = Arrangement::default();
    let wants = asks(&[("a", None, Some("1009")), ("b", None, Some("1001"))]);
    for (user, a) in &wants {
        let extension = a.extension.clone().unwrap_or_default();
        arrangement.extensions.insert(user.clone(), extension);
    }
    check_extensions(&wants, &held(&[("1001", "a")]), &mut arrangement);
    refuse_cycles(&mut arrangement);
    assert!(arrangement.refused.is_empty(), "{arrangement:?}");
    assert_eq!(arrangement.waits_for["b"], ["a"]);
}

#[test]
fn a_cycle_through_a_second_wait_is_found() {
    // `a` waits for `c` (a number) and for `b` (an extension); `b` waits for `a`.
    let mut arrangement = Arrangement::default();
    arrangement
        .waits_for
        .insert("a".into(), vec!["c".into(), "b".into()]);
    arrangement.waits_for.insert("b".into(), vec!["a".into()]);
    refuse_cycles(&mut arrangement);
    assert!(
        arrangement.refused["a"].why.contains("`a` → `b` → `a`"),
        "{arrangement:?}"
    );
    assert!(arrangement.refused.contains_key("b"));
    assert!(!arrangement.refused.contains_key("c"));
}

#[test]
fn an_extension_a_service_holds_with_a_number_is_refused_naming_it() {
    let mut list = group_list(&[]);
    list.services.insert(
        "50108".into(),
        ("aa.main@x".into(), "Auto Attendant".into()),
    );
    let mut arrangement = Arrangement::default();
    let wants = asks(&[("a", None, Some("50108")), ("b", None, Some("50109"))]);
    check_service_extensions(&wants, &list, &mut arrangement);
    let refusal = &arrangement.refused["a"];
    assert_eq!(refusal.field, "extension");
    assert!(
        refusal.why.contains("held by `aa.main@x` (Auto Attendant)"),
        "{refusal:?}"
    );
    assert!(!arrangement.refused.contains_key("b"));
}
