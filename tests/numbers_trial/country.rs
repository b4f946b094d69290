//! A number written with a country code: checked against the country code of the group's
//! numbers, which national digits alone cannot tell apart.

use sleipnir::sim::{FaultConfig, SPARE_POOL, Variant, user_id};

use super::{digits, sim};
use crate::support::{read_on as read, run_on as run, workdir};

#[test]
fn a_number_of_another_country_is_refused_at_its_cell() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let mut pool = SPARE_POOL.map(digits);
    let (a, b, c) = (
        pool.next().expect("pool"),
        pool.next().expect("pool"),
        pool.next().expect("pool"),
    );
    // User 1: a pool number, but written as a UK number; users 3 and 5: +1, both spellings.
    let text = format!(
        "userId,user.phoneNumber\n{},+44-{a}\n{},+1-{b}\n{},+1{c}\n",
        user_id(1),
        user_id(3),
        user_id(5)
    );
    std::fs::write(dir.join("cc.csv"), text).expect("sheet");
    let planned = read(dir, &sim, &["plan", "cc.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = &planned.stderr;
    assert!(said.contains("row 2, column B"), "{said}");
    assert!(
        said.contains(&format!(
            "number {a} is written with country code +44, but the numbers of group `grp01` have +1"
        )),
        "{said}"
    );
    assert!(!said.contains("row 3") && !said.contains("row 4"), "{said}");

    // Apply sends nothing for user 1 and gives the others their numbers.
    let applied = run(dir, &sim, &["apply", "cc.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let one = sim.state(&user_id(1)).expect("user");
    assert_ne!(one["user"]["phoneNumber"], a.as_str());
    for (n, number) in [(3, &b), (5, &c)] {
        let state = sim.state(&user_id(n)).expect("user");
        assert_eq!(state["user"]["phoneNumber"], number.as_str(), "user {n}");
    }
    // The +1 spellings plan to nothing once applied.
    let text = format!(
        "userId,user.phoneNumber\n{},+1-{b}\n{},+1{c}\n",
        user_id(3),
        user_id(5)
    );
    std::fs::write(dir.join("again.csv"), text).expect("sheet");
    let again = read(dir, &sim, &["plan", "again.csv"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert!(
        again.stdout.contains("0 users to change"),
        "{}",
        again.transcript()
    );
}
