//! The CLID number: spelled as a number, one of the user's group's numbers.

use sleipnir::sim::{FaultConfig, SPARE_POOL, Variant, group_id, group_spares, user_id};

use super::{digits, sim};
use crate::support::{read_on as read, run_on as run, workdir};

#[test]
fn a_clid_number_is_read_as_a_number_of_the_users_group() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let spare = group_spares(1).start + 1;
    let pool = digits(SPARE_POOL.start);
    let details = |sim: &sleipnir::sim::Simulator| {
        sim.stats()
            .count_for_group("GET", "/api/v2/groups/dns/details", &group_id(1))
    };
    // User 5 alone takes a pool number: the group's list reads this costs.
    let alone = format!("userId,user.phoneNumber\n{},{pool}\n", user_id(5));
    std::fs::write(dir.join("alone.csv"), alone).expect("sheet");
    let at = details(&sim);
    let planned = read(dir, &sim, &["plan", "alone.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let alone_reads = details(&sim) - at;

    // User 1 names a spare of its group as people write it; user 5 takes a pool number and
    // names it as its CLID number (added to the group by the same run).
    let good = format!(
        "userId,user.phoneNumber,user.callingLineIdPhoneNumber\n{},,+1 (555) 201-0001\n{},{pool},{pool}\n",
        user_id(1),
        user_id(5)
    );
    assert_eq!(digits(spare), "5552010001");
    std::fs::write(dir.join("good.csv"), good).expect("sheet");
    let at = details(&sim);
    let planned = read(dir, &sim, &["plan", "good.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert_eq!(
        details(&sim) - at,
        alone_reads,
        "no read more for the CLID numbers"
    );
    assert!(
        planned.stdout.contains("→ \"5552010001\""),
        "national digits in the plan: {}",
        planned.stdout
    );
    let applied = run(dir, &sim, &["apply", "good.csv", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let one = sim.state(&user_id(1)).expect("user");
    assert_eq!(one["user"]["callingLineIdPhoneNumber"], "5552010001");
    let again = read(dir, &sim, &["plan", "good.csv"]);
    assert!(
        again.stdout.contains("0 users to change"),
        "{}",
        again.transcript()
    );

    // User 3 (group 1) names a number of group 2: refused at its cell, by plan and apply.
    let bad = format!(
        "userId,user.callingLineIdPhoneNumber\n{},{}\n",
        user_id(3),
        digits(group_spares(2).start)
    );
    std::fs::write(dir.join("bad.csv"), bad).expect("sheet");
    let planned = read(dir, &sim, &["plan", "bad.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    assert!(
        planned.stderr.contains("row 2, column B")
            && planned
                .stderr
                .contains("is not a number of the user's group `grp01`"),
        "{}",
        planned.stderr
    );
    let before = sim.state(&user_id(3)).expect("user")["user"]["callingLineIdPhoneNumber"].clone();
    let applied = run(dir, &sim, &["apply", "bad.csv", "--out", "bad"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    assert_eq!(
        sim.state(&user_id(3)).expect("user")["user"]["callingLineIdPhoneNumber"],
        before
    );
    // A cell that is not a number is refused as phoneNumber's are.
    let rubbish = format!(
        "userId,user.callingLineIdPhoneNumber\n{},CALL-ME\n",
        user_id(3)
    );
    std::fs::write(dir.join("rubbish.csv"), rubbish).expect("sheet");
    let planned = crate::support::sleipnir_in(dir, &["plan", "rubbish.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    assert!(
        planned.stderr.contains("is not a phone number"),
        "{}",
        planned.stderr
    );
}
