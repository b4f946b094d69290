//! Membership as an admin meets it: another admin's edit of a list while a long run
//! creates its users, and one list named two ways in one row.

use sleipnir::sim::{FaultConfig, SimConfig, Simulator, hunt_group_id, user_id};

use crate::support::{run_on as run, workdir};

/// An onboarding of 8 users into `Sales` at `--rate 5`: the run reads the list before it
/// creates the users and writes it whole after. Another admin adds user 17 to `Sales` while
/// the users are being created; the run's write starts from the list read again (its first
/// read being older than `members::FRESH`), so the agent stays.
#[test]
fn an_edit_made_while_an_onboarding_creates_its_users_is_kept() {
    let sim = Simulator::start(
        SimConfig {
            users: 40,
            groups: 2,
            hunt_groups: 2,
            call_centers: 1,
            faults: FaultConfig {
                latency: std::time::Duration::from_millis(60),
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let sales = hunt_group_id(1, 1);
    let dir = workdir();
    let mut sheet = String::from(
        "userId,action,user.serviceProviderId,user.groupId,user.firstName,user.lastName,\
         user.callingLineIdFirstName,user.callingLineIdLastName,credentials.webPassword,\
         huntGroups.add\n",
    );
    for i in 1..=8 {
        sheet.push_str(&format!(
            "e{i}@sim.example.net,create,ent.sim,grp01,E,N{i},E,N{i},<generate>,Sales\n"
        ));
    }
    std::fs::write(dir.path().join("s.csv"), sheet).expect("sheet");
    let journal = dir.path().join("run/journal.jsonl");
    let (applied, edited) = std::thread::scope(|scope| {
        let apply = scope.spawn(|| {
            run(
                dir.path(),
                &sim,
                &["apply", "s.csv", "--out", "run", "--rate", "5"],
            )
        });
        // Once a user exists, the run has read `Sales` and not yet written it.
        let mut edited = false;
        for _ in 0..600 {
            let created = std::fs::read_to_string(&journal)
                .is_ok_and(|j| j.contains("\"account\",\"state\":\"applied\""));
            if created {
                let mut agents = sim.agents(&sales).expect("list");
                agents.push((user_id(17), None));
                edited = sim.edit_service(&sales, agents, None);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        (apply.join().map(|r| r.code), edited)
    });
    assert!(edited, "the run created no user to edit the list after");
    let after: Vec<String> = sim
        .agents(&sales)
        .expect("list")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(
        after.contains(&user_id(17)),
        "apply exited {applied:?}; another admin's agent {} added during the run is gone: {after:?}",
        user_id(17)
    );
}

/// One hunt group joined by its name and left by its id in one row: the same list both
/// ways, refused at its cell once the name resolves (`plan --target`), nothing sent.
#[test]
fn one_list_added_by_name_and_removed_by_id_is_refused() {
    let sim = Simulator::start(
        SimConfig {
            users: 40,
            groups: 2,
            hunt_groups: 2,
            call_centers: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let dir = workdir();
    std::fs::write(
        dir.path().join("s.csv"),
        format!(
            "userId,huntGroups.add,huntGroups.remove\n{},Sales,{}\n",
            user_id(19),
            hunt_group_id(1, 1)
        ),
    )
    .expect("sheet");
    let plan = crate::support::read_on(dir.path(), &sim, &["plan", "s.csv"]);
    assert_eq!(plan.code, 2, "{}", plan.transcript());
    assert!(
        plan.stderr.contains("name one hunt group") && plan.stderr.contains("keep one"),
        "{}",
        plan.stderr
    );
    let applied = run(dir.path(), &sim, &["apply", "s.csv", "--out", "run"]);
    assert_ne!(applied.code, 0, "{}", applied.transcript());
    assert_eq!(sim.stats().count("PUT", "/api/v2/groups/hunt-groups"), 0);
}
