//! A line port handed from one user of the sheet to another (one removes it, the other adds
//! it): the removal goes first, in the apply and in its rollback, however the workers run.

use super::*;

#[test]
fn a_line_port_handed_over_in_one_sheet_lands_in_order_both_ways() {
    let sim = sim(
        FaultConfig {
            latency: Duration::from_millis(30),
            ..FaultConfig::default()
        },
        Variant::default(),
    );
    let work = workdir();
    let dir = work.path();
    setup(dir, &sim);
    // Users 1 and 7 (both of group 1) have the SCA service from the setup; user 1 holds
    // its desk port.
    let handed = port(1, "desk");
    assert!(endpoints(&sim, &user_id(1)).contains_key(&handed));
    let before = all_endpoints(&sim);
    let text = format!(
        "userId,sca.add[0].linePort,sca.add[0].deviceName,sca.remove\n{},{handed},{}-desk2,\n{},,,{handed}\n",
        user_id(7),
        group(7),
        user_id(1),
    );
    let sheet = write(dir, "hand.csv", &text);
    let applied = run(
        dir,
        &sim,
        &["apply", &sheet, "--out", "run", "--concurrency", "8"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(!endpoints(&sim, &user_id(1)).contains_key(&handed));
    assert!(endpoints(&sim, &user_id(7)).contains_key(&handed));
    let undone = run(dir, &sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    assert_eq!(all_endpoints(&sim), before);
}
