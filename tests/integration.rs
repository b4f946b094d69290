//! Integration tests: run the real `sleipnir` binary on fixture files.
//! One test binary for all of them (see Cargo.toml), with a module per subject.

// Test code may panic on what it did not expect: that is how a test fails.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod sim_support;
mod support;

mod apply_cmd;
mod arrange_cmd;
mod auth_cmd;
mod bulk_cmd;
mod check_cmd;
mod credentials_cmd;
mod examples_dir;
mod export_cmd;
mod full_disk_cmd;
mod help_cmd;
mod http_cmd;
mod lifecycle_cmd;
mod lifecycle_review_cmd;
mod live_values;
mod members_cmd;
mod numbers_cmd;
mod numbers_trial;
mod pause_cmd;
mod plan_bad;
mod plan_good;
mod report_cmd;
mod resume_cmd;
mod resume_compensate;
mod review_cmd;
mod run_dir_cmd;
mod runs_cmd;
mod sca_cmd;
mod scale_cmd;
mod secrets_cmd;
mod sheet_hygiene;
mod sheet_looks;
mod sheet_ods;
mod sheet_workbooks;
mod sheet_xls;
mod sheet_xls_damaged;
mod sheet_xls_shown;
mod sheet_xlsb;
mod sim_api;
mod sim_auth;
mod sim_bulk;
mod sim_bulk_faults;
mod sim_cli;
mod sim_credentials;
mod sim_faults;
mod sim_group_reads;
mod sim_lifecycle;
mod sim_listings;
mod sim_members;
mod sim_numbers;
mod sim_sca;
mod sim_variant;
mod summary_rows_cmd;
mod surfaces_cmd;
mod target_cmd;
mod targets_cmd;
mod template_cmd;
mod terminal_cmd;
mod transcripts;
mod unassign_cmd;
