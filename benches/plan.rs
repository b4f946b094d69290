//! `cargo bench --bench plan`: read and plan a generated 100,000-row, 10-column sheet, as CSV
//! and as XLSX. Targets on 2 cores: CSV under 1 s, XLSX under 3 s.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sleipnir::plan;
use sleipnir::schema::Schema;
use sleipnir::sheet;

const ROWS: u32 = 100_000;

const HEADER: [&str; 10] = [
    "userId",
    "services.assign",
    "user.extension",
    "user.firstName",
    "user.lastName",
    "policy.clidPolicy",
    "settings.Call Forwarding Always.isActive",
    "settings.Call Forwarding Always.forwardToPhoneNumber",
    "settings.Call Forwarding No Answer.numberOfRings",
    "settings.Do Not Disturb.isActive",
];

/// Row `n` as the cells a workbook would hold: text, or numbers where admins type digits.
fn row(n: u32) -> [Cell; 10] {
    [
        Cell::Text(format!("user{n:06}@bench.example.net")),
        Cell::Text(if n.is_multiple_of(10) {
            "Call Forwarding Always".into()
        } else {
            String::new()
        }),
        Cell::Number(f64::from(10_000 + n)),
        Cell::Text(["Ada", "Alan", "Grace", "Ken"][n as usize % 4].into()),
        Cell::Text(["Lovelace", "Turing", "Hopper", "Thompson"][n as usize % 4].into()),
        Cell::Text(
            if n.is_multiple_of(5) {
                "Use Configurable CLID"
            } else {
                "Use DN"
            }
            .into(),
        ),
        Cell::Text(if n.is_multiple_of(3) { "true" } else { "false" }.into()),
        Cell::Text(format!("+1555{n:07}")),
        Cell::Number(f64::from(2 + n % 4)),
        Cell::Text(if n.is_multiple_of(7) { "yes" } else { "no" }.into()),
    ]
}

enum Cell {
    Text(String),
    Number(f64),
}

fn write_csv(path: &Path) {
    let mut text = HEADER.join(",");
    text.push('\n');
    for n in 1..=ROWS {
        let cells: Vec<String> = row(n)
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(t) => t,
                Cell::Number(x) => x.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn write_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, title) in HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *title).unwrap();
    }
    for n in 1..=ROWS {
        for (col, cell) in row(n).into_iter().enumerate() {
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.write_string(n, col as u16, t).unwrap();
                }
                Cell::Number(x) => {
                    sheet.write_number(n, col as u16, x).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn read_and_plan(path: &Path, schema: &Schema) -> usize {
    let sheet = sheet::read(path, &Default::default()).unwrap();
    let plan = plan::build(&sheet, None, schema).unwrap();
    assert_eq!(plan.users.len(), ROWS as usize);
    plan.totals().fields
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bench.csv");
    let xlsx = dir.path().join("bench.xlsx");
    write_csv(&csv);
    write_xlsx(&xlsx);
    let schema = Schema::builtin().unwrap();
    let mut group = c.benchmark_group("plan 100k rows x 10 columns");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("csv", |b| b.iter(|| read_and_plan(&csv, &schema)));
    group.bench_function("xlsx", |b| b.iter(|| read_and_plan(&xlsx, &schema)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
