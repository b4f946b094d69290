//! Each command's `--help`: only the flags it uses, and its exit codes.

use crate::support::sleipnir;

/// The help of `command`, its lines joined with single spaces (the wrapping depends on the
/// terminal's width).
fn help(command: &str) -> String {
    let run = sleipnir(&[command, "--help"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The flags part of `command`'s help, before the text after it.
fn options(command: &str) -> String {
    let text = help(command);
    text.split(" Exit codes: ")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn check_lists_only_the_flags_it_uses() {
    let text = options("check");
    for flag in [
        "--target",
        "--rate",
        "--retries",
        "--allow-insecure-http",
        "--group",
        "--reason",
    ] {
        assert!(text.contains(flag), "{flag} missing:\n{text}");
    }
    for flag in ["--resume", "--concurrency", "--max-wait", "--yes", "--out"] {
        assert!(!text.contains(flag), "{flag} listed:\n{text}");
    }
}

#[test]
fn every_command_gives_its_exit_codes() {
    let codes: &[(&str, &[&str])] = &[
        ("plan", &["0", "1", "2", "3"]),
        ("apply", &["0", "1", "2", "3", "4", "5", "130"]),
        ("rollback", &["0", "1", "2", "3", "4", "5", "130"]),
        ("export", &["0", "1", "2", "2", "3", "130"]),
        ("check", &["0", "1", "2", "2", "3"]),
        ("template", &["0", "2"]),
        ("sim", &["0", "2"]),
        ("report", &["0", "1", "2"]),
        ("demo", &["0", "1", "2"]),
        ("runs", &["0", "1", "2"]),
        ("target", &["0", "2"]),
        ("login", &["0", "1", "2"]),
        ("logout", &["0", "1", "2"]),
    ];
    for (command, expected) in codes {
        let run = sleipnir(&[command, "--help"]);
        let (_, table) = run
            .stdout
            .split_once("\nExit codes:\n")
            .unwrap_or_else(|| panic!("{command}: no exit codes:\n{}", run.stdout));
        let listed: Vec<&str> = table
            .lines()
            .filter_map(|line| line.strip_prefix("  "))
            // A code starts its paragraph; the lines after it are indented under the meaning.
            .filter(|line| !line.starts_with(' '))
            .filter_map(|line| line.split_whitespace().next())
            .filter(|word| word.parse::<u8>().is_ok())
            .collect();
        assert_eq!(&listed, expected, "{command}:\n{table}");
    }
}

#[test]
fn target_says_where_it_comes_from_for_each_command() {
    for command in ["apply", "rollback", "check", "export"] {
        let text = help(command);
        assert!(
            text.contains("[env: SLEIPNIR_TARGET, then ODIN_URL]"),
            "{command}:\n{text}"
        );
        assert!(!text.contains("except for plan"), "{command}:\n{text}");
    }
    let plan = help("plan");
    assert!(
        plan.contains("ODIN_URL alone never makes plan read Odin"),
        "{plan}"
    );
    assert!(!plan.contains("[env: ODIN_URL"), "{plan}");
}
