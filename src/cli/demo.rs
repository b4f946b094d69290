//! `sleipnir demo`: the whole job against a simulated Odin, no set-up needed. It starts the
//! simulator in-process, applies the embedded 200-user migration sheet with a progress bar,
//! checks every user ended as the sheet asks, rolls the run back, and checks every user is
//! back exactly as before (user record, services, settings, policy).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::interrupt::Interrupt;
use super::run::run_with_progress;
use super::run_config::default_run_dir;
use super::run_summary::summary_text;
use super::{Notes, print};
use crate::apply::ApplyOptions;
use crate::apply::verify::mismatches;
use crate::error::Error;
use crate::odin::{ClientConfig, Credentials, OdinClient};
use crate::plan::{self, Plan};
use crate::rundir::Ledger;
use crate::schema::Schema;
use crate::sheet;
use crate::sim::{self, FaultConfig, SimConfig, Simulator};

const SHEET_NAME: &str = "examples/migration-200.csv";
const SHEET: &[u8] = include_bytes!("../../examples/migration-200.csv");

/// Flags of `sleipnir demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to keep the two runs' files [default: runs/<UTC time>-demo]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let base = args.out.unwrap_or_else(|| {
        let mut dir = default_run_dir().into_os_string();
        dir.push("-demo");
        PathBuf::from(dir)
    });
    let sheet = sheet::from_bytes(Path::new(SHEET_NAME), SHEET.to_vec(), &Default::default())?;
    let plan = plan::build(&sheet, None, &Schema::builtin()?)?;
    let simulator = Simulator::start(
        SimConfig {
            users: 200,
            faults: FaultConfig {
                latency: Duration::from_millis(10),
                jitter: Duration::from_millis(20),
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )?;
    print(&format!(
        "demo: a simulated Odin with 200 users at {}\n\n1. apply `{SHEET_NAME}`: {}\n",
        simulator.base_url(),
        super::render::totals_line(&plan.totals())
    ))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::io("start the async runtime"))?;
    let before = states(&simulator, &plan);

    let applied = run_once(&runtime, &simulator, &plan, &base.join("apply"), notes)?;
    let after = states(&simulator, &plan);
    let wrong: usize = plan
        .users
        .iter()
        .zip(&after)
        .filter(|(user, state)| !mismatches(user, state).is_empty())
        .count();
    print(&format!(
        "   check: {} of {} users hold every value the sheet asks\n\n2. roll the run back\n",
        plan.users.len() - wrong,
        plan.users.len()
    ))?;
    let rollback = plan::file::read(&base.join("apply").join("rollback.jsonl"))?;
    let undone = run_once(
        &runtime,
        &simulator,
        &rollback,
        &base.join("rollback"),
        notes,
    )?;
    let restored = states(&simulator, &plan);
    let differ: Vec<&str> = plan
        .users
        .iter()
        .zip(before.iter().zip(&restored))
        .filter(|(_, (a, b))| a != b)
        .map(|(user, _)| user.user_id.as_str())
        .collect();
    if differ.is_empty() && wrong == 0 && applied == 0 && undone == 0 {
        print(&format!(
            "   check: all {} users are back exactly as they were (user record, services, settings, policy)\n\n\
             demo passed; run files in `{}`\n",
            plan.users.len(),
            base.display()
        ))?;
        Ok(0)
    } else {
        print(&format!(
            "   check: {} users differ from before: {}\n\ndemo FAILED; run files in `{}`\n",
            differ.len(),
            differ.join(", "),
            base.display()
        ))?;
        Ok(1)
    }
}

/// Apply `plan` to the simulator into `dir`; print its summary; its exit code.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    simulator: &Simulator,
    plan: &Plan,
    dir: &Path,
    notes: &Notes,
) -> Result<u8, Error> {
    let config = ClientConfig {
        rate: 250.0,
        ..ClientConfig::new(simulator.base_url())
    };
    let login = Credentials::new(sim::DEFAULT_USERNAME, sim::DEFAULT_PASSWORD);
    let _lock = super::run_lock::lock(dir, false)?;
    let client = Arc::new(runtime.block_on(OdinClient::connect(config, login))?);
    // The run records its target, as every run does.
    let mut plan = plan.clone();
    plan.source.target = Some(simulator.base_url());
    plan.source.odin_user = Some(client.username().to_string());
    let ledger = Ledger::create(dir, &plan.source).map_err(Error::Ledger)?;
    let interrupt = Interrupt::listen(
        runtime,
        format!("The demo's run files are in `{}`.", dir.display()),
    )?;
    let summary = run_with_progress(
        runtime,
        &plan,
        (ledger, Default::default()),
        client,
        ApplyOptions::new(16),
        (true, &interrupt),
        notes,
    )?;
    let text = summary_text(&summary, dir, &simulator.base_url());
    let indented: String = text
        .lines()
        .filter(|line| !line.starts_with("undo it with"))
        .map(|line| format!("   {line}\n"))
        .collect();
    print(&indented)?;
    match crate::report::write(dir, Some(&simulator.base_url())) {
        Ok(files) => print(&format!(
            "   report: `{}` and `{}`\n",
            files.html.display(),
            files.workbook.display()
        ))?,
        Err(why) => notes.warn(&format!("no report: {why}")),
    }
    Ok(summary.exit_code())
}

/// The four resources of every user of `plan`, read from the simulator in-process.
fn states(simulator: &Simulator, plan: &Plan) -> Vec<Value> {
    plan.users
        .iter()
        .map(|user| simulator.state(&user.user_id).unwrap_or(Value::Null))
        .collect()
}
