use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::state::StateDir;
use crate::state::budget::WINDOW;

const TARGET: &str = "https://odin.example.net/api/v2";

/// A fixed instant: 2026-12-07T08:00:00Z.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_630_400)
}

fn state() -> (tempfile::TempDir, StateDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(&dir.path().join("state")).unwrap();
    (dir, state)
}

fn allowance(state: &StateDir, per_day: u64, run: &str, block: u64) -> Allowance {
    Allowance::new(Budget::open(state, TARGET, per_day, run).unwrap(), block)
}

#[test]
fn two_runs_take_one_by_one_up_to_exactly_the_budget() {
    let (_dir, state) = state();
    let a = allowance(&state, 50, "runs/a", 7);
    let b = allowance(&state, 50, "runs/b", 7);
    let sent: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let run = if i % 2 == 0 { &a } else { &b };
                scope.spawn(move || (0..30).filter(|_| run.take_one_at(t0())).count() as u64)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(sent, 50);
    assert_eq!(a.spent() + b.spent(), 50);
    assert_eq!(a.unused() + b.unused(), 0);
    assert!(!a.take_one_at(t0()));
    assert_eq!(a.budget().used(t0()).unwrap(), 50);
    a.close();
    b.close();
    assert_eq!(a.budget().used(t0()).unwrap(), 50);
    assert_eq!(a.error(), None);
}

#[test]
fn the_ledger_is_touched_once_a_block() {
    let (_dir, state) = state();
    let a = allowance(&state, 100, "runs/a", 20);
    for _ in 0..45 {
        assert!(a.take_one_at(t0()));
    }
    let lines = std::fs::read_to_string(a.budget().path()).unwrap();
    assert_eq!(lines.lines().count(), 3);
    assert_eq!(a.budget().used(t0()).unwrap(), 60);
    assert_eq!(a.unused(), 15);
}

#[test]
fn close_gives_back_what_was_not_used_once() {
    let (_dir, state) = state();
    let a = allowance(&state, 100, "runs/a", 20);
    for _ in 0..3 {
        assert!(a.take_one_at(t0()));
    }
    assert_eq!(a.budget().used(t0()).unwrap(), 20);
    a.close();
    assert_eq!(a.budget().used(t0()).unwrap(), 3);
    a.close();
    assert_eq!(a.budget().used(t0()).unwrap(), 3);
    assert_eq!(a.spent(), 3);
    // Dropping an allowance closes it.
    let b = allowance(&state, 100, "runs/b", 20);
    assert!(b.take_one_at(t0()));
    drop(b);
    assert_eq!(a.budget().used(t0()).unwrap(), 4);
}

#[test]
fn a_block_older_than_its_life_is_given_back_and_a_new_one_taken() {
    let (_dir, state) = state();
    let a = allowance(&state, 100, "runs/a", 20);
    assert!(a.take_one_at(t0()));
    let later = t0() + BLOCK_LIFE;
    assert!(a.take_one_at(later - Duration::from_millis(1)));
    assert_eq!(a.budget().used(later).unwrap(), 20);
    assert!(a.take_one_at(later));
    // The first block counts what it sent (2), the new one its 20.
    assert_eq!(a.budget().used(later).unwrap(), 22);
    assert_eq!(a.unused(), 19);
    assert_eq!(
        a.budget().frees_at(80, later).unwrap(),
        t0() + WINDOW + Duration::from_millis(1)
    );
}

#[test]
fn a_reserve_holds_requests_another_run_cannot_take() {
    let (_dir, state) = state();
    let a = allowance(&state, 12, "runs/a", 4);
    let b = allowance(&state, 12, "runs/b", 4);
    assert!(a.take_one_at(t0()));
    // a holds 3 of its block of 4: a reserve of 3 needs nothing from the ledger.
    assert!(a.reserve_at(3, t0()));
    assert_eq!(a.budget().used(t0()).unwrap(), 4);
    // Of 6: the 3 held are traded, under one lock, for one take of 6 and a block more.
    assert!(a.reserve_at(6, t0()));
    assert_eq!(a.unused(), 10);
    assert_eq!(a.budget().used(t0()).unwrap(), 11);
    // b finds 1 left, holds it, and says it is not the 4 it asked for.
    assert!(!b.reserve_at(4, t0()));
    assert_eq!(b.unused(), 1);
    assert!(b.reserve_at(1, t0()));
    // a's 10 are there for it.
    for _ in 0..10 {
        assert!(a.take_one_at(t0()));
    }
    assert!(!a.take_one_at(t0()));
    a.close();
    b.close();
    // What each holds is its last take's: given back whole, the ledger holds what was sent.
    assert_eq!(a.budget().used(t0()).unwrap(), 11);
}

#[test]
fn an_error_of_the_ledger_answers_no_and_is_kept() {
    let (_dir, state) = state();
    let a = allowance(&state, 10, "runs/a", 4);
    assert!(a.take_one_at(t0()));
    let mut text = std::fs::read_to_string(a.budget().path()).unwrap();
    text.insert_str(0, "not json\n");
    std::fs::write(a.budget().path(), text).unwrap();
    // The block held still serves.
    for _ in 0..3 {
        assert!(a.take_one_at(t0()));
    }
    assert_eq!(a.error(), None);
    assert!(!a.take_one_at(t0()));
    assert!(!a.reserve_at(1, t0()));
    let error = a.error().unwrap();
    assert!(error.contains("line 1 is not a budget line"), "{error}");
    assert_eq!(a.spent(), 4);

    // A ledger that cannot be opened at all.
    let path = a.budget().path().to_path_buf();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let b = allowance(&state, 10, "runs/b", 4);
    assert!(!b.take_one_at(t0()));
    assert!(b.error().unwrap().contains("cannot write"));
}
