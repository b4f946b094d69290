//! The SCA columns of a sheet, planned.

use serde_json::json;

use super::tests::{messages, plan, plan_with};
use super::*;

#[test]
fn a_row_adds_endpoints_by_n_and_removes_line_ports_after_assigning_the_service() {
    let plan = plan(
        "userId,sca.add[0].linePort,sca.add[0].deviceName,sca.add[1].deviceName,sca.add[1].linePort,sca.add[1].isActive,sca.add[1].deviceLevel,sca.remove,services.assign\n\
         a@x,a_wbx@x,wbx-a,desk,a_desk@x,false,Service Provider,old1@x; old2@x,Shared Call Appearance\n\
         b@x,,,,,,,b_old@x,\n",
    )
    .unwrap();
    let a = &plan.users[0];
    let order: Vec<&str> = a.steps.iter().map(|s| s.resource().name()).collect();
    assert_eq!(order, ["services", "sca"]);
    assert_eq!(
        Value::Object(a.steps[1].patch().into_owned()),
        json!({
            "a_wbx@x": {"deviceName": "wbx-a", "deviceLevel": "Group"},
            "a_desk@x": {"deviceName": "desk", "deviceLevel": "Service Provider", "isActive": false},
            "old1@x": null,
            "old2@x": null,
        })
    );
    let b = &plan.users[1];
    assert_eq!(
        Value::Object(b.steps[0].patch().into_owned()),
        json!({"b_old@x": null})
    );
    // The plan file holds the step as it is, and reads back the same.
    let line = serde_json::to_string(&a.steps[1]).unwrap();
    assert_eq!(serde_json::from_str::<Step>(&line).unwrap(), a.steps[1]);
}

#[test]
fn endpoints_without_a_line_port_or_device_and_bad_cells_are_refused_at_their_cell() {
    let found = messages(plan(
        "userId,sca.add[0].linePort,sca.add[0].deviceName,sca.add[1].isActive,sca.add[2].linePort,sca.add[3].linePort,sca.add[3].deviceName,sca.add[3].allowTermination\n\
         a@x,a_wbx@x,,true,c@x,nodomain,d,perhaps\n",
    ));
    let expected = [
        "row 2, column B (`sca.add[0].linePort`): the SCA endpoint `a_wbx@x` has no device",
        "row 2, column D (`sca.add[1].isActive`): `sca.add[1].isActive` is set but `sca.add[1].linePort` is empty",
        "row 2, column E (`sca.add[2].linePort`): the SCA endpoint `c@x` has no device",
        "row 2, column F (`sca.add[3].linePort`): `nodomain` is not a line port",
        "row 2, column H (`sca.add[3].allowTermination`): `sca.add[N].allowTermination`:",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for want in expected {
        assert!(
            found.iter().any(|m| m.starts_with(want)),
            "{want}\n{found:#?}"
        );
    }
    let unknown = messages(plan("userId,sca.add[0].mac\na@x,1\n"));
    assert!(unknown[0].contains("is no SCA column"), "{unknown:?}");
}

#[test]
fn a_line_port_added_twice_added_and_removed_or_given_two_users_is_refused() {
    let found = messages(plan(
        "userId,sca.add[0].linePort,sca.add[0].deviceName,sca.remove\n\
         a@x,p@x,d,\n\
         a@x,p@x,d,\n\
         b@x,q@x,d,q@x\n\
         c@x,p@x,d,\n",
    ));
    let expected = [
        "row 3, column B (`sca.add[0].linePort`): line port `p@x` is added twice for user `a@x` (also in row 2, column B)",
        "row 4, column B (`sca.add[0].linePort`): line port `q@x` is both added and removed for user `b@x` (also in row 4, column D)",
        "row 5, column B (`sca.add[0].linePort`): line port `p@x` is also added for user `a@x` in row 2, column B",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for want in expected {
        assert!(
            found.iter().any(|m| m.starts_with(want)),
            "{want}\n{found:#?}"
        );
    }
    // Removing a line port twice asks for one thing.
    assert!(plan("userId,sca.remove\na@x,p@x;p@x\na@x,p@x\n").is_ok());
    // An empty cell means nothing.
    let blank = plan("userId,sca.add[0].linePort,sca.add[0].deviceName,user.extension\na@x,,,12\n")
        .unwrap();
    assert_eq!(blank.users[0].steps.len(), 1);
}

#[test]
fn a_mapping_maps_titles_to_sca_columns_and_refuses_them_as_constants() {
    let mapping = r#"
        [columns]
        "Webex port" = "sca.add[0].linePort"
        "Webex device" = "sca.add[0].deviceName"
        "Drop" = "sca.remove"
    "#;
    let plan = plan_with(
        "userId,Webex port,Webex device,Drop\na@x,a@x.com,wbx,z@x\n",
        mapping,
    )
    .unwrap();
    assert_eq!(
        Value::Object(plan.users[0].steps[0].patch().into_owned()),
        json!({"a@x.com": {"deviceName": "wbx", "deviceLevel": "Group"}, "z@x": null})
    );
    let constant = "[constants]\n\"sca.remove\" = \"z@x\"\n";
    let found = messages(plan_with("userId,user.extension\na@x,1\n", constant));
    assert!(found[0].contains("not by a constant"), "{found:?}");
    let unknown = "[columns]\n\"P\" = \"sca.add[0].port\"\n";
    let found = messages(plan_with("userId,P\na@x,1\n", unknown));
    assert!(
        found[0].contains("mapped to `sca.add[0].port`: `sca.add[0].port` is no SCA column"),
        "{found:?}"
    );
}
