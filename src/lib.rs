//! sleipnir: bulk changes to BroadWorks users through the Odin API, driven by spreadsheets.
//!
//! The pipeline (see DESIGN.md and ARCHITECTURE.md): [`sheet`] reads a CSV or workbook into
//! rows of cells; [`plan`] turns them, through the [`notation`], a [`mapping`] and the
//! [`schema`], into one validated plan of ordered steps per user (services through
//! [`services`], resources named by [`resource`]); [`apply`] runs a plan through [`odin`], the
//! only code that speaks HTTP, diffing each user against its live state; [`rundir`] owns the
//! run files (results, rollback, journal, summary) as their one writer and reader. [`cli`] is
//! the command line and the only code that prints. [`sim`] is an Odin simulator for tests,
//! demos and benchmarks.

pub mod apply;
pub mod atomic;
pub mod check;
pub mod cli;
pub mod credentials;
pub mod error;
pub mod export;
pub mod live;
pub mod mapping;
pub mod notation;
pub mod odin;
pub mod operation;
pub mod plan;
pub mod problem;
pub mod report;
pub mod resource;
pub mod rundir;
pub mod schema;
pub mod services;
pub mod sheet;
pub mod sim;
pub mod state;
pub mod suggest;
pub mod targets;
pub mod templates;
pub mod text;
pub mod window;
