//! Numbers as an admin's trial found them wanting: what a sheet may say of activation, a
//! rollback that meets a number someone else holds now, a new number left inactive, the
//! CLID number, numbers of other countries, the older simulator switches, and a canary
//! with users that wait for others.

mod activation;
mod canary;
mod clid;
mod country;
mod held;
mod inactive;
mod switches;
mod unwritten;

use sleipnir::sim::{FaultConfig, SimConfig, Simulator, Variant};

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
