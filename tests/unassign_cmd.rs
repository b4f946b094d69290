//! Unassigning a service loses nothing: rollback and compensation assign it again and then
//! restore exactly the settings it had.

use std::path::Path;

use serde_json::Value;
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{run_on as run, workdir};

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).expect("written");
    name.to_string()
}

fn settings(sim: &Simulator, user: &str) -> Value {
    sim.state(user).expect("user")["settings"].clone()
}

/// User 1 with Call Forwarding Busy assigned and forwarding to a number of its own.
fn forwarding_busy(dir: &Path, sim: &Simulator) -> Value {
    let sheet = write(
        dir,
        "busy.csv",
        &format!(
            "userId,services.assign,settings.Call Forwarding Busy.isActive,settings.Call Forwarding Busy.forwardToPhoneNumber\n\
             {},Call Forwarding Busy,true,+15554440000\n",
            user_id(1)
        ),
    );
    let set = run(dir, sim, &["apply", &sheet, "--out", "busy"]);
    assert_eq!(set.code, 0, "{}", set.transcript());
    let before = settings(sim, &user_id(1));
    assert_eq!(
        before["Call Forwarding Busy"]["forwardToPhoneNumber"],
        "+15554440000"
    );
    before
}

#[test]
fn rollback_of_an_unassign_restores_the_settings_exactly() {
    let sim = Simulator::start(
        SimConfig {
            users: 2,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let before = forwarding_busy(dir, &sim);
    let sheet = write(
        dir,
        "unassign.csv",
        &format!(
            "userId,services.unassign\n{},Call Forwarding Busy\n",
            user_id(1)
        ),
    );
    let unassigned = run(dir, &sim, &["apply", &sheet, "--out", "unassign"]);
    assert_eq!(unassigned.code, 0, "{}", unassigned.transcript());
    assert!(
        settings(&sim, &user_id(1))
            .get("Call Forwarding Busy")
            .is_none()
    );
    let undone = run(dir, &sim, &["rollback", "unassign", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    assert_eq!(settings(&sim, &user_id(1)), before);
}

#[test]
fn compensation_of_an_unassign_restores_the_settings_exactly() {
    let sim = Simulator::start(
        SimConfig {
            users: 2,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let before = forwarding_busy(dir, &sim);
    // A hand-made plan whose second step fails for good: the settings of a service the first
    // step has just unassigned (Odin answers 400).
    let plan = write(
        dir,
        "unassign.jsonl",
        &format!(
            "{{\"sleipnir\":\"plan\",\"version\":1,\"source\":\"unassign.jsonl\",\"sha256\":\"00\"}}\n\
             {{\"userId\":\"{}\",\"rows\":[2],\"steps\":[\
             {{\"resource\":\"services\",\"patch\":{{\"userServices.Call Forwarding Busy\":false}}}},\
             {{\"resource\":\"settings\",\"patch\":{{\"Call Forwarding Busy.isActive\":false}}}}]}}\n",
            user_id(1)
        ),
    );
    let failed = run(dir, &sim, &["apply", &plan, "--out", "run"]);
    assert_eq!(failed.code, 1, "{}", failed.transcript());
    let results = std::fs::read_to_string(dir.join("run/results.csv")).expect("results");
    assert!(results.contains(",services,compensated,"), "{results}");
    assert!(results.contains(",settings,failed,400,"), "{results}");
    assert_eq!(settings(&sim, &user_id(1)), before);
}
