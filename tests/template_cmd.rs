//! Templates list, print, write (never over a file without --force), and plan cleanly.

use crate::support::{sleipnir, sleipnir_in, workdir};

#[test]
fn list_shows_every_template() {
    let run = sleipnir(&["template", "--list"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn prints_and_writes_without_overwriting() {
    let dir = workdir();
    let printed = sleipnir_in(dir.path(), &["template", "do-not-disturb"]);
    assert_eq!(printed.code, 0);
    assert!(
        printed
            .stdout
            .starts_with("userId,settings.Do Not Disturb.isActive")
    );
    let first = sleipnir_in(
        dir.path(),
        &["template", "do-not-disturb", "--out", "dnd.csv"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = std::fs::read_to_string(dir.path().join("dnd.csv")).expect("written");
    assert_eq!(written, printed.stdout);
    std::fs::write(dir.path().join("dnd.csv"), "mine").expect("write");
    let again = sleipnir_in(
        dir.path(),
        &["template", "do-not-disturb", "--out", "dnd.csv"],
    );
    assert_eq!(again.code, 2);
    assert_eq!(
        again.stderr,
        "error: `dnd.csv` already exists; pass --force to overwrite it\n"
    );
    let kept = std::fs::read_to_string(dir.path().join("dnd.csv")).expect("kept");
    assert_eq!(kept, "mine");
    let forced = sleipnir_in(
        dir.path(),
        &["template", "do-not-disturb", "--out", "dnd.csv", "--force"],
    );
    assert_eq!(forced.code, 0);
    let replaced = std::fs::read_to_string(dir.path().join("dnd.csv")).expect("replaced");
    assert_eq!(replaced, printed.stdout);
}

#[test]
fn unknown_template_suggests_the_nearest() {
    let run = sleipnir(&["template", "do-not-disturbe"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: no template `do-not-disturbe`; did you mean `do-not-disturb`?; `sleipnir template --list` shows them all\n"
    );
}

#[test]
fn every_template_plans_cleanly() {
    let dir = workdir();
    for template in sleipnir::templates::TEMPLATES {
        std::fs::write(dir.path().join(template.file_name), template.body).expect("write");
    }
    for template in sleipnir::templates::TEMPLATES {
        if !template.file_name.ends_with(".csv") {
            continue;
        }
        let mut args = vec!["plan", template.file_name];
        if template.name == "mapped-sheet" {
            args.extend(["--mapping", "mapping.toml"]);
        }
        let run = sleipnir_in(dir.path(), &args);
        assert_eq!(run.code, 0, "template {}: {}", template.name, run.stderr);
        assert!(
            run.stderr.is_empty(),
            "template {}: {}",
            template.name,
            run.stderr
        );
        assert!(
            run.stdout.contains("1 user,"),
            "template {}: {}",
            template.name,
            run.stdout
        );
    }
}
