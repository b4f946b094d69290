//! Creating and deleting users as a reviewed plan and repeated rollbacks meet them: a plan
//! file of neighbouring agents deleted whole, and a password reported applied only where
//! Odin holds it.

use sleipnir::sim::{FaultConfig, SimConfig, Simulator, hunt_group_id, user_id};

use crate::support::{read_on, results, run_on as run, workdir};

fn sim() -> Simulator {
    Simulator::start(
        SimConfig {
            users: 40,
            groups: 2,
            faults: FaultConfig::default(),
            hunt_groups: 2,
            call_centers: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// Offboarding two neighbouring agents of one hunt group (and one call center) from a
/// reviewed plan file: the first delete takes its neighbour out of the lists, which changes
/// the second user's recorded place ("before user 3"); that is no drift (nobody but the run
/// itself changed anything), and both are deleted.
#[test]
fn a_reviewed_offboarding_of_neighbouring_agents_deletes_every_user() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    // grp01's users are 1, 3, 5, …; its first hunt group holds 1, 3, 5 in that order.
    assert_eq!(
        sim.agents(&hunt_group_id(1, 1))
            .expect("hunt group")
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        vec![user_id(1), user_id(3), user_id(5)]
    );
    std::fs::write(
        dir.join("off.csv"),
        format!(
            "userId,action\n{},delete\n{},delete\n",
            user_id(3),
            user_id(1)
        ),
    )
    .expect("sheet");
    let planned = read_on(
        dir,
        &sim,
        &["plan", "off.csv", "--allow-delete", "--out", "off.jsonl"],
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());

    let applied = run(
        dir,
        &sim,
        &[
            "apply",
            "off.jsonl",
            "--allow-delete",
            "--concurrency",
            "1",
            "--out",
            "run",
        ],
    );
    let statuses: Vec<String> = results(&dir.join("run"))
        .iter()
        .map(|r| format!("{} {} {}", &r[1], &r[2], &r[3]))
        .collect();
    assert!(!sim.has_user(&user_id(3)), "{statuses:?}");
    assert!(!sim.has_user(&user_id(1)), "user 1 deleted: {statuses:?}");
    assert_eq!(applied.code, 0, "{statuses:?}\n{}", applied.transcript());
}

/// A rollback of an offboarding run a second time (as after a first rollback that was killed
/// and cannot be resumed, its credentials being generated): the user the first rollback
/// created again is `drifted` and not created, yet its credentials step says `applied` ("sent
/// with an earlier step of the user") and `credentials.csv` holds a new password for it that
/// Odin never received. README: hand out the values of users whose credentials step is
/// `applied` — that user would be handed a password that does not work.
#[test]
fn a_password_reported_applied_is_the_one_odin_holds() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("off.csv"),
        format!("userId,action\n{},delete\n", user_id(1)),
    )
    .expect("sheet");
    let applied = run(
        dir,
        &sim,
        &["apply", "off.csv", "--allow-delete", "--out", "run"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    assert!(sim.has_user(&user_id(1)));

    let again = run(dir, &sim, &["rollback", "run", "--out", "undo2"]);
    let rows = results(&dir.join("undo2"));
    let applied_credentials = rows
        .iter()
        .any(|r| &r[1] == user_id(1).as_str() && &r[2] == "credentials" && &r[3] == "applied");
    let generated = std::fs::read_to_string(dir.join("undo2/credentials.csv")).unwrap_or_default();
    let handed_out = generated
        .lines()
        .find(|line| line.starts_with(&format!("{},webPassword,", user_id(1))))
        .and_then(|line| line.rsplit(',').next())
        .map(str::to_owned);
    let held = sim
        .credentials(&user_id(1))
        .and_then(|c| c.web_password.clone());
    if applied_credentials {
        assert_eq!(
            handed_out,
            held,
            "results.csv says the credentials step applied, so credentials.csv must hold \
             Odin's password\n{}",
            again.transcript()
        );
    }
}

/// `plan --target` marks created users `+` and deleted ones `-`, and warns of a user to
/// delete that does not exist (a typo leaves the leaver's account in place).
#[test]
fn plan_marks_creates_and_deletes_and_warns_of_a_delete_of_nobody() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("leavers.csv"),
        format!(
            "userId,action\n{},delete\nuser0003@sim.example.net,delete\n",
            user_id(2)
        ),
    )
    .expect("sheet");
    let planned = read_on(dir, &sim, &["plan", "leavers.csv", "--allow-delete"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned
            .stdout
            .contains(&format!("\n- {} (row 2)", user_id(2))),
        "{}",
        planned.stdout
    );
    assert!(
        planned.stderr.contains(
            "row 3: user `user0003@sim.example.net` does not exist, so nothing is deleted"
        ),
        "{}",
        planned.stderr
    );
}

/// A deleted user whose number someone took since comes back without it, and the rollback
/// says so.
#[test]
fn a_deleted_user_whose_number_was_taken_comes_back_without_it() {
    let sim = sim();
    let work = workdir();
    let dir = work.path();
    let leaver = user_id(12);
    let number = sim.state(&leaver).expect("user")["user"]["phoneNumber"].clone();
    let group = sim.state(&leaver).expect("user")["user"]["groupId"].clone();
    std::fs::write(
        dir.join("leaver.csv"),
        format!("userId,action\n{leaver},delete\n"),
    )
    .expect("sheet");
    let deleted = run(
        dir,
        &sim,
        &["apply", "leaver.csv", "--allow-delete", "--out", "run"],
    );
    assert_eq!(deleted.code, 0, "{}", deleted.transcript());
    std::fs::write(
        dir.join("carol.csv"),
        format!(
            "userId,action,user.serviceProviderId,user.groupId,user.firstName,user.lastName,\
             user.callingLineIdFirstName,user.callingLineIdLastName,credentials.webPassword,\
             user.phoneNumber\ncarol@sim.example.net,create,ent.sim,{},Carol,New,Carol,New,\
             Carol-Pass-123,{}\n",
            group.as_str().expect("group"),
            number.as_str().expect("number")
        ),
    )
    .expect("sheet");
    let created = run(dir, &sim, &["apply", "carol.csv", "--out", "carol"]);
    assert_eq!(created.code, 0, "{}", created.transcript());
    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 1, "{}", undone.transcript());
    let back = sim.state(&leaver).expect("created again");
    assert_ne!(back["user"]["phoneNumber"], number, "carol keeps it");
    let lines = results(&dir.join("undo"));
    let account = lines.iter().find(|l| &l[2] == "account").expect("line");
    assert!(
        account[10].contains("was created again, but not restored: its number and extension"),
        "{:?}",
        account
    );
}
