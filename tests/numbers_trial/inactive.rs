//! A user moved to a number that is not active, the sheet not setting its activation:
//! `plan --target` says so at the number's cell, and the run leaves the activation alone.

use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, SPARE_POOL, Variant, group_id, group_spares, user_id,
};

use super::{digits, sim};
use crate::support::{read_on as read, run_on as run, workdir};

#[test]
fn a_new_number_left_inactive_is_told_at_its_cell_and_not_activated() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    // User 1 takes an inactive spare of group 1; user 3 a pool number; user 2 an inactive
    // spare of group 2 with its activation set: told of the first two only.
    let spare = digits(group_spares(1).start);
    let pool = digits(SPARE_POOL.start);
    let active = digits(group_spares(2).start);
    let text = format!(
        "userId,user.phoneNumber\n{},{spare}\n{},{pool}\n",
        user_id(1),
        user_id(3)
    );
    std::fs::write(dir.join("new.csv"), text).expect("sheet");
    let planned = read(dir, &sim, &["plan", "new.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let said = format!("{}{}", planned.stdout, planned.stderr);
    assert!(
        said.contains(&format!(
            "row 2, column B: number {spare} of user `{}` (and 1 more) is not active",
            user_id(1)
        )),
        "{said}"
    );
    assert!(
        said.contains("add a `user.phoneNumberActivated` column with `true`"),
        "{said}"
    );

    let text = format!(
        "userId,user.phoneNumber,user.phoneNumberActivated\n{},{active},true\n",
        user_id(2)
    );
    std::fs::write(dir.join("on.csv"), text).expect("sheet");
    let planned = read(dir, &sim, &["plan", "on.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        !format!("{}{}", planned.stdout, planned.stderr).contains("is not active"),
        "{}",
        planned.transcript()
    );

    // The run leaves the activation as it was.
    let applied = run(dir, &sim, &["apply", "new.csv", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let list = sim.numbers(SERVICE_PROVIDER, &group_id(1)).list;
    assert_eq!(list.get(&spare), Some(&false));
    assert_eq!(list.get(&pool), Some(&false));
}
