use std::path::Path;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::sheet;

fn csv(text: &str) -> Sheet {
    sheet::from_bytes(
        Path::new("t.csv"),
        text.as_bytes().to_vec(),
        &Default::default(),
    )
    .expect("readable csv")
}

pub(super) fn plan(text: &str) -> Result<Plan, Problems> {
    build(&csv(text), None, &Schema::builtin().expect("schema"))
}

pub(super) fn plan_with(text: &str, mapping: &str) -> Result<Plan, Problems> {
    let mapping = Mapping::parse(Path::new("m.toml"), mapping).expect("mapping parses");
    build(
        &csv(text),
        Some(&mapping),
        &Schema::builtin().expect("schema"),
    )
}

pub(super) fn messages(result: Result<Plan, Problems>) -> Vec<String> {
    result
        .expect_err("the sheet has problems")
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn steps_follow_the_design_order() {
    let plan = plan(
        "userId,services.unassign,settings.Do Not Disturb.isActive,policy.clidPolicy,user.extension,services.assign\n\
         a@x,Call Waiting,yes,Use DN,0123,Do Not Disturb\n",
    )
    .unwrap();
    let user = &plan.users[0];
    let order: Vec<&str> = user.steps.iter().map(|s| s.resource().name()).collect();
    assert_eq!(
        order,
        ["services", "user", "policy", "settings", "services"]
    );
    assert_eq!(
        user.steps[0].patch()["userServices.Do Not Disturb"],
        json!(true)
    );
    assert_eq!(user.steps[1].patch()["extension"], json!("0123"));
    assert_eq!(
        user.steps[3].patch()["Do Not Disturb.isActive"],
        json!(true)
    );
    assert_eq!(
        user.steps[4].patch()["userServices.Call Waiting"],
        json!(false)
    );
    assert_eq!(plan.totals().fields, 5);
}

#[test]
fn rows_of_one_user_merge() {
    let plan = plan(
        "userId,user.extension,settings.Do Not Disturb.isActive\n\
         a@x,1000,\n\
         b@x,2000,true\n\
         a@x,,false\n\
         a@x,1000,\n",
    )
    .unwrap();
    assert_eq!(plan.users.len(), 2);
    assert_eq!(plan.users[0].user_id, "a@x");
    assert_eq!(plan.users[0].rows, vec![2, 4, 5]);
    assert_eq!(plan.users[0].steps.len(), 2);
    assert_eq!(plan.totals().rows, 4);
}

#[test]
fn conflicting_values_name_both_rows() {
    assert_eq!(
        messages(plan(
            "userId,user.extension\na@x,1000\nb@x,3000\na@x,2000\n"
        )),
        [
            "row 4, column B (`user.extension`): `2000` conflicts with `1000` set for user `a@x` in row 2, column B"
        ]
    );
}

#[test]
fn a_bad_cell_does_not_hide_a_conflict_in_its_row() {
    assert_eq!(
        messages(plan(
            "userId,settings.Do Not Disturb.isActive,user.extension\na@x,maybe,1001\na@x,,1009\n"
        )),
        [
            "row 2, column B (`settings.Do Not Disturb.isActive`): `maybe` is not a boolean (use true/false, yes/no, y/n or 1/0)",
            "row 3, column C (`user.extension`): `1009` conflicts with `1001` set for user `a@x` in row 2, column C",
        ]
    );
}

#[test]
fn assigning_and_unassigning_one_service_conflicts() {
    assert_eq!(
        messages(plan(
            "userId,services.assign,services.unassign\na@x,Do Not Disturb,Do Not Disturb\n"
        )),
        [
            "row 2, column C (`services.unassign`): `Do Not Disturb` is unassigned here but assigned for user `a@x` in row 2, column B"
        ]
    );
}

#[test]
fn a_field_inside_another_set_field_conflicts() {
    let found = messages(plan(
        "userId,settings.Sequential Ring.locations,settings.Sequential Ring.locations[0].phoneNumber\n\
         a@x,json:[],+15550001\n",
    ));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("lies inside `settings.Sequential Ring.locations`"),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_sorted() {
    let found = messages(plan(
        "userId,settings.Do Not Disturb.isActive,user.extensoin,policy.maxSimultaneousCalls\n\
         a@x,maybe,,12abc\n\
         ,true,,\n",
    ));
    assert_eq!(
        found,
        [
            "row 1, column C (`user.extensoin`): `user` has no field `extensoin`; did you mean `extension`?",
            "row 2, column B (`settings.Do Not Disturb.isActive`): `maybe` is not a boolean (use true/false, yes/no, y/n or 1/0)",
            "row 2, column D (`policy.maxSimultaneousCalls`): `12abc` is not a whole number",
            "row 3, column A (`userId`): the user id is empty, but the row sets fields; fill it in or clear the row",
        ]
    );
}

#[test]
fn unknown_services_in_assign_lists_are_named() {
    assert_eq!(
        messages(plan(
            "userId,services.assign\na@x,Do Not Disturb;Call Waitng\n"
        )),
        [
            "row 2, column B (`services.assign`): unknown service `Call Waitng`; did you mean `Call Waiting`?"
        ]
    );
    // Service packs are provider-defined: any name goes.
    assert!(plan("userId,packs.assign\na@x,My-Pack; Other\n").is_ok());
}

#[test]
fn identity_columns_are_not_changes() {
    let plan =
        plan("userId,user.serviceProviderId,user.groupId,user.extension\na@x,sp1,g1,10\n").unwrap();
    let user = &plan.users[0];
    assert_eq!(user.service_provider_id.as_deref(), Some("sp1"));
    assert_eq!(user.group_id.as_deref(), Some("g1"));
    assert_eq!(user.steps.len(), 1);
    assert_eq!(user.steps[0].patch().len(), 1);
}

#[test]
fn users_with_nothing_to_change_are_left_out_with_a_warning() {
    let plan = plan("userId,user.extension\na@x,\nb@x,5\n").unwrap();
    assert_eq!(plan.users.len(), 1);
    assert_eq!(
        plan.warnings,
        [super::Warning::about(
            vec!["a@x".to_string()],
            "row 2: user `a@x` sets nothing (every cell is blank); the user is left out",
            None
        )]
    );
}

const MAPPING: &str = r#"
user_id = "Email"
ignore  = ["Notes"]
[columns]
"CFA Number" = "settings.Call Forwarding Always.forwardToPhoneNumber"
"CFA On"     = { field = "settings.Call Forwarding Always.isActive", type = "bool", values = { "Y" = true, "N" = false } }
[constants]
"settings.Call Forwarding Always.isRingSplashActive" = false
"services.assign" = "Call Forwarding Always"
"#;

#[test]
fn mappings_rename_columns_map_values_and_add_constants() {
    let plan = plan_with(
        "Email,CFA Number,CFA On,Notes\na@x,+15551234567,Y,hello\nb@x,,N,\n",
        MAPPING,
    )
    .unwrap();
    assert_eq!(plan.users.len(), 2);
    let a = &plan.users[0];
    assert_eq!(
        a.steps[0].patch()["userServices.Call Forwarding Always"],
        json!(true)
    );
    let settings = a.steps[1].patch();
    assert_eq!(settings["Call Forwarding Always.isActive"], json!(true));
    assert_eq!(
        settings["Call Forwarding Always.forwardToPhoneNumber"],
        json!("+15551234567")
    );
    assert_eq!(
        settings["Call Forwarding Always.isRingSplashActive"],
        json!(false)
    );
    assert_eq!(
        plan.users[1].steps[1].patch()["Call Forwarding Always.isActive"],
        json!(false)
    );
    assert_eq!(plan.source.mapping.as_deref(), Some("m.toml"));
}

#[test]
fn unmapped_columns_are_errors_that_say_how_to_fix_them() {
    assert_eq!(
        messages(plan_with("Email,CFA On,Comment\na@x,Y,x\n", MAPPING)),
        [
            "row 1, column C (`Comment`): `Comment` is neither a field path nor a column of mapping `m.toml`; map it under [columns] or list it under `ignore`"
        ]
    );
    assert_eq!(
        messages(plan("userId,Comment\na@x,x\n")),
        [
            "row 1, column B (`Comment`): `Comment` is not a field path (`namespace.field`, e.g. `user.extension`); to use titles of your own, pass a mapping file with --mapping"
        ]
    );
}

#[test]
fn a_constant_and_a_column_for_one_field_is_an_error() {
    let found = messages(plan_with(
        "Email,CFA On\na@x,Y\n",
        "user_id = \"Email\"\n[columns]\n\"CFA On\" = \"settings.Call Forwarding Always.isActive\"\n\
         [constants]\n\"settings.Call Forwarding Always.isActive\" = true\n",
    ));
    assert_eq!(
        found,
        [
            "mapping `m.toml`, constant `settings.Call Forwarding Always.isActive`: column B (`CFA On`) sets the same field; keep one or the other"
        ]
    );
}

#[test]
fn missing_user_id_column_is_reported() {
    assert_eq!(
        messages(plan("email,user.extension\na@x,1\n")),
        [
            "no user id column; title one `userId` (or `user_id`, `User ID`), or name it with `user_id` in a mapping file",
            "row 1, column A (`email`): `email` is not a field path (`namespace.field`, e.g. `user.extension`); to use titles of your own, pass a mapping file with --mapping"
        ]
    );
    assert!(
        messages(plan("user.extension\n1\n"))[0]
            .starts_with("no user id column; title one `userId`")
    );
}

fn arb_rows() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    // (user, extension, do-not-disturb) choices; small ranges make merges and conflicts common.
    prop::collection::vec((0u8..6, 0u8..4, 0u8..3), 1..25)
}

fn render(rows: &[(usize, (u8, u8, u8))]) -> String {
    let mut text = String::from("userId,user.extension,settings.Do Not Disturb.isActive\n");
    for (_, (user, ext, dnd)) in rows {
        let ext = if *ext == 0 {
            String::new()
        } else {
            format!("10{ext}")
        };
        let dnd = ["", "true", "false"][*dnd as usize];
        text.push_str(&format!("u{user}@x,{ext},{dnd}\n"));
    }
    text
}

proptest! {
    /// Planning the same rows in any order gives the same plan (or the same problems): users,
    /// their rows and steps, and which rows a conflict names, depend on row numbers only.
    #[test]
    fn row_order_does_not_change_the_plan(rows in arb_rows(), seed in any::<u64>()) {
        let numbered: Vec<(usize, (u8, u8, u8))> = rows.into_iter().enumerate().collect();
        let schema = Schema::builtin().unwrap();
        let sheet = csv(&render(&numbered));
        let mut shuffled = sheet.clone();
        // A seeded Fisher-Yates shuffle of the rows, keeping their row numbers.
        let mut state = seed | 1;
        for i in (1..shuffled.rows.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.rows.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = build(&sheet, None, &schema);
        let b = build(&shuffled, None, &schema);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn the_resume_command_continues_the_command_that_started_the_run() {
    let mut source = PlanSource {
        hidden_rows: Default::default(),
        hidden_columns: Default::default(),
        allow_lossy_values: false,
        mapping_sha256: None,
        source: "rollback of users.csv".into(),
        sha256: "00".into(),
        worksheet: None,
        mapping: None,
        target: None,
        odin_user: None,
        target_name: None,
        command: Some("sleipnir rollback runs/a".into()),
    };
    let dir = std::path::Path::new("runs/b c");
    assert_eq!(
        source.resume_command(dir),
        "sleipnir rollback runs/a --resume 'runs/b c'"
    );
    source.command = Some("sleipnir apply runs/a/failed.jsonl".into());
    assert_eq!(
        source.resume_command(dir),
        "sleipnir apply runs/a/failed.jsonl --resume 'runs/b c'"
    );
    // A plan recorded before commands were: the sheet it names.
    source.command = None;
    source.source = "users.xlsx".into();
    source.worksheet = Some("Wave 1".into());
    assert_eq!(
        source.resume_command(std::path::Path::new("runs/b")),
        "sleipnir apply users.xlsx --sheet 'Wave 1' --resume runs/b"
    );
}
