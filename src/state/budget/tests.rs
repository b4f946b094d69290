use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

const TARGET: &str = "https://odin.example.net/api/v2";

/// A fixed instant: 2026-12-07T08:00:00Z.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_630_400)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

fn state() -> (tempfile::TempDir, StateDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(&dir.path().join("state")).unwrap();
    (dir, state)
}

fn lines(budget: &Budget) -> Vec<serde_json::Value> {
    std::fs::read_to_string(budget.path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn takes_add_up_and_stop_at_the_budget() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    assert_eq!(budget.per_day(), 10);
    assert_eq!(budget.take(4, t0()).unwrap().granted, 4);
    assert_eq!(budget.take(4, t0() + ms(1)).unwrap().granted, 4);
    let partial = budget.take(4, t0() + ms(2)).unwrap();
    assert_eq!(partial.granted, 2);
    assert_eq!(partial.at, t0() + ms(2));
    assert_eq!(budget.take(1, t0() + ms(3)).unwrap().granted, 0);
    assert_eq!(budget.used(t0() + ms(3)).unwrap(), 10);
    assert_eq!(budget.remaining(t0() + ms(3)).unwrap(), 0);
    // A take of nothing granted writes no line.
    assert_eq!(lines(&budget).len(), 3);
    assert_eq!(
        lines(&budget)[0],
        serde_json::json!({"at": 1_796_630_400_000_i64, "run": "runs/a", "requests": 4})
    );
}

#[test]
fn the_window_rolls_a_day_and_a_blocks_life_after_each_take() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    budget.take(6, t0()).unwrap();
    budget.take(4, t0() + hours(1)).unwrap();
    assert_eq!(budget.used(t0() + DAY + ms(1)).unwrap(), 10);
    assert_eq!(budget.used(t0() + WINDOW).unwrap(), 10);
    assert_eq!(budget.used(t0() + WINDOW + ms(1)).unwrap(), 4);
    assert_eq!(budget.take(8, t0() + WINDOW).unwrap().granted, 0);
    assert_eq!(budget.take(8, t0() + WINDOW + ms(1)).unwrap().granted, 6);
    assert_eq!(budget.used(t0() + hours(1) + WINDOW + ms(1)).unwrap(), 6);
    // Takes stamped in the future (a host whose clock is ahead) count already.
    assert_eq!(budget.used(t0() - hours(2)).unwrap(), 16);
}

#[test]
fn a_give_back_restores_what_was_not_used_and_never_more() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    let taken = budget.take(8, t0()).unwrap();
    budget.give_back(&taken, 5).unwrap();
    assert_eq!(budget.remaining(t0() + ms(5)).unwrap(), 7);
    // Asked again, or for more than was granted: only what the take still holds.
    budget.give_back(&taken, 5).unwrap();
    assert_eq!(budget.used(t0() + ms(5)).unwrap(), 0);
    budget.give_back(&taken, 50).unwrap();
    assert_eq!(budget.used(t0() + ms(5)).unwrap(), 0);
    assert_eq!(lines(&budget).len(), 3);
    let line = lines(&budget).into_iter().nth(1).unwrap();
    assert_eq!(
        line,
        serde_json::json!({"at": 1_796_630_400_000_i64, "run": "runs/a", "requests": -5})
    );
    // Another run cannot give back this run's take.
    let again = budget.take(4, t0() + ms(6)).unwrap();
    let other = Budget::open(&state, TARGET, 10, "runs/b").unwrap();
    other.give_back(&again, 4).unwrap();
    assert_eq!(budget.used(t0() + ms(7)).unwrap(), 4);
    // The give-back leaves the window with its take.
    assert_eq!(budget.used(t0() + WINDOW + ms(1)).unwrap(), 4);
}

#[test]
fn two_runs_on_one_target_share_its_ledger_and_other_targets_do_not() {
    let (_dir, state) = state();
    let a = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    let b = Budget::open(&state, "HTTPS://Odin.example.net:443/api/v2/", 10, "runs/b").unwrap();
    let elsewhere = Budget::open(&state, "https://odin.example.org/api/v2", 10, "runs/c").unwrap();
    assert_eq!(a.path(), b.path());
    assert_ne!(a.path(), elsewhere.path());
    assert_eq!(a.take(7, t0()).unwrap().granted, 7);
    assert_eq!(b.take(7, t0() + ms(1)).unwrap().granted, 3);
    assert_eq!(b.used(t0() + ms(2)).unwrap(), 10);
    assert_eq!(elsewhere.remaining(t0() + ms(2)).unwrap(), 10);
    let runs: Vec<_> = lines(&a).iter().map(|l| l["run"].clone()).collect();
    assert_eq!(runs, ["runs/a", "runs/b"]);
}

#[test]
fn the_key_is_a_file_name_with_the_host_to_read() {
    let key = key(TARGET);
    assert!(key.starts_with("odin.example.net-"), "{key}");
    assert_eq!(key.len(), "odin.example.net-".len() + 16);
    let odd = super::key("http://[::1]:8080/a b/../x?y=1");
    assert!(
        odd.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
        "{odd}"
    );
    assert_ne!(super::key("not a url/"), super::key("not a url either"));
}

#[test]
fn threads_taking_at_once_from_two_runs_never_exceed_the_budget() {
    let (_dir, state) = state();
    let a = Budget::open(&state, TARGET, 100, "runs/a").unwrap();
    let b = Budget::open(&state, TARGET, 100, "runs/b").unwrap();
    let granted: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let budget = if i % 2 == 0 { &a } else { &b };
                scope.spawn(move || {
                    (0..40)
                        .map(|n| budget.take(1, t0() + ms(n)).unwrap().granted)
                        .sum::<u64>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(granted, 100);
    assert_eq!(a.used(t0() + ms(40)).unwrap(), 100);
    assert_eq!(lines(&a).len(), 100);
}

#[test]
fn a_torn_last_line_is_ignored_and_cut_off_by_the_next_take() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    budget.take(3, t0()).unwrap();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(budget.path())
        .unwrap();
    file.write_all(br#"{"at": 1796630400001, "run": "runs/b", "requ"#)
        .unwrap();
    drop(file);
    assert_eq!(budget.used(t0() + ms(1)).unwrap(), 3);
    assert_eq!(budget.take(4, t0() + ms(2)).unwrap().granted, 4);
    assert_eq!(budget.used(t0() + ms(3)).unwrap(), 7);
    let text = std::fs::read_to_string(budget.path()).unwrap();
    assert!(text.ends_with('\n'));
    assert_eq!(lines(&budget).len(), 2);
}

#[test]
fn a_damaged_line_before_the_last_is_an_error_naming_it() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    budget.take(3, t0()).unwrap();
    let mut text = std::fs::read_to_string(budget.path()).unwrap();
    text.push_str("{\"at\": oops}\n");
    std::fs::write(budget.path(), &text).unwrap();
    let error = budget.take(1, t0() + ms(1)).unwrap_err().to_string();
    assert!(error.contains("line 2 is not a budget line"), "{error}");
    assert!(error.contains(".jsonl"), "{error}");
    // Nothing was written past it.
    assert_eq!(std::fs::read_to_string(budget.path()).unwrap(), text);
}

#[test]
fn compaction_keeps_the_last_day_and_every_sum() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 1000, "runs/a").unwrap();
    let now = t0() + hours(48);
    let old = |n: u64| t0() + ms(n);
    // Two days old: dropped. In the window: taken and partly given back, merged.
    let mut text = String::new();
    for n in 0..900 {
        text.push_str(&format!(
            "{}\n",
            serde_json::json!({"at": millis(old(n)), "run": "runs/old", "requests": 1})
        ));
    }
    let recent = now - hours(3);
    for n in 0..50 {
        let at = millis(recent + ms(n));
        for (run, requests) in [("runs/a", 4), ("runs/a", -1), ("runs/b", 2), ("runs/b", -2)] {
            text.push_str(&format!(
                "{}\n",
                serde_json::json!({"at": at, "run": run, "requests": requests})
            ));
        }
    }
    // Outside the window but within the margin kept for other hosts' clocks.
    let margin = millis(now - WINDOW - Duration::from_secs(600));
    text.push_str(&format!(
        "{}\n",
        serde_json::json!({"at": margin, "run": "runs/c", "requests": 5})
    ));
    std::fs::write(budget.path(), text).unwrap();
    assert_eq!(budget.used(now).unwrap(), 150);
    assert_eq!(budget.frees_at(850, now).unwrap(), now);
    assert_eq!(budget.frees_at(851, now).unwrap(), recent + WINDOW + ms(1));

    assert_eq!(budget.take(10, now).unwrap().granted, 10);
    let kept = lines(&budget);
    // 50 merged takes of runs/a (runs/b's gave all back), the margin's line and the new take.
    assert_eq!(kept.len(), 52);
    assert!(
        kept.iter()
            .all(|l| l["run"] != "runs/old" && l["run"] != "runs/b")
    );
    assert!(
        kept.iter()
            .any(|l| l["requests"] == 3 && l["run"] == "runs/a")
    );
    assert_eq!(budget.used(now).unwrap(), 160);
    assert_eq!(budget.used(now - hours(24)).unwrap(), 165);
    assert_eq!(
        budget.frees_at(851, now).unwrap(),
        recent + ms(3) + WINDOW + ms(1)
    );
    // A short ledger is not rewritten: the next take appends.
    budget.take(1, now).unwrap();
    assert_eq!(lines(&budget).len(), 53);
}

#[test]
fn frees_at_answers_the_instant_enough_takes_leave_the_window() {
    let (_dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    assert_eq!(budget.frees_at(10, t0()).unwrap(), t0());
    budget.take(3, t0()).unwrap();
    let second = budget.take(4, t0() + hours(1)).unwrap();
    budget.take(3, t0() + hours(2)).unwrap();
    let now = t0() + hours(3);
    assert_eq!(budget.frees_at(0, now).unwrap(), now);
    assert_eq!(budget.frees_at(1, now).unwrap(), t0() + WINDOW + ms(1));
    assert_eq!(budget.frees_at(3, now).unwrap(), t0() + WINDOW + ms(1));
    assert_eq!(
        budget.frees_at(4, now).unwrap(),
        t0() + hours(1) + WINDOW + ms(1)
    );
    let last = t0() + hours(2) + WINDOW + ms(1);
    assert_eq!(budget.frees_at(10, now).unwrap(), last);
    assert_eq!(budget.frees_at(11, now).unwrap(), last);
    // When it says, they are free.
    let at = budget.frees_at(4, now).unwrap();
    assert_eq!(budget.remaining(at).unwrap(), 7);
    assert_eq!(budget.remaining(at - ms(1)).unwrap(), 3);
    // A give-back frees at once what it returns.
    budget.give_back(&second, 2).unwrap();
    assert_eq!(budget.frees_at(2, now).unwrap(), now);
    assert_eq!(budget.frees_at(3, now).unwrap(), t0() + WINDOW + ms(1));
    assert_eq!(budget.frees_at(5, now).unwrap(), t0() + WINDOW + ms(1));
    assert_eq!(
        budget.frees_at(6, now).unwrap(),
        t0() + hours(1) + WINDOW + ms(1)
    );
    assert_eq!(budget.frees_at(8, now).unwrap(), last);
}

#[cfg(unix)]
#[test]
fn the_ledger_is_the_owners_or_the_groups_in_a_shared_directory() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    let (dir, state) = state();
    let budget = Budget::open(&state, TARGET, 10, "runs/a").unwrap();
    budget.take(1, t0()).unwrap();
    assert_eq!(mode(budget.path()), 0o600);
    assert_eq!(mode(&state.path().join(DIR)), 0o700);

    let team = dir.path().join("team");
    std::fs::create_dir(&team).unwrap();
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let shared = StateDir::open(&team).unwrap();
    let budget = Budget::open(&shared, TARGET, 10, "runs/a").unwrap();
    budget.take(1, t0()).unwrap();
    assert_eq!(mode(budget.path()), 0o660);
    assert_eq!(mode(&budget.path().with_extension("lock")), 0o660);
    assert_eq!(mode(&team.join(DIR)), 0o2770);
}
