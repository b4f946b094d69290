//! sleipnir: bulk changes to BroadWorks users through the Odin API, driven by spreadsheets.
//!
//! The pipeline (see DESIGN.md): [`sheet`] reads a CSV or workbook into rows of cells;
//! [`plan`] turns them, through the [`notation`], a [`mapping`] and the [`schema`], into one
//! validated change set per user; [`cli`] prints plans and writes plan files. [`sim`] is an
//! Odin simulator for tests, demos and benchmarks.

pub mod apply;
pub mod atomic;
pub mod cli;
pub mod error;
pub mod mapping;
pub mod notation;
pub mod odin;
pub mod plan;
pub mod problem;
pub mod report;
pub mod resource;
pub mod rundir;
pub mod schema;
pub mod services;
pub mod sheet;
pub mod sim;
pub mod suggest;
pub mod templates;
