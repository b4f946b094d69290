//! The numbers and SCA runs (apply, then rollback, state exact after each) under the
//! simulator's older switches: nested writes merged, an expired token answered 401 or 403
//! while the run goes on, error text in `details`, bulk writes that skip the users who
//! cannot take them.

use std::time::Duration;

use sleipnir::sim::{
    BulkWritePartial, ErrorBody, ExpiredTokenStatus, FaultConfig, NestedWrites, SimConfig,
    Simulator, Variant,
};

/// Each switch that differs from the defaults (which the other tests meet), and whether
/// tokens expire during the run (a short lifetime, the requests slowed to outlast it).
fn switches() -> Vec<(&'static str, Variant, bool)> {
    let with = |change: fn(&mut Variant)| {
        let mut variant = Variant::default();
        change(&mut variant);
        variant
    };
    vec![
        (
            "nested writes merge",
            with(|v| v.nested_writes = NestedWrites::Merge),
            false,
        ),
        (
            "error text in details",
            with(|v| v.error_body = ErrorBody::Details),
            false,
        ),
        (
            "bulk writes skip users",
            with(|v| v.bulk_write_partial = BulkWritePartial::Skip),
            false,
        ),
        (
            "expired tokens 401",
            with(|v| v.expired_token_status = ExpiredTokenStatus::Unauthorized),
            true,
        ),
        ("expired tokens 403", Variant::default(), true),
    ]
}

fn start(users: usize, groups: usize, variant: Variant, expiring: bool) -> Simulator {
    let (token_ttl, faults) = match expiring {
        true => (
            Duration::from_secs(1),
            FaultConfig {
                latency: Duration::from_millis(40),
                ..FaultConfig::default()
            },
        ),
        false => (Duration::from_secs(3600), FaultConfig::default()),
    };
    Simulator::start(
        SimConfig {
            users,
            groups,
            token_ttl,
            faults,
            variant,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

#[test]
fn numbers_apply_and_roll_back_exactly_under_every_older_switch() {
    use crate::numbers_cmd::{GROUPS, USERS, apply_and_roll_back_on};
    for (name, variant, expiring) in switches() {
        let sim = start(USERS, GROUPS, variant, expiring);
        // The group-level writes are counted where no request is answered twice.
        apply_and_roll_back_on(&sim, (!expiring).then_some(true), |n| format!("+1-{n}"));
        expired_on(&sim, expiring, name, 3);
    }
}

#[test]
fn sca_endpoints_apply_and_roll_back_exactly_under_every_older_switch() {
    use crate::sca_cmd::{USERS, apply_and_roll_back};
    for (name, variant, expiring) in switches() {
        let sim = start(USERS, 2, variant, expiring);
        apply_and_roll_back(&sim, !expiring);
        expired_on(&sim, expiring, name, 4);
    }
}

/// Where tokens expire during the run, that they did: tokens renewed (or requests answered
/// as expired and sent again after a new login) past the one login of each command.
fn expired_on(sim: &Simulator, expiring: bool, name: &str, commands: u64) {
    if !expiring {
        return;
    }
    let stats = sim.stats();
    let auth: u64 = stats
        .requests
        .iter()
        .filter(|r| r.path.contains("/auth/") && r.status < 300)
        .map(|r| r.count)
        .sum();
    assert!(
        auth > commands,
        "{name}: no token expired during the runs: {auth} logins"
    );
}
