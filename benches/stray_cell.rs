//! `cargo bench --bench stray_cell`: a workbook of 100,000 users × 3 columns with one more
//! cell in XFD1, the last column (issue 15: the dense reader built the 100,000 × 16,384
//! rectangle and aborted). Runs the real binary's `plan` on it twice — the stray cell blank
//! (the sheet plans) and holding text (one error at XFD1, exit 2) — and prints the wall time
//! and peak RSS of each (through `/usr/bin/time -v` where it exists). Target: ≤ 3 s and
//! ≤ 300 MB each.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rust_xlsxwriter::Workbook;

const ROWS: u32 = 100_000;
/// XFD, the last column a workbook has.
const LAST_COLUMN: u16 = 16_383;

fn write_workbook(path: &Path, stray: &str) {
    let mut book = Workbook::new();
    // Rows are written in order, so the worksheet can stream them to disk.
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    sheet.set_name("Users").unwrap();
    for (c, title) in ["userId", "user.extension", "user.callingLineIdLastName"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    sheet.write_string(0, LAST_COLUMN, stray).unwrap();
    for n in 1..=ROWS {
        sheet
            .write_string(n, 0, format!("user{n:06}@bench.example.net"))
            .unwrap();
        sheet.write_number(n, 1, f64::from(10_000 + n)).unwrap();
        sheet
            .write_string(
                n,
                2,
                ["Lovelace", "Turing", "Hopper", "Thompson"][n as usize % 4],
            )
            .unwrap();
    }
    book.save(path).unwrap();
}

/// Run `sleipnir plan PATH -q --format json` and return (exit code, seconds, peak RSS).
fn plan(path: &Path) -> (i32, f64, String) {
    let binary = env!("CARGO_BIN_EXE_sleipnir");
    let timed = Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command.args(["plan", "-q", "--format", "json"]).arg(path);
    let started = Instant::now();
    let output = command.output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .map_or("n/a".to_string(), |kb| {
            format!("{} MB", kb.trim().parse::<u64>().unwrap_or(0) / 1024)
        });
    // `/usr/bin/time` exits with the child's exit code.
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || (code == 2 && stderr.contains("row 1, column XFD (`notes`)")),
        "{stderr}"
    );
    (code, seconds, peak)
}

fn main() {
    let temp = tempfile::tempdir().unwrap();
    // SLEIPNIR_BENCH_KEEP=DIR keeps the workbooks there, to look into.
    let dir = std::env::var_os("SLEIPNIR_BENCH_KEEP").map_or(temp.path().to_path_buf(), |keep| {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        keep
    });
    println!("{ROWS} rows × 3 columns and one cell in XFD1, `sleipnir plan` (this build)");
    println!("| XFD1 | exit | wall time | peak RSS | file |");
    println!("|---|---:|---:|---:|---:|");
    for (label, stray) in [("blank", "   "), ("text", "notes")] {
        let path = dir.join(format!("stray-{label}.xlsx"));
        write_workbook(&path, stray);
        let size = std::fs::metadata(&path).unwrap().len();
        let (code, seconds, peak) = plan(&path);
        println!(
            "| {label} | {code} | {seconds:.2} s | {peak} | {:.1} MB |",
            size as f64 / 1e6
        );
    }
}
