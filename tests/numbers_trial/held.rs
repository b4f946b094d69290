//! A rollback that would remove from a group a number the run added, which a later run gave
//! to another user: the number stays, the step says who holds it, the rest is restored.

use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, SPARE_POOL, Variant, group_id, user_id, user_number,
};

use super::{digits, sim};
use crate::support::{results, run_on as run, workdir};

#[test]
fn a_rollback_keeps_a_number_another_user_holds_now_and_names_the_holder() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let mut pool = SPARE_POOL.map(digits);
    let (p, q) = (pool.next().expect("pool"), pool.next().expect("pool"));
    // Run 1: user 1 takes P, a pool number the run adds to group 1; user 3 (group 1 too)
    // changes its CLID name only.
    let first = format!(
        "userId,user.phoneNumber,user.callingLineIdFirstName\n{},{p},\n{},,Third\n",
        user_id(1),
        user_id(3)
    );
    std::fs::write(dir.join("one.csv"), first).expect("sheet");
    let one = run(dir, &sim, &["apply", "one.csv", "--out", "one"]);
    assert_eq!(one.code, 0, "{}", one.transcript());
    // Run 2: user 1 moves on to Q, and user 3 takes P.
    let second = format!(
        "userId,user.phoneNumber\n{},{q}\n{},{p}\n",
        user_id(1),
        user_id(3)
    );
    std::fs::write(dir.join("two.csv"), second).expect("sheet");
    let two = run(dir, &sim, &["apply", "two.csv", "--out", "two"]);
    assert_eq!(two.code, 0, "{}", two.transcript());

    // Rolling run 1 back: P stays in the group, held by user 3; user 3's name is restored.
    for (n, out) in ["undo", "undo-again"].iter().enumerate() {
        let reads_before =
            sim.stats()
                .count_for_group("GET", "/api/v2/groups/dns/details", &group_id(1));
        let undone = run(dir, &sim, &["rollback", "one", "--out", out]);
        assert_eq!(undone.code, 1, "{}", undone.transcript());
        let lines = results(&dir.join(out));
        let failed: Vec<_> = lines.iter().filter(|l| &l[3] == "failed").collect();
        assert!(failed.is_empty(), "attempt {n}: {failed:?}");
        let kept = lines
            .iter()
            .find(|l| l[1] == *user_id(1) && &l[2] == "numbers")
            .expect("user 1's numbers step");
        assert_eq!(&kept[3], "drifted", "attempt {n}: {kept:?}");
        assert!(
            kept[10].contains(&format!("kept: number {p} is held by `{}` now", user_id(3))),
            "attempt {n}: {kept:?}"
        );
        let list = sim.numbers(SERVICE_PROVIDER, &group_id(1)).list;
        assert!(list.contains_key(&p), "P stays in the group");
        assert_eq!(
            sim.state(&user_id(3)).expect("user")["user"]["phoneNumber"],
            p.as_str()
        );
        assert_eq!(
            sim.state(&user_id(1)).expect("user")["user"]["phoneNumber"],
            q.as_str(),
            "user 1's number changed since run 1: kept"
        );
        let stats = sim.stats();
        assert_eq!(
            stats.count_for_group("DELETE", "/api/v2/groups/dns", &group_id(1)),
            0,
            "no removal sent"
        );
        let reads = stats.count_for_group("GET", "/api/v2/groups/dns/details", &group_id(1));
        assert!(
            reads - reads_before <= 1,
            "one read of the group's list: {}",
            reads - reads_before
        );
    }
    let three = sim.state(&user_id(3)).expect("user");
    assert_ne!(three["user"]["callingLineIdFirstName"], "Third", "restored");
    // The seeded number of user 3 is where run 2 left it: in the group, free.
    let list = sim.numbers(SERVICE_PROVIDER, &group_id(1)).list;
    assert!(list.contains_key(&digits(user_number(3))));
}
