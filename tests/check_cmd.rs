//! `sleipnir check` against the simulator in each of its modes: what it reports (snapshots,
//! ports filtered out), its exit codes, its JSON, and that it never writes.

use serde_json::Value;
use sleipnir::sim::{
    DEFAULT_USERNAME, ErrorBody, ExpiredTokenStatus, FaultConfig, ImpSpelling, Login, NestedWrites,
    ScaBulkShape, SimConfig, Simulator, Variant, user_id,
};

use crate::support::{Run, sleipnir_env, workdir};

/// The admin's password in these tests: a value no output may hold.
const PASSWORD: &str = "pw-check-7f3a";

/// A small simulator: 8 users in 2 groups, in the given mode.
fn simulator(variant: Variant, faults: FaultConfig) -> Simulator {
    Simulator::start(
        SimConfig {
            users: 8,
            groups: 2,
            variant,
            faults,
            login: Login {
                username: DEFAULT_USERNAME.to_string(),
                password: PASSWORD.to_string(),
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator")
}

/// `sleipnir check --target SIM ARGS` with the simulator's login.
fn check(sim: &Simulator, args: &[&str]) -> Run {
    let work = workdir();
    let target = sim.base_url();
    let mut all = vec!["check", "--target", &target, "--rate", "500"];
    all.extend(args);
    let run = sleipnir_env(
        work.path(),
        &all,
        &[
            ("ODIN_USERNAME", DEFAULT_USERNAME),
            ("ODIN_PASSWORD", PASSWORD),
        ],
    );
    assert!(!run.transcript().contains(PASSWORD), "{}", run.transcript());
    run
}

/// The output with every run of whitespace made one space: sentences wrapped over lines read
/// as one.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const GROUP: [&str; 2] = ["--group", "ent.sim/grp01"];

/// Snapshot `run` as `name`, headed by what the mode should show (`expect`), so that a
/// reviewer reads each snapshot against its claim.
fn snapshot(name: &str, expect: &str, run: &Run) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.set_description(expect);
    settings.bind(|| insta::assert_snapshot!(name, run.transcript()));
}

/// Whatever it reports, check sent nothing but GETs and the login's POST.
fn assert_read_only(sim: &Simulator) {
    let stats = sim.stats();
    assert!(stats.total > 0);
    for route in &stats.requests {
        let login = route.method == "POST" && route.path == "/api/v2/auth/token";
        assert!(
            route.method == "GET" || login,
            "check sent {} {}",
            route.method,
            route.path
        );
    }
}

/// Check a group of a simulator in `variant`, snapshot it, and return what it printed.
fn check_mode(name: &str, expect: &str, variant: Variant, faults: FaultConfig, code: i32) -> Run {
    let sim = simulator(variant, faults);
    let run = check(&sim, &GROUP);
    assert_eq!(run.code, code, "{}", run.transcript());
    snapshot(name, expect, &run);
    assert_read_only(&sim);
    run
}

#[test]
fn default_mode() {
    check_mode(
        "default",
        "the default simulator: a refused token answers 403, error text in `error`, listings spell `Integrated IMP`, the /bulk reads are served; exit 0",
        Variant::default(),
        FaultConfig::default(),
        0,
    );
}

#[test]
fn nested_writes_merge_reads_the_same_as_default() {
    // Whether a partial nested object merges or replaces shows only when writing, which
    // check never does: the report must be the same as against the default (replacing)
    // server, and say that it cannot tell.
    let merge = Variant {
        nested_writes: NestedWrites::Merge,
        ..Variant::default()
    };
    let merged = check_mode(
        "nested_writes_merge",
        "--nested-writes merge: reads exactly as the default, since whether a nested write merges shows only when writing, which check never does; it says it cannot be seen",
        merge,
        FaultConfig::default(),
        0,
    );
    let default = check(
        &simulator(Variant::default(), FaultConfig::default()),
        &GROUP,
    );
    assert_eq!(without_port(&merged.stdout), without_port(&default.stdout));
    assert!(flat(&merged.stdout).contains("cannot be seen without writing"));
}

/// The output with the target's port blanked, to compare runs of two simulators.
fn without_port(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("127.0.0.1:") {
            Some(at) => {
                let rest = &line[at + 10..];
                let digits = rest.chars().take_while(char::is_ascii_digit).count();
                format!("{}127.0.0.1:PORT{}", &line[..at], &rest[digits..])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn expired_token_status_401() {
    let variant = Variant {
        expired_token_status: ExpiredTokenStatus::Unauthorized,
        ..Variant::default()
    };
    let run = check_mode(
        "expired_token_401",
        "--expired-token-status 401: the refused token answers 401, and sleipnir logs in again on a 401",
        variant,
        FaultConfig::default(),
        0,
    );
    assert!(
        flat(&run.stdout).contains("a refused token answers 401"),
        "{}",
        run.stdout
    );
}

#[test]
fn error_body_details() {
    let variant = Variant {
        error_body: ErrorBody::Details,
        ..Variant::default()
    };
    let run = check_mode(
        "error_body_details",
        "--error-body details: the error text is in `details` (beside the reason phrase in `error`)",
        variant,
        FaultConfig::default(),
        0,
    );
    assert!(
        flat(&run.stdout).contains("error text is in `details`"),
        "{}",
        run.stdout
    );
}

#[test]
fn password_expired_stops_at_the_login() {
    let variant = Variant {
        password_expired: true,
        ..Variant::default()
    };
    let run = check_mode(
        "password_expired",
        "--password-expired: the login answers 402; exit 3 with the message to change the password in Odin, nothing on stdout",
        variant,
        FaultConfig::default(),
        3,
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn imp_spelled_with_an_ampersand() {
    let variant = Variant {
        imp_spelling: ImpSpelling::ImAndP,
        ..Variant::default()
    };
    let run = check_mode(
        "imp_spelling_im_and_p",
        "--imp-spelling IM&P: the services listing spells `Integrated IM&P`, and sleipnir sends that spelling",
        variant,
        FaultConfig::default(),
        0,
    );
    assert!(
        flat(&run.stdout).contains("`Integrated IM&P`"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_bulk_reads_is_an_answer_and_exits_0() {
    let faults = FaultConfig {
        no_bulk_reads: true,
        ..FaultConfig::default()
    };
    let run = check_mode(
        "no_bulk_reads",
        "--no-bulk-reads: the four /bulk reads answer 404 (not served), Call Forwarding settings are read per user; still exit 0",
        Variant::default(),
        faults,
        0,
    );
    assert!(
        flat(&run.stdout)
            .contains("Call Forwarding settings: per user (the /bulk reads answered 404)"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_group_or_user_only_the_server_is_checked() {
    let sim = simulator(Variant::default(), FaultConfig::default());
    let run = check(&sim, &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    snapshot(
        "neither_group_nor_user",
        "no --group or --user: the login, the session and the refused token only; the user and group reads are not checked",
        &run,
    );
    assert_read_only(&sim);
}

#[test]
fn an_unknown_user_exits_1_and_blames_no_endpoint() {
    let sim = simulator(Variant::default(), FaultConfig::default());
    let run = check(&sim, &["--user", "nobody@sim.example.net"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let text = flat(&run.stdout);
    assert!(
        text.contains(
            "not known: every read of `nobody@sim.example.net` answered 404 (no such user?)"
        ),
        "{text}"
    );
    assert!(!text.contains("policy.* (GET"), "{text}");
}

#[test]
fn an_unknown_group_stops_the_check_at_its_first_404() {
    let sim = simulator(Variant::default(), FaultConfig::default());
    for args in [
        vec!["--group", "ent.sim/nope"],
        vec![
            "--group",
            "ent.sim/nope",
            "--user",
            "user00001@sim.example.net",
        ],
    ] {
        let before = sim.stats();
        let run = check(&sim, &args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(
            run.stderr,
            "error: group `ent.sim/nope` not found in Odin (group `nope` of service provider \
             `ent.sim` not found); check the spelling (`sleipnir export --service-provider SP` \
             lists every group of SP)\n",
            "{args:?}"
        );
        // One 404, no /bulk read after it.
        let after = sim.stats();
        let not_found = |stats: &sleipnir::sim::StatsReport| {
            stats
                .requests
                .iter()
                .filter(|r| r.status == 404)
                .map(|r| r.count)
                .sum::<u64>()
        };
        assert_eq!(not_found(&after) - not_found(&before), 1, "{args:?}");
        assert!(
            !after.requests.iter().any(|r| r.path.contains("/bulk")),
            "{args:?}"
        );
    }
    assert_read_only(&sim);
}

#[test]
fn json_holds_the_same_facts() {
    let sim = simulator(Variant::default(), FaultConfig::default());
    let user = user_id(3);
    let run = check(&sim, &["--user", &user, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["exitCode"], 0);
    assert_eq!(report["login"]["status"], 200);
    assert_eq!(report["session"]["answer"]["status"], 200);
    assert_eq!(report["session"]["loginType"], "System");
    assert_eq!(report["user"]["userId"], user.as_str());
    assert_eq!(report["user"]["chosen"], "given");
    assert_eq!(report["user"]["record"]["outcome"], "answered");
    // The user's own group, from its record.
    assert_eq!(report["group"]["serviceProviderId"], "ent.sim");
    assert_eq!(report["group"]["chosen"], "derived");
    assert_eq!(
        report["group"]["bulk"].as_array().expect("bulk").len(),
        sleipnir::odin::group::BulkService::ALL.len()
    );
    let lacked = &report["group"]["listing"]["fields"]["lacked"];
    assert!(
        lacked
            .as_array()
            .expect("lacked")
            .iter()
            .any(|f| f == "address")
    );
    assert_eq!(report["cannotChange"], serde_json::json!([]));
    let topics: Vec<&str> = report["conclusions"]
        .as_array()
        .expect("conclusions")
        .iter()
        .filter_map(|c| c["topic"].as_str())
        .collect();
    assert!(topics.contains(&"group reads") && topics.contains(&"call forwarding"));
    // No secret in the document (`check` itself asserts the password is in no output).
    assert!(!run.stdout.contains("eyJ"), "a token in the output");
    assert_read_only(&sim);
}

#[test]
fn usage_errors_exit_2_before_any_request() {
    let sim = simulator(Variant::default(), FaultConfig::default());
    let run = check(&sim, &["--group", "ent.sim"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("SERVICE_PROVIDER/GROUP"),
        "{}",
        run.stderr
    );
    let insecure = sleipnir_env(
        workdir().path(),
        &["check", "--target", "http://odin.example.net/api/v2"],
        &[
            ("ODIN_USERNAME", DEFAULT_USERNAME),
            ("ODIN_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(insecure.code, 2, "{}", insecure.transcript());
    assert_eq!(sim.stats().total, 0);
}

#[test]
fn a_server_that_throttles_the_check_is_named() {
    let sim = simulator(
        Variant::default(),
        FaultConfig {
            rate_limit: Some(3),
            ..FaultConfig::default()
        },
    );
    let run = check(&sim, &["--group", "ent.sim/grp01"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        flat(&run.stdout).contains("answered 429: this server throttles"),
        "{}",
        run.stdout
    );
    assert_read_only(&sim);
}

#[test]
fn the_group_sca_read_is_answered_in_either_shape() {
    // The object `{users: [...]}` (the default) and the flat list of endpoints of newer
    // odins_spear pages are both answers, not faults (API.md §7a, §13).
    for (shape, summary) in [
        (ScaBulkShape::Object, "4 users, 4 with the service assigned"),
        (ScaBulkShape::Flat, "0 endpoints of 0 users"),
    ] {
        let variant = Variant {
            sca_bulk_shape: shape,
            ..Variant::default()
        };
        let run = check(&simulator(variant, FaultConfig::default()), &GROUP);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stdout.lines().any(|line| {
                line.contains("200  GET /users/shared-call-appearance/bulk")
                    && line.ends_with(summary)
            }),
            "{}",
            run.stdout
        );
    }
}
