//! What the reads show Odin refuses of SCA endpoints, refused unsent; and an export of the
//! endpoints planned back to nothing.

use super::*;

#[test]
fn what_the_reads_show_odin_refuses_is_refused_unsent() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    // User 1 holds `Shared Call Appearance` alone (one endpoint) and has one; user 2 and
    // user 4 have no SCA service.
    let larger = SCA_SERVICES.split_once(';').expect("list").1;
    let setup = write(
        dir,
        "setup.csv",
        &format!(
            "userId,services.assign,services.unassign,sca.add[0].linePort,sca.add[0].deviceName\n\
             {},Shared Call Appearance,{larger},{},grp01-desk1\n{},,{SCA_SERVICES},,\n{},,{SCA_SERVICES},,\n",
            user_id(1),
            port(1, "desk"),
            user_id(2),
            user_id(4),
        ),
    );
    assert_eq!(run(dir, &sim, &["apply", &setup, "--out", "setup"]).code, 0);
    // User 1: over its limit; user 2: no service; user 4: a device its group lacks;
    // user 5: fine; user 7: a line port user 1 holds (told by plan --target; apply reports
    // Odin's refusal).
    let text = format!(
        "userId,services.assign,sca.add[0].linePort,sca.add[0].deviceName\n\
         {},,{},grp01-webex\n{},,{},grp02-webex\n{},Shared Call Appearance,{},grp02-nope\n\
         {},Shared Call Appearance,{},grp01-webex\n{},,{},grp01-desk2\n",
        user_id(1),
        port(1, "wbx"),
        user_id(2),
        port(2, "wbx"),
        user_id(4),
        port(4, "wbx"),
        user_id(5),
        port(5, "wbx"),
        user_id(7),
        port(1, "desk"),
    );
    let sheet = write(dir, "refused.csv", &text);
    let planned = read_on(dir, &sim, &["plan", &sheet, "--out", "plan.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let said = format!("{}{}", planned.stdout, planned.stderr);
    for why in [
        "its SCA service allows 1 (`maxAppearances`)",
        "`Shared Call Appearance` is not assigned to this user",
        "device `grp02-nope` (for line port",
        "line port `u1_desk@sim.example` is held by user `user00001@sim.example.net`",
    ] {
        assert!(said.contains(why), "{why}\n{said}");
    }
    let posts = sent(&sim, "POST", ENDPOINTS);
    let applied = run(dir, &sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    // Only user 5's endpoint was sent (and user 4's service assignment was not: nothing of
    // a refused user is sent).
    assert_eq!(sent(&sim, "POST", ENDPOINTS) - posts, 1);
    assert_eq!(endpoints(&sim, &user_id(5)).len(), 1);
    assert!(endpoints(&sim, &user_id(4)).is_empty());
    let lines = results(&dir.join("run"));
    let taken = lines
        .iter()
        .find(|r| r[1] == user_id(7) && &r[2] == "sca")
        .expect("user 7's line");
    assert_eq!((&taken[3], &taken[4]), ("failed", "400"), "{taken:?}");
    assert!(taken[10].contains("already in use by user"), "{taken:?}");
    for (n, row, why) in [
        (1, "2", "allows 1"),
        (2, "3", "is not assigned"),
        (4, "4", "device `grp02-nope`"),
    ] {
        let line = lines
            .iter()
            .find(|r| r[1] == user_id(n) && &r[2] == "sca")
            .unwrap_or_else(|| panic!("user {n}: {lines:?}"));
        assert_eq!(&line[3], "skipped", "{line:?}");
        assert!(line.iter().any(|f| f.contains(why)), "{line:?}");
        assert_eq!(&line[0], row, "{line:?}");
    }
}

#[test]
fn an_export_of_the_endpoints_plans_back_to_nothing() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    setup(dir, &sim);
    let sheet = sheet(dir);
    assert_eq!(run(dir, &sim, &["apply", &sheet, "--out", "run"]).code, 0);
    let exported = read_on(
        dir,
        &sim,
        &[
            "export",
            "--group",
            "ent.sim/grp01",
            "--group",
            "ent.sim/grp02",
            "--columns",
            "sca.*",
            "--out",
            "sca-export.csv",
        ],
    );
    assert_eq!(exported.code, 0, "{}", exported.transcript());
    let csv = std::fs::read_to_string(dir.join("sca-export.csv")).expect("export");
    assert!(
        csv.contains("sca.add[0].linePort,sca.add[0].deviceName"),
        "{csv}"
    );
    assert!(csv.contains(&port(2, "desk")), "{csv}");
    let planned = read_on(dir, &sim, &["plan", "sca-export.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned.stdout.contains(&format!(
            "0 users to change (0 fields), {USERS} already as planned"
        )),
        "{}",
        planned.stdout
    );
}
