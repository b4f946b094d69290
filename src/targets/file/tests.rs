//! Reading targets.toml: every value with its line, and what is wrong with its line.

use super::*;

fn parsed(text: &str) -> Result<BTreeMap<String, Entry>, TargetsError> {
    parse(Path::new("targets.toml"), text)
}

#[test]
fn every_value_keeps_its_line() {
    let entries = parsed(
        "# mine\n[targets.prod]\nurl = \"https://odin.example.net/api/v2\"\n\
         username = \"ops@x\"\ntier = \"production\"\nrate = 2\nconcurrency = 3\n\
         password_command = \"pass show odin\"\nrequire_reason = true\n",
    )
    .unwrap();
    let prod = &entries["prod"];
    assert_eq!(prod.line, 2);
    assert_eq!(prod.url.line, 3);
    assert_eq!(prod.username.as_ref().unwrap().line, 4);
    assert_eq!(prod.tier.as_ref().unwrap().value, Tier::Production);
    assert_eq!(prod.rate.as_ref().unwrap().value, 2.0);
    assert_eq!(prod.concurrency.as_ref().unwrap().value, 3);
    assert_eq!(prod.password_command.as_ref().unwrap().line, 8);
    assert!(prod.require_reason.as_ref().unwrap().value);
}

#[test]
fn what_is_wrong_names_its_line() {
    for (text, line, says) in [
        (
            "[targets.a]\nurl = \"https://a\"\ntier = \"prod\"\n",
            3,
            "none of lab",
        ),
        ("[targets.a]\nurl = \"https://a\"\nrate = \"fast\"\n", 3, ""),
        (
            "[targets.a]\nurl = \"https://a\"\ncolour = 1\n",
            3,
            "colour",
        ),
        (
            "[targets.a]\nurl = \"https://a\"\n\n[targets.b]\nusername = \"x\"\n",
            4,
            "no `url`",
        ),
        (
            "[targets.a]\nurl = \"https://a\"\nrate = 0\n",
            3,
            "positive",
        ),
        ("[targets.a]\nurl = https://a\n", 2, ""),
        ("[targets.a]\nurl = \"odin\"\n", 2, "must be a URL"),
    ] {
        match parsed(text) {
            Err(TargetsError::Malformed {
                line: l, message, ..
            }) => {
                assert_eq!(l, line, "{text}: {message}");
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn a_missing_file_has_no_targets() {
    let dir = tempfile::tempdir().unwrap();
    let file = TargetsFile::load(&dir.path().join("targets.toml")).unwrap();
    assert!(!file.exists);
    assert!(file.entries.is_empty());
}

#[test]
fn window_keys_keep_their_lines() {
    let entries = parsed(
        "[targets.prod]\nurl = \"https://odin.example.net/api/v2\"\n\
         window = \"Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00\"\n\
         window_tz = \"Europe/Berlin\"\n\
         freeze = [\"2026-12-24/2026-12-27\", \"2027-01-01\"]\n\
         budget_per_day = 20000\n",
    )
    .unwrap();
    let prod = &entries["prod"];
    let window = prod.window.as_ref().unwrap();
    assert_eq!(
        (window.value.as_str(), window.line),
        ("Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00", 3)
    );
    let zone = prod.window_tz.as_ref().unwrap();
    assert_eq!((zone.value.as_str(), zone.line), ("Europe/Berlin", 4));
    let freeze = prod.freeze.as_ref().unwrap();
    assert_eq!(freeze.value, ["2026-12-24/2026-12-27", "2027-01-01"]);
    assert_eq!(freeze.line, 5);
    let budget = prod.budget_per_day.as_ref().unwrap();
    assert_eq!((budget.value, budget.line), (20000, 6));
}

#[test]
fn a_bad_window_key_names_its_line_and_what_is_allowed() {
    let head = "[targets.a]\nurl = \"https://a\"\n";
    for (rest, line, says) in [
        (
            "window = \"22:00-25:00\"\n",
            3,
            "target `a`: `window`: `25:00` is not a time of day",
        ),
        (
            "window = \"22:00-05:30\"\nwindow_tz = \"Europe/Berln\"\n",
            4,
            "target `a`: `window_tz`: unknown time zone `Europe/Berln`",
        ),
        (
            "freeze = [\n  \"2026-12-24\",\n  \"2026-12-32\",\n]\n",
            5,
            "target `a`: `freeze`: `2026-12-32` is not a freeze",
        ),
        ("freeze = \"2026-12-24\"\n", 3, ""),
        ("window = \"Mom 22:00-05:30\"\n", 3, "did you mean `Mon`?"),
        ("budget_per_day = 0\n", 3, "positive whole number"),
        ("budget_per_day = -5\n", 3, "positive whole number"),
        ("budget_per_day = 1.5\n", 3, ""),
    ] {
        let text = format!("{head}{rest}");
        match parsed(&text) {
            Err(TargetsError::Malformed {
                line: l, message, ..
            }) => {
                assert_eq!(l, line, "{text}: {message}");
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}
