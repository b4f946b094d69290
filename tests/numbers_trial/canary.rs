//! A canary user that takes the number of a user past the canary: the holder joins the
//! canary (a swap is tried whole), rather than the waiting user starting past it.

use sleipnir::sim::{FaultConfig, SPARE_POOL, Variant, user_id, user_number};

use super::{digits, sim};
use crate::support::{run_on as run, workdir};

#[test]
fn a_canary_user_waiting_for_one_past_the_canary_takes_it_into_the_canary() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let mut pool = SPARE_POOL.map(digits);
    // Row 2: user 1 takes user 3's number; user 3, on row 6, moves to a pool number.
    let text = format!(
        "userId,user.phoneNumber\n{},{}\n{},{}\n{},{}\n{},{}\n{},{}\n",
        user_id(1),
        digits(user_number(3)),
        user_id(2),
        pool.next().expect("pool"),
        user_id(4),
        pool.next().expect("pool"),
        user_id(5),
        pool.next().expect("pool"),
        user_id(3),
        pool.next().expect("pool"),
    );
    std::fs::write(dir.join("swap.csv"), text).expect("sheet");
    let applied = run(
        dir,
        &sim,
        &["apply", "swap.csv", "--out", "run", "--canary", "2", "-q"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let out = &applied.stdout;
    let canary = out
        .split("canary: ")
        .nth(1)
        .expect("the canary's results")
        .to_string();
    assert!(
        canary.starts_with("3 users done, 2 to go\n"),
        "the canary of 2 takes user 3: {out}"
    );
    // A line per canary user, up to the run's closing summary.
    let shown: String = canary
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(|line| format!("{line}\n"))
        .collect();
    for n in [1, 2, 3] {
        assert!(
            shown.contains(&format!("  {}: ", user_id(n))),
            "user {n} in the canary: {out}"
        );
    }
    for n in [4, 5] {
        assert!(
            !shown.contains(&format!("  {}: ", user_id(n))),
            "user {n} past the canary: {out}"
        );
    }
    assert_eq!(
        sim.state(&user_id(1)).expect("user")["user"]["phoneNumber"],
        digits(user_number(3)).as_str()
    );
}
