//! A run whose files cannot be written (a full disk): it stops starting users, says what
//! was done and how to continue and undo, and `--resume` after space is freed finishes it
//! exactly.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use sleipnir::sim::user_id;

use crate::run_dir_cmd::{sheet, simulator, states};
use crate::support::{LOGIN, run_on, workdir};

/// A sheet of `users` users for the full-disk runs: an extension and Do Not Disturb each.
fn disk_sheet(dir: &Path, users: usize) -> String {
    sheet(dir, "disk.csv", 1..=users, 7400)
}

/// Apply a 40-user sheet into `run` where its files stop growing part way (`fill`: a
/// full disk made by the caller), then — room made again by `free` — resume it to the end
/// and roll it back exactly.
fn full_disk_run(dir: &Path, run: &str, env: &[(&str, &str)], free: impl FnOnce()) {
    const USERS: usize = 40;
    let sim = simulator(USERS, Duration::from_millis(5));
    let before = states(&sim, USERS);
    let sheet = disk_sheet(dir, USERS);
    let target = sim.base_url();
    let mut args = vec!["apply", &sheet, "--out", run, "--target", &target, "--yes"];
    args.extend(["--rate", "500", "--concurrency", "2", "--no-bulk-writes"]);
    let mut login = LOGIN.to_vec();
    login.extend_from_slice(env);
    let stopped = crate::support::sleipnir_env(dir, &args, &login);
    let text = stopped.transcript();
    assert_eq!(stopped.code, 1, "{text}");
    assert!(
        stopped
            .stdout
            .contains("stopped (a run file could not be written: cannot write run file")
            && stopped.stderr.contains("error: cannot write run file"),
        "{text}"
    );
    // What was done, from the collector's counts; how to continue; how to undo.
    assert!(stopped.stdout.contains("  users  "), "{text}");
    assert!(stopped.stdout.contains("  steps  "), "{text}");
    assert!(
        stopped.stdout.contains(&format!(
            "continue it once its files can be written again (free space on the disk, or fix \
             the directory's permissions) with: sleipnir apply {sheet} --resume {run} --target {target}"
        )),
        "{text}"
    );
    assert!(
        stopped.stdout.contains(&format!(
            "undo it with: sleipnir rollback {run} --target {target}"
        )),
        "{text}"
    );
    let changed = (1..=USERS)
        .filter(|n| sim.state(&user_id(*n)).expect("user") != before[n - 1])
        .count();
    assert!(
        changed > 0 && changed < USERS,
        "{changed} users changed before the disk filled: {text}"
    );

    free();
    let resumed = run_on(dir, &sim, &["apply", &sheet, "--resume", run, "-q"]);
    assert_eq!(resumed.code, 0, "{}", resumed.transcript());
    let plan = sleipnir::plan::build(
        &sleipnir::sheet::read(&dir.join(&sheet), &Default::default()).expect("sheet"),
        None,
        &sleipnir::schema::Schema::builtin().expect("schema"),
    )
    .expect("plan");
    for user in &plan.users {
        let state = sim.state(&user.user_id).expect("user");
        let wrong = sleipnir::apply::verify::mismatches(user, &state);
        assert!(wrong.is_empty(), "{}: {wrong:?}", user.user_id);
    }
    let lines = crate::support::results(&dir.join(run));
    assert_eq!(lines.len(), USERS * 2, "one line per user and step");
    let undo_dir = format!("{run}-undo");
    let undo = run_on(dir, &sim, &["rollback", run, "--out", &undo_dir, "-q"]);
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert_eq!(states(&sim, USERS), before, "the rollback is exact");
}

#[test]
fn a_run_whose_files_cannot_be_written_stops_with_its_counts_and_resumes_exactly() {
    let work = workdir();
    // The run files may grow by 7,000 bytes: about a third of the run.
    full_disk_run(
        work.path(),
        "run",
        &[(sleipnir::rundir::DISK_FULL_AFTER, "7000")],
        || {},
    );
}

/// A small tmpfs mounted at a directory, unmounted when dropped.
pub(crate) struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// `size` bytes at `at`, where this process may mount one (root on Linux); else `None`.
    pub(crate) fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).ok()?;
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| Tmpfs(at.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        self.remount(&format!("remount,size={size}"));
    }

    /// Make it read-only.
    pub(crate) fn read_only(&self) {
        self.remount("remount,ro");
    }

    fn remount(&self, options: &str) {
        let done = Command::new("mount")
            .args(["-o", options])
            .arg(&self.0)
            .status()
            .expect("mount runs");
        assert!(done.success(), "remount");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The same on a real full filesystem, where the test can mount one; elsewhere the
/// simulated full disk above stands for it.
#[test]
fn a_run_on_a_full_filesystem_stops_with_its_counts_and_resumes_exactly() {
    let work = workdir();
    let disk = work.path().join("disk");
    let Some(tmpfs) = Tmpfs::mount(&disk, "40k") else {
        eprintln!("no tmpfs can be mounted here: the simulated full disk covers this");
        return;
    };
    full_disk_run(work.path(), "disk/run", &[], || tmpfs.resize("4m"));
    drop(tmpfs);
}

#[test]
fn a_run_whose_first_file_cannot_be_written_says_nothing_changed_and_how_to_start_it() {
    const USERS: usize = 3;
    let work = workdir();
    let dir = work.path();
    let sim = simulator(USERS, Duration::ZERO);
    let before = states(&sim, USERS);
    let sheet = disk_sheet(dir, USERS);
    let target = sim.base_url();
    let args = [
        "apply", &sheet, "--out", "run", "--target", &target, "--yes",
    ];
    let mut env = LOGIN.to_vec();
    env.push((sleipnir::rundir::DISK_FULL_AFTER, "1"));
    let stopped = crate::support::sleipnir_env(dir, &args, &env);
    assert_eq!(stopped.code, 1, "{}", stopped.transcript());
    assert!(
        stopped.stderr.contains(&format!(
            "nothing was changed (no user was started); once the run's files can be written \
             (free space, or fix the directory's permissions), start it with: sleipnir apply \
             {sheet} --resume run --target {target}"
        )),
        "{}",
        stopped.transcript()
    );
    assert_eq!(states(&sim, USERS), before, "nothing changed");
    let started = run_on(dir, &sim, &["apply", &sheet, "--resume", "run", "-q"]);
    assert_eq!(started.code, 0, "{}", started.transcript());
    assert_ne!(states(&sim, USERS), before);
}
