//! `sleipnir` against the simulator's answers to what the real Odin leaves unknown (API.md
//! §1–4): short-lived tokens refused with 403, an admin password that has expired, error
//! texts in `error` or in `details`, and both spellings of `Integrated IM&P`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sleipnir::sim::{
    ErrorBody, ExpiredTokenStatus, ImpSpelling, Login, SimConfig, Simulator, Variant, user_id,
};

use crate::support::{results, root, run_on, sleipnir_env, workdir};

fn summary(dir: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("json")
}

/// PUTs of `/auth/token` the simulator answered with something else than 200.
fn refused_refreshes(sim: &Simulator) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/auth/token") && r.status != 200)
        .map(|r| r.count)
        .sum()
}

#[test]
fn a_200_user_apply_outlives_2_s_tokens_with_one_renewal_per_expiry() {
    outlives_2_s_tokens(
        200,
        root().join("examples/migration-200.csv"),
        "200",
        ExpiredTokenStatus::Forbidden,
    );
}

/// At 50 requests/s, 8 workers queue behind the limiter: a refresh that waited its turn past
/// its token's expiry would be refused and cost a login besides.
#[test]
fn a_renewal_queued_behind_the_limiter_still_costs_one_request() {
    let work = workdir();
    let mut text = String::from("userId,user.extension,settings.Do Not Disturb.isActive\n");
    for n in 1..=60 {
        text.push_str(&format!("{},{},true\n", user_id(n), 6000 + n));
    }
    let sheet = work.path().join("queued.csv");
    std::fs::write(&sheet, text).expect("sheet");
    // Under either answer to an expired token (API.md §2).
    for expired in [
        ExpiredTokenStatus::Forbidden,
        ExpiredTokenStatus::Unauthorized,
    ] {
        outlives_2_s_tokens(60, sheet.clone(), "50", expired);
    }
}

/// Apply `sheet` to `users` simulated users whose tokens live 2 s and are refused with
/// `expired` once expired, at `rate`: no step fails, and at most one login or refresh is spent per
/// expiry (plus the first login).
fn outlives_2_s_tokens(
    users: usize,
    sheet: std::path::PathBuf,
    rate: &str,
    expired: ExpiredTokenStatus,
) {
    let sim = Simulator::start(
        SimConfig {
            users,
            token_ttl: Duration::from_secs(2),
            variant: Variant {
                expired_token_status: expired,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let started = Instant::now();
    let run = run_on(
        work.path(),
        &sim,
        &[
            "apply",
            sheet.to_str().expect("path"),
            "--out",
            "run",
            "--rate",
            rate,
            "--concurrency",
            "8",
        ],
    );
    let wall = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.transcript());
    let dir = work.path().join("run");
    let not_done: Vec<String> = results(&dir)
        .iter()
        .filter(|l| &l[3] != "applied" && &l[3] != "unchanged")
        .map(|l| l.iter().collect::<Vec<_>>().join(" | "))
        .collect();
    assert!(not_done.is_empty(), "{not_done:?}");
    let requests = &summary(&dir)["requests"];
    let logins = requests["logins"].as_u64().expect("logins");
    // Tokens live 2 s: the process saw at most this many expiries, and needs one login for
    // the first token and at most one renewal for each expiry.
    let expiries = (wall.as_secs_f64() / 2.0).ceil() as u64;
    let stats = sim.stats();
    let answered = |status: u16| -> u64 {
        stats
            .requests
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.count)
            .sum()
    };
    eprintln!(
        "2 s tokens at {rate}/s: {wall:.1?} wall, {} requests, {logins} logins ({} refreshes), {expiries} expiries, \
         {} answered 403, {} refreshes refused",
        requests["requests"],
        requests["refreshes"],
        answered(403),
        refused_refreshes(&sim),
    );
    assert!(
        logins <= expiries + 1,
        "{logins} logins and renewals for {expiries} expiries in {wall:?}"
    );
    // Tighter: a token is renewed once it is within its margin (a twentieth of 2 s) of
    // expiry, so renewals come at least 1.9 s apart: a refused refresh followed by a login
    // is one renewal too many.
    let renewal_points = (wall.as_secs_f64() / 1.9).floor() as u64;
    assert!(
        logins <= renewal_points + 1,
        "{logins} logins and renewals where {renewal_points} renewals were due in {wall:?}"
    );
    assert!(
        wall < Duration::from_secs(4) || logins >= 2,
        "the token was renewed"
    );
}

#[test]
fn an_expired_admin_password_exits_3_with_the_fix_and_never_the_password() {
    const PASSWORD: &str = "Tr0ub4dor&3-secret";
    let sim = Simulator::start(
        SimConfig {
            users: 1,
            login: Login {
                username: "ops@example.net".into(),
                password: PASSWORD.into(),
            },
            variant: Variant {
                password_expired: true,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let sheet = work.path().join("s.csv");
    std::fs::write(
        &sheet,
        format!("userId,user.extension\n{},4001\n", user_id(1)),
    )
    .expect("sheet");
    let run = sleipnir_env(
        work.path(),
        &[
            "apply",
            sheet.to_str().expect("path"),
            "--target",
            &sim.base_url(),
            "--yes",
        ],
        &[
            ("ODIN_USERNAME", "ops@example.net"),
            ("ODIN_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: Odin answered 402 to the login of `ops@example.net`: that admin's Odin password \
         has expired; change it in Odin first (sleipnir never changes it). Odin said: Password \
         Expired: the password has expired and must be changed\n"
    );
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));
    // One login, not retried; nothing else was sent.
    let stats = sim.stats();
    assert_eq!(stats.total, 1, "{stats:?}");
}

#[test]
fn odins_text_reaches_results_whether_in_error_or_in_details() {
    for shape in [ErrorBody::Error, ErrorBody::Details] {
        let sim = Simulator::start(
            SimConfig {
                users: 2,
                variant: Variant {
                    error_body: shape,
                    ..Variant::default()
                },
                ..SimConfig::default()
            },
            0,
        )
        .expect("sim");
        let work = workdir();
        // Odin refuses the user's settings by a rule no read shows: a 400.
        sim.refuse_settings_of(&[user_id(1)]);
        let settings = work.path().join("c.csv");
        std::fs::write(
            &settings,
            format!(
                "userId,settings.Call Forwarding Always.forwardToPhoneNumber\n{},+15557770001\n",
                user_id(1)
            ),
        )
        .expect("sheet");
        let run = run_on(
            work.path(),
            &sim,
            &["apply", settings.to_str().expect("path"), "--out", "run"],
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        let lines = results(&work.path().join("run"));
        assert_eq!(&lines[0][3], "failed");
        assert_eq!(
            &lines[0][10],
            "HTTP 400: the settings of user `user00001@sim.example.net` break a rule of this server (--refuse-settings-of)",
            "{shape:?}"
        );
    }
}

#[test]
fn integrated_imp_is_written_as_the_servers_listing_spells_it() {
    for (listing, sheet_spelling) in [
        (ImpSpelling::Imp, "Integrated IM&P"),
        (ImpSpelling::ImAndP, "Integrated IMP"),
    ] {
        let sim = Simulator::start(
            SimConfig {
                users: 2,
                variant: Variant {
                    imp_spelling: listing,
                    ..Variant::default()
                },
                ..SimConfig::default()
            },
            0,
        )
        .expect("sim");
        let assigned = |sim: &Simulator| {
            let state = sim.state(&user_id(1)).expect("user");
            state["services"]["userServices"]
                .as_array()
                .expect("listing")
                .iter()
                .find(|s| s["serviceName"] == listing.name())
                .map(|s| s["assigned"] == json!(true))
                .expect("listed")
        };
        let work = workdir();
        let write = |name: &str, column: &str| {
            let path = work.path().join(format!("{name}.csv"));
            std::fs::write(
                &path,
                format!(
                    "userId,services.{column}\n{},{sheet_spelling}\n",
                    user_id(1)
                ),
            )
            .expect("sheet");
            path.to_string_lossy().into_owned()
        };
        // Unassigned, then assigned, each named in the sheet as the listing does not.
        let off = run_on(
            work.path(),
            &sim,
            &["apply", &write("off", "unassign"), "--out", "off"],
        );
        assert_eq!(off.code, 0, "{listing:?}: {}", off.transcript());
        assert!(!assigned(&sim), "{listing:?}");
        let on = run_on(
            work.path(),
            &sim,
            &["apply", &write("on", "assign"), "--out", "on"],
        );
        assert_eq!(on.code, 0, "{listing:?}: {}", on.transcript());
        assert!(assigned(&sim), "{listing:?}");
        assert_eq!(&results(&work.path().join("on"))[0][3], "applied");
        // Its rollback unassigns it again.
        let back = run_on(work.path(), &sim, &["rollback", "on", "--out", "back"]);
        assert_eq!(back.code, 0, "{listing:?}: {}", back.transcript());
        assert!(!assigned(&sim), "{listing:?}");
    }
}
