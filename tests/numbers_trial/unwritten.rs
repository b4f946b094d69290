//! A rollback restores only what its run wrote: a user whose record was refused had its
//! activation step skipped, and rolling that run back must not undo the activation another
//! run gave the same number since.

use sleipnir::sim::{FaultConfig, SERVICE_PROVIDER, Variant, group_id, group_spares, user_id};

use super::{digits, sim};
use crate::support::{results, run_on as run, workdir};

#[test]
fn a_rollback_leaves_alone_the_steps_its_run_never_wrote() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let group = group_id(1);
    let list = || sim.numbers(SERVICE_PROVIDER, &group).list;
    // An active spare of group 1.
    let spare = group_spares(1)
        .map(digits)
        .find(|n| list().get(n) == Some(&true))
        .expect("an active spare");
    // User 1 (group 1) takes it, deactivated, with user 7's extension: Odin refuses the
    // record, so the activation step never runs.
    let taken = sim.state(&user_id(7)).expect("user")["user"]["extension"].clone();
    let taken = taken.as_str().expect("an extension").to_string();
    let text = format!(
        "userId,user.phoneNumber,user.phoneNumberActivated,user.extension\n{},{spare},false,{taken}\n",
        user_id(1)
    );
    std::fs::write(dir.join("x.csv"), text).expect("sheet");
    let first = run(dir, &sim, &["apply", "x.csv", "--out", "run_x"]);
    assert_eq!(first.code, 1, "{}", first.transcript());
    let lines = results(&dir.join("run_x"));
    assert!(lines.iter().all(|l| &l[3] != "applied"), "{lines:?}");
    assert_eq!(list().get(&spare), Some(&true), "nothing changed");

    // Another run gives the spare to user 3 (group 1 too), deactivated.
    let text = format!(
        "userId,user.phoneNumber,user.phoneNumberActivated\n{},{spare},false\n",
        user_id(3)
    );
    std::fs::write(dir.join("y.csv"), text).expect("sheet");
    let second = run(dir, &sim, &["apply", "y.csv", "--out", "run_y"]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert_eq!(list().get(&spare), Some(&false));

    // Rolling back the first run changes nothing: it wrote nothing.
    let back = run(dir, &sim, &["rollback", "run_x", "--out", "back_x"]);
    assert_eq!(back.code, 0, "{}", back.transcript());
    assert_eq!(list().get(&spare), Some(&false), "{}", back.transcript());
    let record = sim.state(&user_id(3)).expect("user");
    assert_eq!(record["user"]["phoneNumber"], spare.as_str());
}
