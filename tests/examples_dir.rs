//! Every sheet in examples/ plans cleanly, so the samples cannot go stale.

use serde_json::Value;

use crate::support::{root, sleipnir};

#[test]
fn every_example_plans_cleanly_and_csv_matches_xlsx() {
    let mut plans = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 2, "{names:?}");
    for name in &names {
        let path = format!("examples/{name}");
        let run = sleipnir(&["plan", &path, "--format", "json"]);
        assert_eq!(run.code, 0, "{path}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{path}: {}", run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).expect("json");
        plans.push((name.clone(), doc));
    }
    let by_name = |wanted: &str| {
        plans
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, doc)| doc)
            .expect("example present")
    };
    let csv = by_name("migration-200.csv");
    let xlsx = by_name("migration-200.xlsx");
    assert_eq!(csv["totals"]["users"], 200);
    let (csv_users, xlsx_users) = (csv["users"].as_array(), xlsx["users"].as_array());
    let (csv_users, xlsx_users) = (csv_users.expect("users"), xlsx_users.expect("users"));
    assert_eq!(csv_users.len(), xlsx_users.len());
    for (a, b) in csv_users.iter().zip(xlsx_users) {
        assert_eq!(
            a, b,
            "the CSV and XLSX examples plan user {} alike",
            a["userId"]
        );
    }
}
