//! Numbers as an admin's trial found them wanting: what a sheet may say of activation, a
//! rollback that meets a number someone else holds now, a new number left inactive, the
//! CLID number, numbers of other countries, the older simulator switches, and a canary
//! with users that wait for others.

mod activation;
mod clid;
mod country;
mod held;
mod inactive;

use std::collections::BTreeMap;

use serde_json::Value;
use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, SimConfig, Simulator, Variant, group_id, user_id,
};

/// Users of the trial's simulator, dealt round robin over [`GROUPS`].
pub const USERS: usize = 12;
pub const GROUPS: usize = 2;

pub fn sim(faults: FaultConfig, variant: Variant) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            faults,
            variant,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// Ten national digits.
pub fn digits(number: u64) -> String {
    format!("{number:010}")
}

/// Every user's number, activation and CLID number, and every group's list.
pub type Snapshot = (Vec<(String, Value, Value, Value)>, Vec<BTreeMap<String, bool>>);

pub fn snapshot(sim: &Simulator) -> Snapshot {
    let users = (1..=USERS)
        .map(|n| {
            let state = sim.state(&user_id(n)).expect("user");
            let record = &state["user"];
            (
                user_id(n),
                record["phoneNumber"].clone(),
                record["phoneNumberActivated"].clone(),
                record["callingLineIdPhoneNumber"].clone(),
            )
        })
        .collect();
    let lists = (1..=GROUPS)
        .map(|g| sim.numbers(SERVICE_PROVIDER, &group_id(g)).list)
        .collect();
    (users, lists)
}

/// The lines of a run's results.csv that are not `applied`, for messages.
pub fn not_applied(dir: &std::path::Path) -> Vec<String> {
    crate::support::results(dir)
        .iter()
        .filter(|l| &l[3] != "applied")
        .map(|l| format!("{} {} {}: {}", &l[1], &l[2], &l[3], &l[10]))
        .collect()
}
